"""The semantics of docs/query.md (and /work/shared/spec/semantics.md) in DuckDB SQL and chDB
SQL, for the cross-check test and tools/query-bench.py.

Both engines read the same events: the JSONL that `clicklog generate` wrote, loaded with a row
index `idx` in file order (= arrival order) and the site the import stamped. The URL path rule is
URLParts.path: cut at the first '#', then at the first '?'; with '://' the path starts at the
first '/' after it ('/' when none); without, it is what is left.
"""

import duckdb

# ---- DuckDB -----------------------------------------------------------------------------

DUCKDB_MACROS = """
CREATE OR REPLACE MACRO cl_strip(u) AS split_part(split_part(u, '#', 1), '?', 1);
CREATE OR REPLACE MACRO cl_rest(s) AS substr(s, strpos(s, '://') + 3);
CREATE OR REPLACE MACRO cl_path(u) AS CASE
    WHEN u IS NULL THEN NULL
    WHEN strpos(cl_strip(u), '://') = 0 THEN cl_strip(u)
    WHEN strpos(cl_rest(cl_strip(u)), '/') = 0 THEN '/'
    ELSE substr(cl_rest(cl_strip(u)), strpos(cl_rest(cl_strip(u)), '/')) END;
"""


def duckdb_with_path(source):
    """`source` with a `path` column (cl_path's rule), each part computed once per row: the
    macro form repeats its subexpressions, which costs DuckDB seconds on 10M URLs."""
    return f"""(SELECT *, CASE WHEN url IS NULL THEN NULL WHEN cl_i = 0 THEN cl_s WHEN strpos(cl_r, '/') = 0 THEN '/'
                        ELSE substr(cl_r, strpos(cl_r, '/')) END AS path
               FROM (SELECT *, substr(cl_s, cl_i + 3) AS cl_r
                     FROM (SELECT *, strpos(cl_s, '://') AS cl_i
                           FROM (SELECT *, split_part(split_part(url, '#', 1), '?', 1) AS cl_s FROM {source}))))"""


def duckdb_connect(threads):
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET enable_progress_bar = false")
    con.execute(DUCKDB_MACROS)
    return con


def duckdb_load_jsonl(con, path, site, table="events"):
    """A native table of the JSONL's events in file order, with idx and site."""
    con.execute(f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT (row_number() OVER ()) - 1 AS idx, '{site}' AS site, event, ts::BIGINT AS ts, anonymous_id, user_id,
               url, referrer
        FROM read_json('{path}', format = 'newline_delimited', columns = {{
            event: 'VARCHAR', ts: 'BIGINT', anonymous_id: 'VARCHAR', user_id: 'VARCHAR', url: 'VARCHAR',
            referrer: 'VARCHAR'}})
    """)


def where(frm, to):
    conditions = ["TRUE"]
    if frm is not None:
        conditions.append(f"ts >= {frm}")
    if to is not None:
        conditions.append(f"ts < {to}")
    return " AND ".join(conditions)


def duckdb_sessions(con, source, idle_ms=1_800_000, offset_ms=0, frm=None, to=None):
    """Sessions as semantics.md: gaps > idle split, duration last - first, day of the first
    event at a fixed UTC offset. Returns the JSON shape of `clicklog query sessions`."""
    rows = con.execute(f"""
        WITH e AS (SELECT site, anonymous_id, ts, idx FROM {source} WHERE {where(frm, to)}),
        g AS (SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > {idle_ms} THEN 1 ELSE 0 END AS new
              FROM e WINDOW w AS (PARTITION BY site, anonymous_id ORDER BY ts, idx)),
        s AS (SELECT *, sum(new) OVER (PARTITION BY site, anonymous_id ORDER BY ts, idx ROWS UNBOUNDED PRECEDING) AS sid FROM g),
        ss AS (SELECT min(ts) AS start, max(ts) - min(ts) AS dur, count(*) AS n FROM s GROUP BY site, anonymous_id, sid)
        SELECT strftime(epoch_ms(start + {offset_ms}), '%Y-%m-%d') AS day, count(*), avg(dur) / 1000, median(dur) / 1000,
               avg(CASE WHEN n = 1 THEN 1.0 ELSE 0.0 END), avg(n)
        FROM ss GROUP BY GROUPING SETS ((day), ()) ORDER BY day NULLS FIRST
    """).fetchall()
    return sessions_json(rows)


def sessions_json(rows):
    """Rows (day or None for the total, sessions, mean s, median s, bounce rate, mean events)."""
    total = next((r for r in rows if r[0] is None), (None, 0, None, None, None, None))
    return {
        "sessions": int(total[1]), "mean_duration_s": total[2], "median_duration_s": total[3], "bounce_rate": total[4],
        "mean_events": total[5], "by_day": [{"day": r[0], "sessions": int(r[1])} for r in rows if r[0] is not None],
    }


def duckdb_top(con, source, dimension_sql, event=None, limit=10, frm=None, to=None):
    """`clicklog query top`: events and distinct (site, anonymous_id) per value, non-null values."""
    event_filter = f"AND event = '{event}'" if event else ""
    rows = con.execute(f"""
        SELECT v, count(*) AS n, count(DISTINCT (site, anonymous_id)) AS u
        FROM (SELECT {dimension_sql} AS v, site, anonymous_id FROM {source} WHERE {where(frm, to)} {event_filter})
        WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {limit}
    """).fetchall()
    return {"rows": [{"value": v, "events": n, "unique_visitors": u} for v, n, u in rows]}


def duckdb_counts_per_day(con, source, offset_ms=0, frm=None, to=None):
    """`clicklog query counts --interval day --by event` at a fixed UTC offset."""
    rows = con.execute(f"""
        SELECT strftime(epoch_ms(ts + {offset_ms}), '%Y-%m-%d') AS d, event, count(*)
        FROM {source} WHERE {where(frm, to)} GROUP BY d, event ORDER BY d, event
    """).fetchall()
    return {"rows": [{"interval": d, "key": k, "events": n} for d, k, n in rows]}


def duckdb_funnel(con, source, steps, window_ms=3_600_000, key="anonymous_id", frm=None, to=None):
    """The funnel in DuckDB SQL, by a formulation independent of windowFunnel's chain walk: a
    visitor reaches level k when some step-1 match is followed, in (ts, step) order, by matches
    of steps 2..k, the last within the window. Taking the earliest next match is optimal, so
    each step-1 match extends greedily with ASOF joins (next match at ts >= the previous one;
    equal ts is later in step order). Returns the visitor count at level >= i for each step."""
    key_filter = f"AND {key} IS NOT NULL AND {key} != ''" if key != "anonymous_id" else ""
    conds = [step_sql_duckdb(step) for step in steps]
    if any("path" in parse_step(step) for step in steps):
        source = duckdb_with_path(source)
    flags = ", ".join(f"({c}) AS c{i}" for i, c in enumerate(conds))
    ctes = [f"""m AS MATERIALIZED (SELECT site, {key} AS v, ts, {flags} FROM {source}
        WHERE {where(frm, to)} {key_filter} AND ({" OR ".join(f"({c})" for c in conds)}))"""]
    ctes += [f"s{i} AS (SELECT site, v, ts FROM m WHERE c{i})" for i in range(len(steps))]
    ctes.append("j0 AS (SELECT site, v, ts AS t0 FROM s0)")
    for i in range(1, len(steps)):
        cols = ", ".join(f"j{i - 1}.t{k}" for k in range(i))
        ctes.append(f"""j{i} AS (SELECT j{i - 1}.site, j{i - 1}.v, {cols}, s{i}.ts AS t{i}
            FROM j{i - 1} ASOF LEFT JOIN s{i} ON j{i - 1}.site = s{i}.site AND j{i - 1}.v = s{i}.v AND s{i}.ts >= j{i - 1}.t{i - 1})""")
    last = len(steps) - 1
    level = " + ".join(["1"] + [
        "(" + " AND ".join(f"coalesce(t{k} <= t0 + {window_ms}, FALSE)" for k in range(1, i + 1)) + ")::INT"
        for i in range(1, len(steps))])
    rows = con.execute(f"""
        WITH {", ".join(ctes)}
        SELECT level, count(*) FROM (SELECT max({level}) AS level FROM j{last} GROUP BY site, v) GROUP BY level
    """).fetchall()
    return levels_to_counts(rows, len(steps))


# ---- Steps as SQL ---------------------------------------------------------------------------

def parse_step(text):
    """EVENT [path=GLOB] [selector=GLOB]: the subset the cross-check uses."""
    parts = text.split()
    step = {"event": parts[0]}
    for p in parts[1:]:
        key, value = p.split("=", 1)
        step[key] = value
    return step


def glob_like(glob):
    """A glob with '*' as a LIKE pattern ('%' and '_' escaped)."""
    out = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return out.replace("*", "%")


def step_sql_duckdb(text):
    s = parse_step(text)
    c = f"event = '{s['event']}'"
    if "path" in s:
        c += f" AND coalesce(path LIKE '{glob_like(s['path'])}' ESCAPE '\\', FALSE)"
    return c


# ---- chDB (ClickHouse) -------------------------------------------------------------------------

CH_PATH = """multiIf(
    position(cl_s, '://') = 0, cl_s,
    position(substring(cl_s, position(cl_s, '://') + 3), '/') = 0, '/',
    substring(substring(cl_s, position(cl_s, '://') + 3), position(substring(cl_s, position(cl_s, '://') + 3), '/')))"""


def ch_path(url_column="url"):
    strip = f"splitByChar('?', splitByChar('#', ifNull({url_column}, ''))[1])[1]"
    return CH_PATH.replace("cl_s", strip)


def step_sql_ch(text):
    s = parse_step(text)
    c = f"event = '{s['event']}'"
    if "path" in s:
        c += f" AND url IS NOT NULL AND {ch_path()} LIKE '{glob_like(s['path'])}'"
    return c


def ch_funnel_sql(source, steps, window_ms=3_600_000, key="anonymous_id", frm=None, to=None):
    """ClickHouse's windowFunnel(window) per (site, key): the number of visitors per level."""
    conds = ", ".join(f"toUInt8(ifNull({step_sql_ch(s)}, 0))" for s in steps)
    key_filter = f"AND {key} IS NOT NULL AND {key} != ''" if key != "anonymous_id" else ""
    return f"""
        SELECT level, count() FROM (
            SELECT windowFunnel({window_ms})(toUInt64(ts), {conds}) AS level
            FROM {source} WHERE {where(frm, to)} {key_filter}
            GROUP BY site, {key})
        WHERE level > 0 GROUP BY level ORDER BY level"""


def levels_to_counts(rows, n):
    """[(level, visitors)] to visitors at level >= i for i = 1..n."""
    counts = [0] * n
    for level, visitors in rows:
        for i in range(int(level)):
            counts[i] += int(visitors)
    return counts


def ch_sessions_sql(source, idle_ms=1_800_000, offset_ms=0, frm=None, to=None):
    """Sessions in ClickHouse: each visitor's sorted times split where the gap exceeds idle
    (arraySplit); rows as `sessions_json` takes them (day '' for the total)."""
    return f"""
        SELECT if(grouping(day) = 1, '', day) AS d, count(), avg(dur) / 1000, quantileExactInclusive(0.5)(dur) / 1000,
               avg(n = 1), avg(n)
        FROM (
            SELECT formatDateTime(fromUnixTimestamp64Milli(s[1] + {offset_ms}, 'UTC'), '%Y-%m-%d') AS day,
                   s[-1] - s[1] AS dur, length(s) AS n
            FROM (
                SELECT arrayJoin(arraySplit((x, g) -> g > {idle_ms}, t, arrayDifference(t))) AS s
                FROM (SELECT arraySort(groupArray(ts)) AS t FROM {source} WHERE {where(frm, to)} GROUP BY site, anonymous_id)))
        GROUP BY GROUPING SETS ((day), ()) ORDER BY d
        SETTINGS group_by_use_nulls = 0"""


def ch_top_sql(source, dimension_sql, event=None, limit=10, frm=None, to=None):
    event_filter = f"AND event = '{event}'" if event else ""
    return f"""
        SELECT v, count() AS n, uniqExact(site, anonymous_id) AS u
        FROM (SELECT {dimension_sql} AS v, site, anonymous_id FROM {source} WHERE {where(frm, to)} {event_filter})
        WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {limit}"""


def ch_path_or_null(url_column="url"):
    """The path of a URL column, NULL where the URL is."""
    return f"if({url_column} IS NULL, NULL, {ch_path(url_column)})"


def ch_counts_per_day_sql(source, offset_ms=0, frm=None, to=None):
    return f"""
        SELECT formatDateTime(fromUnixTimestamp64Milli(ts + {offset_ms}, 'UTC'), '%Y-%m-%d') AS d, event, count()
        FROM {source} WHERE {where(frm, to)} GROUP BY d, event ORDER BY d, event"""
