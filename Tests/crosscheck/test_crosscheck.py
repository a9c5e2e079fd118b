#!/usr/bin/env python3
"""Cross-checks `clicklog query` against real reference engines on generated data.

    python3 Tests/crosscheck/test_crosscheck.py          # exit status 0: every answer agrees

generate → import → query with Clicklog; the same JSONL into DuckDB (native table) and, through a
pyarrow Parquet file, into chDB; sessions (DuckDB SQL, and chDB arraySplit), the checkout
funnel (chDB windowFunnel, and DuckDB ASOF joins), top paths and counts per day
(both) must give identical counts; means and medians must agree to 1e-9.

Environment: CLICKLOG_BIN (default .build/debug/clicklog), CROSSCHECK_EVENTS (default 60000),
CROSSCHECK_SEED (default 7). Needs duckdb, chdb and pyarrow (pip install duckdb chdb pyarrow).
"""

import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CLICKLOG_BIN", os.path.join(ROOT, ".build", "debug", "clicklog"))
EVENTS = int(os.environ.get("CROSSCHECK_EVENTS", "60000"))
SEED = os.environ.get("CROSSCHECK_SEED", "7")
SITE = "shop"
CHECKOUT = ["page_view path=/product/*", "add_to_cart", "page_view path=/checkout", "purchase"]

failures = []


def clicklog(*args):
    out = subprocess.run([BIN, *args], check=True, capture_output=True, text=True)
    return out.stdout


def query(data, *args):
    return json.loads(clicklog("query", *args, "--data", data, "--format", "json"))


def same(a, b, path="$"):
    """Exact equality, except floats within 1e-9 relative."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], f"{path}.{k}") for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    return a == b


def check(name, clicklog_answer, reference_answer, engine):
    if same(clicklog_answer, reference_answer):
        print(f"ok    {name} ({engine})")
    else:
        print(f"FAIL  {name} ({engine})\n  clicklog:  {json.dumps(clicklog_answer)[:2000]}\n  {engine}: {json.dumps(reference_answer)[:2000]}")
        failures.append(name)


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no clicklog binary at {BIN}: run 'swift build' or set CLICKLOG_BIN")
    import chdb
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="clicklog-crosscheck-") as tmp:
        jsonl = os.path.join(tmp, "events.jsonl")
        data = os.path.join(tmp, "data")
        parquet = os.path.join(tmp, "events.parquet")
        with open(jsonl, "w") as f:
            subprocess.run([BIN, "generate", "--events", str(EVENTS), "--seed", SEED, "--days", "3"], check=True, stdout=f)
        clicklog("import", jsonl, "--data", data, "--site", SITE)

        con = ref.duckdb_connect(threads=2)
        ref.duckdb_load_jsonl(con, jsonl, SITE)
        pq.write_table(con.sql("SELECT * FROM events ORDER BY idx").to_arrow_table(), parquet)
        ch = f"file('{parquet}', Parquet)"

        def ch_rows(sql):
            return [tuple(r) for r in json.loads(str(chdb.query(sql, "JSONCompact")) or '{"data": []}')["data"]]

        # Every event was stored: the reference engines see what Clicklog sees.
        stored = sum(r["events"] for r in query(data, "counts", "--by", "site")["rows"])
        lines = con.execute("SELECT count(*) FROM events").fetchone()[0]
        if stored != lines:
            sys.exit(f"the log holds {stored} events but the file has {lines}: the import rejected some")

        ts_min, ts_max = con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
        middle = (ts_min + ts_max) // 2
        frm, to = ts_min + (ts_max - ts_min) // 4, middle + 3_600_000 + 1

        # Sessions: whole log, UTC; and a range with a +05:30 zone.
        check("sessions", query(data, "sessions"), ref.duckdb_sessions(con, "events"), "duckdb")
        check("sessions", query(data, "sessions"), ref.sessions_json(
            [(r[0] or None, *r[1:]) for r in ch_rows(ref.ch_sessions_sql(ch))]), "chdb")
        check("sessions --from --to --tz +05:30 --idle 10m",
              query(data, "sessions", "--from", str(frm_iso(frm)), "--to", str(frm_iso(to)), "--tz", "+05:30", "--idle", "10m"),
              ref.duckdb_sessions(con, "events", idle_ms=600_000, offset_ms=330 * 60_000, frm=frm, to=to), "duckdb")

        # The checkout funnel: windowFunnel in chDB; greedy ASOF joins in DuckDB.
        for window, window_ms in [("1h", 3_600_000), ("10m", 600_000)]:
            args = ["funnel", "--window", window] + [a for s in CHECKOUT for a in ("--step", s)]
            mine = [s["count"] for s in query(data, *args)["steps"]]
            check(f"funnel --window {window}", mine,
                  ref.levels_to_counts(ch_rows(ref.ch_funnel_sql(ch, CHECKOUT, window_ms)), len(CHECKOUT)), "chdb")
            check(f"funnel --window {window}", mine, ref.duckdb_funnel(con, "events", CHECKOUT, window_ms), "duckdb")
        user_steps = ["page_view", "add_to_cart", "purchase"]
        args = ["funnel", "--by", "user", "--from", frm_iso(frm)] + [a for s in user_steps for a in ("--step", s)]
        mine = [s["count"] for s in query(data, *args)["steps"]]
        check("funnel --by user --from", mine,
              ref.levels_to_counts(ch_rows(ref.ch_funnel_sql(ch, user_steps, key="user_id", frm=frm)), 3), "chdb")
        check("funnel --by user --from", mine, ref.duckdb_funnel(con, "events", user_steps, key="user_id", frm=frm), "duckdb")

        # Top paths of page views, and counts per day.
        check("top --dimension path --event page_view", query(data, "top", "--dimension", "path", "--event", "page_view", "--limit", "15"),
              ref.duckdb_top(con, ref.duckdb_with_path("events"), "path", event="page_view", limit=15), "duckdb")
        check("top --dimension path --event page_view",
              query(data, "top", "--dimension", "path", "--event", "page_view", "--limit", "15"),
              {"rows": [{"value": v, "events": int(n), "unique_visitors": int(u)}
                        for v, n, u in ch_rows(ref.ch_top_sql(ch, ref.ch_path_or_null(), event="page_view", limit=15))]}, "chdb")
        check("top --dimension referrer", query(data, "top", "--dimension", "referrer"),
              ref.duckdb_top(con, "events", "referrer"), "duckdb")
        check("counts --interval day --by event", query(data, "counts"), ref.duckdb_counts_per_day(con, "events"), "duckdb")
        check("counts --interval day --by event", query(data, "counts"),
              {"rows": [{"interval": d, "key": k, "events": int(n)} for d, k, n in ch_rows(ref.ch_counts_per_day_sql(ch))]}, "chdb")

    if failures:
        print(f"\n{len(failures)} mismatch(es): {', '.join(failures)}")
        sys.exit(1)
    print("\nall answers agree")


def frm_iso(ms):
    """RFC 3339 UTC with milliseconds, for --from/--to."""
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


if __name__ == "__main__":
    main()
