#!/usr/bin/env python3
"""End-to-end test of `clicklog report` in a real browser, and of the export round trip.

    $PYTHON Tests/reports/test_report_browser.py    # CLICKLOG_BIN overrides .build/debug/clicklog

Generates two days of shop traffic (`clicklog generate --events 200000 --seed 3 --days 2`),
imports it into a temporary data directory and then checks:
  1. `clicklog report` for the last day in the data writes OUT/DAY/index.html; headless Chromium
     opens it with no SEVERE console entries; every saved query in queries/ has its
     <section id=NAME> with at least one <svg> chart and a table; no src=/href= points to
     http(s); a full-page screenshot is saved to OUT/DAY/screenshot.png (path and size printed);
  2. every saved query answers the same through `clicklog query --file` (which ignores the
     report-only `compare:` key) as the report's NAME.json;
  3. a JSONL export re-imported into a fresh data directory gives the same sessions, funnel,
     top list and counts as the original;
  4. a SQLite export answers the same top list through the `sqlite3` command-line tool as
     `clicklog query top`.

Exit status 1 when any check fails. The report directory with the screenshot is always kept
(its path is printed); everything else in the temporary directory too when a check fails, or
with CLICKLOG_REPORT_KEEP=1.
"""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CLICKLOG_BIN") or os.path.join(ROOT, ".build", "debug", "clicklog")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
QUERIES = os.path.join(ROOT, "queries")

sys.path.insert(0, os.path.join(ROOT, "Tests", "support"))
from checks import FAILURES, check  # noqa: E402


def clicklog(*args):
    """Runs clicklog; its standard output, or an exception with its standard error."""
    done = subprocess.run([BIN, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"clicklog {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def query_json(data, *args):
    return json.loads(clicklog("query", *args, "--data", data, "--format", "json"))


def saved_queries():
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(QUERIES, "*.yaml")))


# ---------------------------------------------------------------- 1. the page in Chromium

def following(day):
    """The day after `day`: the report's day runs midnight to midnight, UTC for the shipped queries."""
    return str(datetime.date.fromisoformat(day) + datetime.timedelta(days=1))


def check_page(data, out, day):
    page = os.path.join(out, day, "index.html")
    html = open(page, encoding="utf-8").read()
    external = re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//[^"\'\s>]*', html, re.I)
    check("page has no external resources (src=/href= to http(s))", not external, external[:5])
    check("page has no <script>, <link> or <img>", not re.search(r"<(script|link|img)\b", html, re.I))

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get("file://" + os.path.abspath(page))
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("browser console has no SEVERE entries", not severe, severe[:5])
        check("page title names the day", day in driver.title, driver.title)
        for name in saved_queries():
            sections = driver.find_elements(By.CSS_SELECTOR, f'section[id="{name}"]')
            if not check(f"section {name} present", len(sections) == 1, f"{len(sections)} sections"):
                continue
            section = sections[0]
            charts = section.find_elements(By.TAG_NAME, "svg")
            tables = section.find_elements(By.TAG_NAME, "table")
            drawn = [c for c in charts if c.find_elements(By.CSS_SELECTOR, "polyline, rect") and c.size["height"] > 20]
            check(f"section {name} has a drawn <svg> chart and a table", drawn and tables,
                  f"{len(charts)} svg ({len(drawn)} drawn), {len(tables)} tables")
        # The page shows the engine's numbers: the day's sessions and funnel steps.
        sessions = query_json(data, "sessions", "--from", day, "--to", following(day))["sessions"]
        cells = driver.find_elements(By.CSS_SELECTOR, 'section[id="daily-sessions"] table tr:nth-child(2) td')
        check("daily-sessions shows clicklog query sessions' count", [c.text for c in cells[:2]] == ["sessions", str(sessions)],
              f"{[c.text for c in cells]} vs {sessions}")
        steps = query_json(data, "--file", os.path.join(QUERIES, "checkout-funnel.yaml"), "--from", day, "--to", following(day))["steps"]
        rows = driver.find_elements(By.CSS_SELECTOR, 'section[id="checkout-funnel"] table tr')[1:]
        shown = [[td.text for td in r.find_elements(By.TAG_NAME, "td")][:2] for r in rows]
        check("checkout-funnel shows clicklog query's step counts", shown == [[s["step"], str(s["count"])] for s in steps], shown)
        header = [th.text for th in driver.find_elements(By.CSS_SELECTOR, 'section[id="checkout-funnel"] table th')]
        check("checkout-funnel (compare: 7d) compares with the average day", "avg day, previous 7 days" in header, header)
        # Nothing wider than the window: a clipped chart or table would show as a scroll bar.
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check("page fits the window's width", width <= 1280, f"scrollWidth {width}")
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, height + 100)
        shot = os.path.join(out, day, "screenshot.png")
        ok = driver.save_screenshot(shot)
        size = os.path.getsize(shot) if os.path.exists(shot) else 0
        print(f"screenshot: {shot} ({size} bytes, page height {height} px)", flush=True)
        check("screenshot saved", ok and size > 10_000, f"{size} bytes")
    finally:
        driver.quit()


# ---------------------------------------------------------------- 2. report = clicklog query

def check_report_numbers(data, out, day):
    for name in saved_queries():
        report = json.load(open(os.path.join(out, day, name + ".json"), encoding="utf-8"))
        direct = query_json(data, "--file", os.path.join(QUERIES, name + ".yaml"), "--from", day, "--to", following(day))
        check(f"report {name}.json equals clicklog query --file for {day}", report == direct,
              f"report {json.dumps(report)[:200]} vs query {json.dumps(direct)[:200]}")


# ---------------------------------------------------------------- 3, 4. export round trips

def answers(data):
    funnel = os.path.join(QUERIES, "checkout-funnel.yaml")
    return {
        "sessions": query_json(data, "sessions"),
        "funnel": query_json(data, "--file", funnel),
        "top path": query_json(data, "top", "--dimension", "path", "--event", "page_view", "--limit", "20"),
        "top referrer_host": query_json(data, "top", "--dimension", "referrer_host", "--limit", "10"),
        "counts": query_json(data, "counts", "--interval", "hour", "--by", "event"),
    }


def check_jsonl_round_trip(data, work):
    export = os.path.join(work, "export.jsonl")
    clicklog("export", "--format", "jsonl", "--data", data, "--out", export, "--columns",
             "event,ts,anonymous_id,id,user_id,session_id,url,referrer,title,selector,text,x,y,props")
    copy = os.path.join(work, "reimported")
    clicklog("import", export, "--data", copy, "--site", "shop")
    original, again = answers(data), answers(copy)
    for key in original:
        check(f"re-imported JSONL export answers {key} as the original", original[key] == again[key],
              f"{json.dumps(original[key])[:200]} vs {json.dumps(again[key])[:200]}")


def check_sqlite_top(data, work):
    db = os.path.join(work, "events.sqlite")
    clicklog("export", "--format", "sqlite", "--data", data, "--out", db)
    for dimension, column in (("event", "event"), ("url", "url")):
        sql = (f"SELECT {column}, count(*), count(DISTINCT site || char(31) || anonymous_id) FROM events "
               f"WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 ASC LIMIT 10")
        done = subprocess.run(["sqlite3", "-json", db, sql], capture_output=True, text=True, check=True)
        rows = [list(r.values()) for r in json.loads(done.stdout or "[]")]
        top = query_json(data, "top", "--dimension", dimension, "--limit", "10")
        expected = [[r["value"], r["events"], r["unique_visitors"]] for r in top["rows"]]
        check(f"sqlite3 on the SQLite export answers top {dimension} as clicklog query top",
              rows == expected and len(rows) > 1, f"{rows[:3]} vs {expected[:3]}")


def main():
    work = tempfile.mkdtemp(prefix="clicklog-report-browser-")
    keep = False
    try:
        events = os.path.join(work, "events.jsonl")
        data = os.path.join(work, "data")
        out = os.path.join(work, "reports")
        clicklog("generate", "--events", "200000", "--seed", "3", "--days", "2", "--out", events)
        clicklog("import", events, "--data", data, "--site", "shop")
        days = sorted({row["interval"] for row in query_json(data, "counts", "--interval", "day")["rows"]})
        check("generated data spans two days", len(days) == 2, days)
        day = days[-1]  # the last day, so the previous day has data to compare with
        print(clicklog("report", "--data", data, "--queries", QUERIES, "--date", day, "--out", out).strip(), flush=True)
        check_page(data, out, day)
        check_report_numbers(data, out, day)
        check_jsonl_round_trip(data, work)
        check_sqlite_top(data, work)
        if os.environ.get("CLICKLOG_REPORT_KEEP"):
            keep = True
            print(f"kept {out}")
    except Exception:  # noqa: BLE001 - any crash is a failed check
        traceback.print_exc()
        FAILURES.append("crashed")
    if FAILURES:
        keep = True
        print(f"\n{len(FAILURES)} check(s) failed: {', '.join(FAILURES)}; files kept in {work}", flush=True)
    if not keep:
        # The report and its screenshot stay, for a person to look at; the events, data
        # directories and exports (hundreds of MB) go.
        for entry in os.listdir(work):
            if entry != "reports":
                path = os.path.join(work, entry)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
        print(f"report and screenshot kept in {os.path.join(work, 'reports')}", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
