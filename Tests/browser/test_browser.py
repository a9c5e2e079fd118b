#!/usr/bin/env python3
"""Real-browser end-to-end test: headless Chromium drives the demo shop served by
`clicklog serve --demo`, and the log is checked with `clicklog query`.

    python3 Tests/browser/test_browser.py        # CLICKLOG_BIN overrides .build/debug/clicklog

What it checks (one browser, one data directory, one server that is SIGKILLed and restarted):
  1. real clicks through the shop (home -> product -> add to cart -> cart -> checkout -> place order)
     land in the log with the right selectors and paths, in order (funnel queries);
  2. the server is killed mid-session (SIGKILL) while the SPA page keeps producing events and is
     restarted on the same port and data directory: every event is stored exactly once;
  3. navigating away (to about:blank) with the WebSocket stalled delivers the tail by sendBeacon;
  4. SPA route changes (pushState, replaceState, hash link, Back) each yield one page_view;
  5. a page on an origin that is not allowed (http://evil.test:PORT, mapped to 127.0.0.1 by the
     browser's resolver) is refused: WebSocket fails, nothing from it is stored; plus raw HTTP
     checks of the 403/401 answers;
  6. Chromium negotiates permessage-deflate and its messages arrive compressed (/metrics);
  7. 100% of the events the page sent (recorded by a wrapper injected before any page script)
     and 100% of the events the test expects from its own actions are in the log exactly once.

Exit status is nonzero when any check fails.
"""
import gzip
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import urllib.request
from collections import Counter

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CLICKLOG_BIN") or os.path.join(ROOT, ".build", "debug", "clicklog")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
EVIL_HOST = "evil.test"

sys.path.insert(0, os.path.join(ROOT, "Tests", "support"))
from checks import FAILURES, check  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - keep polling until the deadline
            last = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# ---------------------------------------------------------------- server

class Server:
    def __init__(self, data, port, logpath):
        self.data, self.port, self.logpath, self.proc = data, port, logpath, None

    def start(self):
        log = open(self.logpath, "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--demo", "--data", self.data, "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.data)
        log.close()
        wait_until(lambda: self.healthz() == 200, 20, what="GET /healthz == 200")

    def healthz(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"clicklog serve exited with {self.proc.returncode}; log: {self.logpath}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# ---------------------------------------------------------------- clicklog query

QUERY_FILES = []


def query(data, spec):
    """Runs one query given as a saved-query dict, with `clicklog query --file` (json)."""
    fd, path = tempfile.mkstemp(suffix=".yaml", dir=data + "-queries")
    with os.fdopen(fd, "w") as f:
        for k, v in spec.items():
            if isinstance(v, list):
                f.write(f"{k}:\n" + "".join(f"  - {json.dumps(x)}\n" for x in v))
            else:
                f.write(f"{k}: {json.dumps(v) if isinstance(v, str) else v}\n")
    r = subprocess.run([BIN, "query", "--file", path, "--data", data, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"clicklog query --file {spec} failed ({r.returncode}): {r.stderr.strip()}")
    return json.loads(r.stdout)


def top(data, dimension, event=None):
    spec = {"query": "top", "dimension": dimension, "limit": 100000}
    if event:
        spec["event"] = event
    return Counter({row["value"]: row["events"] for row in query(data, spec)["rows"]})


def counts_by_event(data):
    c = Counter()
    for row in query(data, {"query": "counts", "interval": "day", "by": "event"})["rows"]:
        c[row["key"]] += row["events"]
    return c


def funnel(data, steps):
    return [s["count"] for s in query(data, {"query": "funnel", "window": "1h", "steps": steps})["steps"]]


# ---------------------------------------------------------------- browser

# Injected before any page script: records every event the page hands to WebSocket.send or
# navigator.sendBeacon (by id) in localStorage "bt:sent"; window.__btBlockWS drops WS sends.
RECORDER = r"""
(() => {
  const K = "bt:sent";
  const rec = (body, via) => {
    try {
      const m = JSON.parse(body), evs = Array.isArray(m.events) ? m.events : [m];
      let s = {};
      try { s = JSON.parse(localStorage.getItem(K)) || {}; } catch (e) {}
      for (const e of evs) {
        if (!e || !e.id) continue;
        const r = s[e.id] || { event: e.event, url: e.url || "", selector: e.selector || "",
          n: e.props && e.props.n != null ? String(e.props.n) : null, via: [] };
        if (!r.via.includes(via)) r.via.push(via);
        s[e.id] = r;
      }
      localStorage.setItem(K, JSON.stringify(s));
    } catch (e) {}
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    if (window.__btBlockWS) return;
    rec(d, "ws");
    return send.apply(this, arguments);
  };
  // window.__btDropAcks: the page ignores what the server answers (acks never arrive)
  const om = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true, enumerable: om.enumerable,
    get() { return om.get.call(this); },
    set(f) {
      om.set.call(this, typeof f != "function" ? f :
        function () { if (!window.__btDropAcks) return f.apply(this, arguments); });
    }
  });
  const beacon = Navigator.prototype.sendBeacon;
  Navigator.prototype.sendBeacon = function (u, d) {
    const r = beacon.apply(this, arguments);
    if (r) rec(d, "beacon");
    return r;
  };
})();
"""

STUB = ('<script>!function(c){c=window.clicklog=window.clicklog||{q:[]};"track identify reset optOut optIn"'
        '.split(" ").map(function(m){c[m]=c[m]||function(){c.q.push([m,arguments,Date.now()])}})}()</script>')


def start_browser():
    opts = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,800", f"--host-resolver-rules=MAP {EVIL_HOST} 127.0.0.1",
                 "--no-first-run", "--no-default-browser-check", "--disable-features=HttpsUpgrades"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    return driver


def path_of(url):
    return urllib.parse.urlsplit(url).path


class Shop:
    """The browser on the demo shop, with the list of events the test expects its actions to make."""

    def __init__(self, driver, base):
        self.d, self.base, self.expected = driver, base, []

    def expect(self, event, url=None, selector="", n=None):
        url = url if url is not None else self.d.current_url
        self.expected.append((event, path_of(url), selector, None if n is None else str(n)))

    def ready(self):
        wait_until(lambda: self.d.execute_script("return !!(window.clicklog && window.clicklog.version === 1)"),
                   10, what="c.js loaded on " + self.d.current_url)

    def open(self, path):
        self.d.get(self.base + path)
        self.ready()
        self.expect("page_view")

    def click(self, css, selector, navigates_to=None):
        before = self.d.current_url
        el = WebDriverWait(self.d, 10).until(lambda d: (lambda e: e if e.is_displayed() else None)(
            d.find_element(By.CSS_SELECTOR, css)))
        el.click()
        self.expect("click", before, selector)
        if navigates_to:
            wait_until(lambda: path_of(self.d.current_url) == navigates_to and
                       self.d.execute_script("return document.readyState") == "complete",
                       15, what="navigation to " + navigates_to)
            self.ready()
            self.expect("page_view")

    def probes(self, ns):
        for n in ns:
            self.d.execute_script("window.clicklog.track('probe', {n: arguments[0]})", n)
            self.expect("probe", n=n)

    def unacked(self):
        return self.d.execute_script(
            "return Object.keys(localStorage).filter(k => k.startsWith('clicklog:q.')).length")

    def wait_acked(self, timeout=20):
        time.sleep(1.3)  # the snippet batches for 1 s before it stores/sends the queue
        wait_until(lambda: self.unacked() == 0, timeout, interval=0.2, what="every batch acked")

    def sent(self):
        return json.loads(self.d.execute_script("return localStorage.getItem('bt:sent') || '{}'"))


# ---------------------------------------------------------------- origin test helpers

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_dir(directory):
    handler = lambda *a, **k: QuietHandler(*a, directory=directory, **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def raw_upgrade(port, origin, site="demo"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "clicklog.v1"}
    if origin:
        headers["Origin"] = origin
    c.request("GET", f"/v1/ws?site={site}", headers=headers)
    status = c.getresponse().status
    c.close()
    return status


def raw_post(port, origin, body, site="demo"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", f"/v1/events?site={site}", body=body,
              headers={"Origin": origin, "Content-Type": "text/plain;charset=UTF-8"})
    r = c.getresponse()
    status, text = r.status, r.read().decode(errors="replace")
    c.close()
    return status, text


# ---------------------------------------------------------------- the test

def run(tmp):
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    os.makedirs(data + "-queries")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(data, port, os.path.join(tmp, "serve.log"))
    driver = evil = None
    try:
        t0 = time.monotonic()
        server.start()
        print(f"server: {BIN} serve --demo on {base}, data {data}", flush=True)
        driver = start_browser()
        shop = Shop(driver, base)

        # 1. the natural checkout path, with real clicks
        print("-- checkout path through the shop", flush=True)
        shop.open("/")
        shop.click('#featured a[href="/product/1"]', "#featured > li:nth-of-type(1) > a.card", "/product/1")
        shop.click('button[data-clicklog="add-to-cart"]', 'button[data-clicklog="add-to-cart"]')
        shop.expect("add_to_cart")
        shop.click('a[data-clicklog="view-cart"]', 'a[data-clicklog="view-cart"]', "/cart")
        shop.click('a[data-clicklog="checkout"]', 'a[data-clicklog="checkout"]', "/checkout")
        before = driver.current_url
        shop.click("#place-order", "#place-order", "/order/confirmed")
        shop.expected.insert(-1, ("purchase", path_of(before), "", None))  # tracked before the navigation
        shop.click('header a[href="/spa"]', "header > div.bar > a:nth-of-type(4)", "/spa")
        shop.probes(range(0, 5))
        shop.wait_acked()
        check("checkout path and first probes acked by the server", True)

        # 2. kill the server mid-session; the SPA keeps producing events while it is down
        print("-- server SIGKILLed mid-session, with a stored but unacked batch", flush=True)
        # the page ignores acks for a moment: a 50-event batch (sent at once) is stored by the
        # server but stays unacked in the page, so after the restart it is resent and the server
        # must recognise all 50 as duplicates from the log it recovered
        driver.execute_script("window.__btDropAcks = true;"
                              "for (let n = 100; n < 150; n++) window.clicklog.track('probe', {n: n})")
        for n in range(100, 150):
            shop.expect("probe", n=n)
        batch = {str(n) for n in range(100, 150)}
        wait_until(lambda: batch <= set(top(data, "prop.n", "probe")), 10, interval=0.3,
                   what="the 50-event batch stored")
        server.kill()
        driver.execute_script("window.__btDropAcks = false")
        check("server is down after SIGKILL, the stored batch still unacked in the page",
              server.proc.poll() is not None and shop.unacked() > 0)
        spa_urls = [driver.current_url]
        shop.click('button[data-clicklog="spa-shoes"]', 'button[data-clicklog="spa-shoes"]')
        wait_until(lambda: "view=shoes" in driver.current_url, 5, what="pushState view=shoes")
        shop.expect("page_view"); spa_urls.append(driver.current_url)
        shop.click("#spa-sort", "#spa-sort")
        wait_until(lambda: "sort=price" in driver.current_url, 5, what="replaceState sort=price")
        shop.expect("page_view"); spa_urls.append(driver.current_url)
        shop.click('a[data-clicklog="spa-details"]', 'a[data-clicklog="spa-details"]')
        wait_until(lambda: driver.current_url.endswith("#details"), 5, what="hash #details")
        shop.expect("page_view"); spa_urls.append(driver.current_url)
        shop.probes(range(5, 15))
        driver.back()
        wait_until(lambda: not driver.current_url.endswith("#details"), 5, what="Back (popstate)")
        shop.expect("page_view"); spa_urls.append(driver.current_url)
        time.sleep(2.5)  # batches are flushed and connection attempts fail while the server is down
        pending = shop.unacked()
        check("events made while the server is down wait unacked in the page", pending > 0, f"{pending} queues")
        server.start()
        print(f"   server restarted on the same port and data directory ({time.monotonic() - t0:.1f}s)", flush=True)
        shop.probes(range(15, 20))
        try:
            shop.wait_acked(timeout=45)
            check("after the restart the page resends and everything is acked", True)
        except TimeoutError as e:
            check("after the restart the page resends and everything is acked", False, e)

        # 3. the tail is delivered by beacon when the page is left with the socket stalled
        print("-- navigating away delivers the tail by sendBeacon", flush=True)
        driver.execute_script("window.__btBlockWS = true")
        shop.probes(range(20, 25))
        driver.get("about:blank")
        want = {str(n) for n in range(20, 25)}
        try:
            wait_until(lambda: want <= set(top(data, "prop.n", "probe")), 10, interval=0.3,
                       what="beaconed probes 20..24 in the log")
            check("probes 20..24 tracked just before leaving are in the log (beacon only)", True)
        except TimeoutError as e:
            check("probes 20..24 tracked just before leaving are in the log (beacon only)", False, e)

        # 4. a page on an origin that is not allowed
        print("-- an origin that is not allowed is refused", flush=True)
        evil_dir = os.path.join(tmp, "evil")
        os.makedirs(evil_dir)
        with open(os.path.join(evil_dir, "index.html"), "w") as f:
            f.write(f"""<!doctype html><html><head><meta charset="utf-8"><title>evil</title>
<link rel="icon" href="data:,">{STUB}
<script>window.__ws = []; try {{ const s = new WebSocket("ws://127.0.0.1:{port}/v1/ws?site=demo", "clicklog.v1");
s.onopen = () => __ws.push("open"); s.onerror = () => __ws.push("error"); s.onclose = e => __ws.push("close:" + e.code);
}} catch (e) {{ __ws.push("throw") }}</script>
<script src="http://127.0.0.1:{port}/c.js" data-site="demo" async></script></head>
<body><button id="evil-button" type="button">evil button</button>
<script>clicklog.track("probe", {{n: "evil"}})</script></body></html>""")
        evil = serve_dir(evil_dir)
        evil_url = f"http://{EVIL_HOST}:{evil.server_address[1]}/"
        driver.get(evil_url)
        origin_seen = driver.execute_script("return location.origin")
        check("evil page loads from another origin", origin_seen == evil_url.rstrip("/"), origin_seen)
        wait_until(lambda: driver.execute_script("return !!(window.clicklog && window.clicklog.version)"), 10,
                   what="c.js loaded on the evil page")
        driver.find_element(By.ID, "evil-button").click()
        wait_until(lambda: any(x.startswith("close") for x in driver.execute_script("return __ws")), 10,
                   what="WebSocket from the evil origin closed")
        ws_log = driver.execute_script("return __ws")
        check("WebSocket upgrade from a not-allowed origin fails (never opens)", "open" not in ws_log, ws_log)
        time.sleep(1.5)
        driver.get("about:blank")  # pagehide: the snippet beacons its batch to the server (refused)
        time.sleep(1.0)
        evil_origin = f"http://{EVIL_HOST}:{evil.server_address[1]}"
        check("raw upgrade with a not-allowed Origin answers 403", raw_upgrade(port, evil_origin) == 403)
        check("raw upgrade with an allowed Origin answers 101", raw_upgrade(port, base) == 101)
        check("raw upgrade with an unknown site key answers 401", raw_upgrade(port, base, site="nosuch") == 401)
        ev = json.dumps({"event": "probe", "ts": int(time.time() * 1000), "anonymous_id": "raw",
                         "id": "raw-evil-1", "props": {"n": "evil-raw"}})
        status, body = raw_post(port, evil_origin, ev)
        check("POST from a not-allowed Origin answers 403", status == 403, f"{status} {body}")

        # 5. back on the shop: the page adopts what is still stored (the beaconed batch) and resends it
        print("-- back on the shop; final accounting", flush=True)
        shop.open("/cart")
        shop.wait_acked(timeout=30)
        sent = {i: r for i, r in shop.sent().items() if r["url"].startswith(base)}
        tail = [r for r in sent.values() if r["event"] == "probe" and r["n"] in want]
        check("the tail probes left the page by beacon only (WebSocket stalled)",
              len(tail) == 5 and all(r["via"][0] == "beacon" for r in tail), tail)

        # ---- log checks
        exp_full = Counter(shop.expected)
        page_full = Counter((r["event"], path_of(r["url"]), r["selector"], r["n"]) for r in sent.values())
        check(f"the page sent exactly the events the test's actions make ({sum(exp_full.values())}:"
              " event, path, selector, probe n)", page_full == exp_full,
              f"missing {dict(exp_full - page_full)}, unexpected {dict(page_full - exp_full)}")
        page = Counter(r["event"] for r in sent.values())
        logged = counts_by_event(data)
        check(f"log holds every sent event exactly once, per event name ({sum(page.values())})",
              logged == page, f"log {dict(logged)}, page {dict(page)}")
        for event in sorted(page):
            want_paths = Counter(path_of(r["url"]) for r in sent.values() if r["event"] == event)
            got = top(data, "path", event)
            check(f"paths of {event} events match exactly", got == want_paths, f"log {dict(got)} vs page {dict(want_paths)}")
        want_sel = Counter(s for e, _, s, _ in shop.expected if e == "click")
        got_sel = top(data, "selector", "click")
        check("click selectors are exactly the expected ones, once per click", got_sel == want_sel,
              f"log {dict(got_sel)} vs expected {dict(want_sel)}")
        probes = top(data, "prop.n", "probe")
        wanted = Counter(str(n) for n in [*range(25), *range(100, 150)])
        check("each probe (0..24, 100..149) is in the log exactly once (across the kill, restart and beacon)",
              probes == wanted, f"log {dict(probes)}")
        urls = top(data, "url", "page_view")
        spa_want = Counter(spa_urls)
        spa_got = Counter({u: c for u, c in urls.items() if path_of(u) == "/spa"})
        check("SPA route changes (pushState, replaceState, hash, Back) give one page_view each",
              spa_got == spa_want, f"log {dict(spa_got)} vs {dict(spa_want)}")
        evil_rows = [u for u in urls if EVIL_HOST in u] + [n for n in probes if "evil" in n]
        evil_rows += [u for u in top(data, "url") if EVIL_HOST in u]
        check("nothing from the not-allowed origin is stored", not evil_rows, evil_rows)
        checkout = funnel(data, ["page_view path=/product/*", "add_to_cart", "page_view path=/checkout", "purchase"])
        check("saved checkout funnel: the visitor reaches all 4 steps", checkout == [1, 1, 1, 1], checkout)
        order = ["page_view path=/", "click selector=#featured*", "page_view path=/product/1",
                 'click selector=*add-to-cart*', "add_to_cart", 'click selector=*view-cart*', "page_view path=/cart",
                 'click selector=*checkout*', "page_view path=/checkout", "click selector=#place-order",
                 "purchase", "page_view path=/order/confirmed", "page_view path=/spa", "probe"]
        got_order = funnel(data, order)
        check("events are in the order of the clicks (14-step funnel, all reached)", got_order == [1] * len(order),
              list(zip(order, got_order)))
        try:
            with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
                lines = r.read().decode().splitlines()
            dup = [ln for ln in lines if "duplicate" in ln and not ln.startswith("#")]
            print("info  server metrics after restart: " + "; ".join(dup), flush=True)
            ndup = sum(float(ln.split()[-1]) for ln in dup if ln.startswith("clicklog_events_total"))
            check("the restarted server counted the resent batch (50) and the re-adopted beacon tail (5)"
                  " as duplicates", ndup >= 55, dup)
            compressed = [ln for ln in lines if ln.startswith("clicklog_messages_compressed_total ")]
            check("Chromium negotiated permessage-deflate: its messages to the restarted server arrived compressed",
                  bool(compressed) and float(compressed[0].split()[-1]) > 0, compressed)
        except OSError as e:
            check("/metrics readable", False, e)
        try:
            with urllib.request.urlopen(base + "/c.js", timeout=5) as r:
                served = r.read()
            gz = len(gzip.compress(served, 9))
            print(f"info  /c.js as served (the page above ran it): {len(served)} bytes, {gz} gzip'd", flush=True)
            check("the served snippet is under 4 000 bytes gzip'd", gz < 4000, gz)
        except OSError as e:
            check("/c.js readable", False, e)
        # the subcommand form of the CLI must agree with the --file form used above
        r = subprocess.run([BIN, "query", "--data", data, "--format", "json", "top", "--dimension", "prop.n",
                            "--event", "probe", "--limit", "1000"], capture_output=True, text=True, timeout=60)
        check("`clicklog query ... top --dimension prop.n` (subcommand form) works and agrees with --file"
              "",
              r.returncode == 0 and r.stdout.strip() and
              Counter({x["value"]: x["events"] for x in json.loads(r.stdout)["rows"]}) == probes,
              f"rc={r.returncode} stderr={r.stderr.strip()[:200]}")
        print(f"elapsed {time.monotonic() - t0:.1f}s", flush=True)
    finally:
        if driver:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
        if evil:
            evil.shutdown()
            evil.server_close()
        server.stop()


def main():
    if not os.access(BIN, os.X_OK):
        print(f"FAIL  clicklog binary not found: {BIN} (build it or set CLICKLOG_BIN)")
        return 1
    tmp = tempfile.mkdtemp(prefix="clicklog-browser-")
    try:
        run(tmp)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        FAILURES.append("exception")
        log = os.path.join(tmp, "serve.log")
        if os.path.exists(log):
            print("---- serve.log (tail)\n" + open(log, errors="replace").read()[-3000:])
    finally:
        if not FAILURES:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"(kept {tmp} for inspection)")
    print(("FAILED: " + ", ".join(FAILURES)) if FAILURES else "ALL BROWSER CHECKS PASSED", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
