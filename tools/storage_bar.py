#!/usr/bin/env python3
"""The foundation's bar, measured side by side in one run on this machine.

On N generated events (default 1M) it prints:
  - stored bytes per event: Clicklog's log vs the same events as Parquet+zstd written by
    pyarrow with its defaults, vs the raw JSONL (bar: <= 0.8x Parquet, < 1/10 of JSONL);
  - `clicklog import` wall time vs DuckDB `read_json` into a native table on the same file
    (bar: Clicklog at least 2x faster), with the same number of threads (all cores).

Usage: python3 tools/storage_bar.py [--events 1000000] [--bin .build/release/clicklog]
Needs: pip install duckdb pyarrow
"""
import argparse, os, shutil, subprocess, sys, tempfile, time


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--bin", default=".build/release/clicklog")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per engine; the best is kept")
    args = ap.parse_args()

    import duckdb
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    work = tempfile.mkdtemp(prefix="clicklog-bar-")
    try:
        jsonl = os.path.join(work, "events.jsonl")
        with open(jsonl, "wb") as out:
            subprocess.run([args.bin, "generate", "--events", str(args.events), "--seed", str(args.seed),
                            "--days", str(args.days)], stdout=out, check=True)
        raw = os.path.getsize(jsonl)

        # Parquet with zstd, pyarrow's defaults otherwise.
        parquet = os.path.join(work, "events.parquet")
        table = pj.read_json(jsonl)
        pq.write_table(table, parquet, compression="zstd")
        parquet_bytes = os.path.getsize(parquet)
        del table

        clicklog_times, duck_times = [], []
        data = None
        for run in range(args.runs):
            data = os.path.join(work, f"data{run}")
            t0 = time.perf_counter()
            subprocess.run([args.bin, "import", jsonl, "--data", data], check=True, stdout=subprocess.DEVNULL)
            clicklog_times.append(time.perf_counter() - t0)

            db = os.path.join(work, f"duck{run}.db")
            con = duckdb.connect(db)
            con.execute(f"SET threads TO {os.cpu_count()}")
            t0 = time.perf_counter()
            con.execute(f"CREATE TABLE events AS SELECT * FROM read_json('{jsonl}', format='newline_delimited')")
            con.execute("CHECKPOINT")
            duck_times.append(time.perf_counter() - t0)
            con.close()
        segments = du(os.path.join(data, "segments")) if os.path.isdir(os.path.join(data, "segments")) else du(data)
        stored = du(data)

        n = args.events
        print(f"events: {n:,}  (JSONL {raw / n:.1f} B/event)")
        print(f"{'':28}{'bytes/event':>12}{'vs Parquet':>12}{'vs JSONL':>10}")
        for name, b in [("Clicklog log (segments)", segments), ("Clicklog data dir (all)", stored),
                        ("Parquet zstd (pyarrow)", parquet_bytes), ("JSONL", raw)]:
            print(f"{name:28}{b / n:12.2f}{b / parquet_bytes:12.3f}{b / raw:10.4f}")
        ci, dk = min(clicklog_times), min(duck_times)
        print(f"\nimport, best of {args.runs}: clicklog {ci:.2f} s ({n / ci / 1e6:.2f}M events/s), "
              f"DuckDB read_json -> table {dk:.2f} s; DuckDB/Clicklog = {dk / ci:.2f}x")
        ok = segments <= 0.8 * parquet_bytes and segments < raw / 10 and dk / ci >= 2
        print("bar:", "met" if ok else "NOT met",
              f"(size {segments / parquet_bytes:.3f}x Parquet <= 0.8, {segments / raw:.4f}x JSONL < 0.1, speed {dk / ci:.2f}x >= 2)")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
