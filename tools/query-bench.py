#!/usr/bin/env python3
"""Times each query in Clicklog, DuckDB and chDB on the same generated events, checks that
the answers agree, and prints the ratios (docs/query.md, "Benchmark").

    python3 tools/query-bench.py                    # 10M events, 2 threads
    python3 tools/query-bench.py --events 1000000 --runs 5 --threads 2

Steps: `clicklog generate` → JSONL; `clicklog import` → the log; DuckDB reads the JSONL into a
native table (with `idx` = arrival order), pyarrow writes it as Parquet; chDB reads the Parquet
file, and a MergeTree table ORDER BY (anonymous_id, ts) loaded from it. Every engine runs with
the same thread count; each query runs --runs times per engine (interleaved, so load on a shared
machine hits all alike) and the best time counts. Clicklog is timed as a whole process
(`clicklog query ... --format json`), start-up included. Data is kept in --workdir and reused.

Needs a release build (`swift build -c release`) and `pip install duckdb chdb pyarrow`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "crosscheck"))
import reference as ref  # noqa: E402
from test_crosscheck import same  # noqa: E402

SITE = "shop"
CHECKOUT = ["page_view path=/product/*", "add_to_cart", "page_view path=/checkout", "purchase"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workdir", default="/tmp/clicklog-query-bench")
    p.add_argument("--clicklog", default=os.path.join(ROOT, ".build", "release", "clicklog"))
    p.add_argument("--only", help="comma-separated queries: sessions,funnel,top,counts")
    args = p.parse_args()
    if not os.path.exists(args.clicklog):
        sys.exit(f"no clicklog at {args.clicklog}: run 'swift build -c release' or pass --clicklog")

    import chdb
    from chdb import session as chdb_session
    import pyarrow.parquet as pq

    work = os.path.join(args.workdir, f"{args.events}-{args.seed}-{args.days}")
    os.makedirs(work, exist_ok=True)
    jsonl, data = os.path.join(work, "events.jsonl"), os.path.join(work, "data")
    parquet, duckfile = os.path.join(work, "events.parquet"), os.path.join(work, "events.duckdb")
    chdir = os.path.join(work, "chdb")

    def step(what, fn):
        started = time.time()
        fn()
        print(f"  {what}: {time.time() - started:.1f} s", file=sys.stderr)

    print(f"data in {work}", file=sys.stderr)
    if not os.path.exists(jsonl):
        step("generate", lambda: subprocess.run(
            [args.clicklog, "generate", "--events", str(args.events), "--seed", str(args.seed), "--days", str(args.days),
             "--out", jsonl], check=True, stdout=subprocess.DEVNULL))
    if not os.path.exists(os.path.join(data, "catalog.sqlite")):
        shutil.rmtree(data, ignore_errors=True)
        step("clicklog import", lambda: subprocess.run(
            [args.clicklog, "import", jsonl, "--data", data, "--site", SITE], check=True, stdout=subprocess.DEVNULL))
    import duckdb
    fresh = not os.path.exists(duckfile)
    con = duckdb.connect(duckfile)
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET enable_progress_bar = false")
    con.execute(ref.DUCKDB_MACROS)
    if fresh:
        step("duckdb load", lambda: ref.duckdb_load_jsonl(con, jsonl, SITE))
    if not os.path.exists(parquet):
        step("parquet (pyarrow)", lambda: pq.write_table(con.sql("SELECT * FROM events ORDER BY idx").to_arrow_table(), parquet))
    fresh_ch = not os.path.exists(chdir)
    ch = chdb_session.Session(chdir)
    if fresh_ch:
        def load_mergetree():
            ch.query("""CREATE TABLE events (idx UInt64, site String, event String, ts Int64, anonymous_id String,
                        user_id Nullable(String), url Nullable(String), referrer Nullable(String))
                        ENGINE = MergeTree ORDER BY (anonymous_id, ts)""")
            ch.query(f"INSERT INTO events SELECT * FROM file('{parquet}', Parquet)")
            ch.query("OPTIMIZE TABLE events FINAL")
        step("chdb MergeTree load", load_mergetree)

    settings = f" SETTINGS max_threads = {args.threads}"

    def ch_rows(sql):
        out = str(ch.query(sql + settings, "JSONCompact"))
        return [tuple(r) for r in json.loads(out)["data"]] if out.strip() else []

    def clicklog(*q):
        out = subprocess.run([args.clicklog, "query", *q, "--data", data, "--format", "json", "--threads", str(args.threads)],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    pq_src, mt_src = f"file('{parquet}', Parquet)", "events"
    duck_pq = f"read_parquet('{parquet}')"
    funnel_args = [a for s in CHECKOUT for a in ("--step", s)]

    def top_rows(rows):
        return {"rows": [{"value": v, "events": int(n), "unique_visitors": int(u)} for v, n, u in rows]}

    def counts_rows(rows):
        return {"rows": [{"interval": d, "key": k, "events": int(n)} for d, k, n in rows]}

    def sessions_ch(rows):
        return ref.sessions_json([(r[0] or None, *r[1:]) for r in rows])

    queries = {
        "sessions": {
            "clicklog": lambda: clicklog("sessions"),
            "duckdb": lambda: ref.duckdb_sessions(con, "events"),
            "duckdb-parquet": lambda: ref.duckdb_sessions(con, duck_pq),
            "chdb-parquet": lambda: sessions_ch(ch_rows(ref.ch_sessions_sql(pq_src))),
            "chdb-mergetree": lambda: sessions_ch(ch_rows(ref.ch_sessions_sql(mt_src))),
        },
        "funnel": {
            "clicklog": lambda: [s["count"] for s in clicklog("funnel", *funnel_args)["steps"]],
            "duckdb": lambda: ref.duckdb_funnel(con, "events", CHECKOUT),
            "duckdb-parquet": lambda: ref.duckdb_funnel(con, duck_pq, CHECKOUT),
            "chdb-parquet": lambda: ref.levels_to_counts(ch_rows(ref.ch_funnel_sql(pq_src, CHECKOUT)), len(CHECKOUT)),
            "chdb-mergetree": lambda: ref.levels_to_counts(ch_rows(ref.ch_funnel_sql(mt_src, CHECKOUT)), len(CHECKOUT)),
        },
        "top": {
            "clicklog": lambda: clicklog("top", "--dimension", "path", "--event", "page_view"),
            "duckdb": lambda: ref.duckdb_top(con, ref.duckdb_with_path("events"), "path", event="page_view"),
            "duckdb-parquet": lambda: ref.duckdb_top(con, ref.duckdb_with_path(duck_pq), "path", event="page_view"),
            "chdb-parquet": lambda: top_rows(ch_rows(ref.ch_top_sql(pq_src, ref.ch_path_or_null(), event="page_view"))),
            "chdb-mergetree": lambda: top_rows(ch_rows(ref.ch_top_sql(mt_src, ref.ch_path_or_null(), event="page_view"))),
        },
        "counts": {
            "clicklog": lambda: clicklog("counts", "--interval", "day", "--by", "event"),
            "duckdb": lambda: ref.duckdb_counts_per_day(con, "events"),
            "duckdb-parquet": lambda: ref.duckdb_counts_per_day(con, duck_pq),
            "chdb-parquet": lambda: counts_rows(ch_rows(ref.ch_counts_per_day_sql(pq_src))),
            "chdb-mergetree": lambda: counts_rows(ch_rows(ref.ch_counts_per_day_sql(mt_src))),
        },
    }
    only = args.only.split(",") if args.only else list(queries)
    engines = ["clicklog", "duckdb", "duckdb-parquet", "chdb-parquet", "chdb-mergetree"]
    results, mismatches = {}, []
    for name in only:
        best = {e: float("inf") for e in engines}
        answers = {}
        for _ in range(args.runs):
            for engine in engines:
                started = time.perf_counter()
                answers[engine] = queries[name][engine]()
                best[engine] = min(best[engine], time.perf_counter() - started)
        for engine in engines[1:]:
            if not same(answers["clicklog"], answers[engine]):
                mismatches.append(f"{name}: clicklog {json.dumps(answers['clicklog'])[:300]} != {engine} {json.dumps(answers[engine])[:300]}")
        results[name] = best
        print(f"  {name}: " + ", ".join(f"{e} {best[e]:.3f} s" for e in engines), file=sys.stderr)

    print(f"\n{args.events:,} events, {args.threads} threads, best of {args.runs}\n")
    header = f"| query | {' | '.join(engines)} | DuckDB / Clicklog | chDB-MergeTree / Clicklog |"
    print(header)
    print("|" + "---|" * (len(engines) + 3))
    for name, best in results.items():
        duck = min(best["duckdb"], best["duckdb-parquet"])
        print(f"| {name} | " + " | ".join(f"{best[e]:.3f} s" for e in engines)
              + f" | {duck / best['clicklog']:.1f}× | {best['chdb-mergetree'] / best['clicklog']:.1f}× |")
    if mismatches:
        print("\nANSWERS DIFFER:\n" + "\n".join(mismatches))
        sys.exit(1)
    print("\nall answers agree")


if __name__ == "__main__":
    main()
