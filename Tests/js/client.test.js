"use strict";
// The whole client on a fake window: capture, batching, acks, reconnects, persistence, beacons.
const test = require("node:test");
const assert = require("node:assert/strict");
const { clicklog, h, body, fakeTime, FakeStorage, fakeWebSocketClass, start, sentEvents, runStub, CONFIG } = require("./helpers.js");

const queued = storage => Object.entries(storage.dump()).filter(([k]) => k.startsWith("clicklog:q.")).flatMap(([, v]) => v);

test("the first page view goes out on a clicklog.v1 WebSocket with the protocol's fields", () => {
  const { WS, time } = start({ href: "http://localhost:8080/product/1?x=1", referrer: "https://search.example/", title: "Shoe" });
  assert.equal(WS.instances.length, 1);
  assert.equal(WS.last.url, CONFIG.ws);
  assert.equal(WS.last.protocol, "clicklog.v1");
  const t0 = time.now();
  WS.last.open();
  time.advance(1000);
  const [m] = WS.last.messages;
  assert.equal(typeof m.seq, "number");
  assert.equal(m.sent_at, t0 + 1000);
  assert.equal(m.events.length, 1);
  const e = m.events[0];
  assert.equal(e.event, "page_view");
  assert.equal(e.ts, t0);
  assert.ok(Number.isInteger(e.ts));
  assert.equal(e.url, "http://localhost:8080/product/1?x=1");
  assert.equal(e.referrer, "https://search.example/");
  assert.equal(e.title, "Shoe");
  assert.match(e.id, /^.{1,64}$/);
  assert.match(e.anonymous_id, /^.{1,128}$/);
  assert.match(e.session_id, /^.{1,128}$/);
  assert.equal("user_id" in e, false, "no empty optional fields");
  assert.equal("props" in e, false);
});

test("events are flushed once a second", () => {
  const { w, WS, time } = start();
  WS.last.open();
  time.advance(1000);
  assert.equal(WS.last.sent.length, 1);
  w.clicklog.track("a"); w.clicklog.track("b"); w.clicklog.track("c", { n: 1 });
  time.advance(999);
  assert.equal(WS.last.sent.length, 1, "nothing before the second is up");
  time.advance(1);
  assert.equal(WS.last.sent.length, 2);
  const m = WS.last.messages[1];
  assert.deepEqual(m.events.map(e => e.event), ["a", "b", "c"]);
  assert.deepEqual(m.events[2].props, { n: 1 });
  assert.equal(time.pending().length, 0, "no timer left when idle");
});

test("a batch goes out at once when it reaches 50 events", () => {
  const { w, WS, time } = start();
  WS.last.open();
  time.advance(1000);
  for (let i = 0; i < 49; i++) w.clicklog.track("e" + i);
  assert.equal(WS.last.sent.length, 1);
  w.clicklog.track("e49");
  assert.equal(WS.last.sent.length, 2);
  assert.equal(WS.last.messages[1].events.length, 50);
  w.clicklog.track("e50");
  time.advance(1000);
  assert.equal(WS.last.messages[2].events.length, 1);
});

test("batches flushed while connecting go out once, on open", () => {
  const { w, WS, time } = start();
  time.advance(1000); // flushed while CONNECTING
  w.clicklog.track("b");
  time.advance(1000);
  assert.equal(WS.last.sent.length, 0);
  const ws = WS.last.open();
  assert.deepEqual(ws.messages.map(m => m.events.map(e => e.event)), [["page_view"], ["b"]]);
  w.clicklog.track("c");
  time.advance(1000);
  assert.deepEqual(ws.messages.map(m => m.events[0].event), ["page_view", "b", "c"], "nothing sent twice on one socket");
  assert.equal(new Set(ws.messages.map(m => m.seq)).size, 3);
});

test("an ack removes its batch from the persisted queue; unacked batches stay", () => {
  const storage = new FakeStorage();
  const { w, WS, time } = start({ storage });
  const ws = WS.last.open();
  time.advance(1000);
  w.clicklog.track("second");
  time.advance(1000);
  const [m1, m2] = ws.messages;
  assert.deepEqual(queued(storage).map(e => e.event), ["page_view", "second"]);
  ws.reply({ ack: m1.seq, accepted: 1, duplicates: 0, rejected: [] });
  assert.deepEqual(queued(storage).map(e => e.event), ["second"]);
  ws.reply("not json"); // ignored
  ws.reply({ ack: 12345 }); // unknown seq: ignored
  assert.deepEqual(queued(storage).map(e => e.event), ["second"]);
  ws.reply({ ack: m2.seq, accepted: 1, duplicates: 0, rejected: [] });
  assert.deepEqual(queued(storage), []);
});

test("after a reconnect every unacked batch is resent in order, with its seq", () => {
  const { w, WS, time } = start();
  const ws1 = WS.last.open();
  time.advance(1000);
  w.clicklog.track("b"); time.advance(1000);
  w.clicklog.track("c"); time.advance(1000);
  const seqs = ws1.messages.map(m => m.seq);
  assert.equal(seqs.length, 3);
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
  ws1.reply({ ack: seqs[0] });
  ws1.drop();
  w.clicklog.track("d");
  time.advance(249);
  assert.equal(WS.instances.length, 1, "the retry waits for its backoff");
  time.advance(1); // random() = 0.5 → half of the 500 ms cap
  assert.equal(WS.instances.length, 2);
  const ws2 = WS.last;
  assert.equal(ws2.protocol, "clicklog.v1");
  ws2.open();
  assert.equal(ws2.sent.length, 2, "resent at once on open");
  time.advance(1000);
  const resent = ws2.messages;
  assert.deepEqual(resent.map(m => m.seq).slice(0, 2), seqs.slice(1));
  assert.deepEqual(resent.map(m => m.events.map(e => e.event)), [["b"], ["c"], ["d"]]);
  assert.ok(resent[2].seq > seqs[2]);
  assert.deepEqual(resent[0].events, ws1.messages[1].events, "same events, same ids");
  assert.equal(new Set(resent.map(m => m.seq)).size, resent.length, "no seq twice on one connection");
});

test("a refused connection that fires only `error` is retried once", () => {
  const { WS, time } = start();
  WS.last.fail();
  assert.deepEqual(time.pending().length, 2, "the flush timer and one retry");
  time.advance(250);
  assert.equal(WS.instances.length, 2);
});

test("`error` then `close` on one socket schedules a single retry", () => {
  const { WS, time } = start();
  WS.last.open();
  time.advance(1000);
  WS.last.drop();
  assert.equal(time.pending().length, 1);
  time.advance(30_000);
  assert.equal(WS.instances.length, 2);
});

test("retries back off with growing caps and reset after a successful open", () => {
  const { WS, time } = start({ random: () => 0.999 });
  time.advance(1000); // the first flush, while connecting
  const delays = [];
  for (let i = 0; i < 8; i++) {
    WS.last.fail();
    const d = time.pending().at(-1);
    delays.push(d);
    time.advance(d);
  }
  assert.deepEqual(delays, [499, 999, 1998, 3996, 7992, 15984, 29970, 29970]);
  WS.last.open();
  WS.last.drop();
  assert.equal(time.pending().at(-1), 499);
});

test("a reload resends the persisted unacked events, and seqs keep increasing", () => {
  const storage = new FakeStorage();
  const time = fakeTime();
  const WebSocket = fakeWebSocketClass();
  const one = start({ storage, time, WebSocket, href: "http://localhost:8080/a" });
  WebSocket.last.open();
  time.advance(1000);
  const firstSeq = WebSocket.last.messages[0].seq;
  one.w.clicklog.track("offline_1");
  WebSocket.last.drop(); // server gone
  one.w.clicklog.track("offline_2");
  time.advance(1000);
  one.w.dispatch("pagehide", { persisted: false });
  const stored = queued(storage);
  assert.deepEqual(stored.map(e => e.event), ["page_view", "offline_1", "offline_2"]);

  const two = start({ storage, time, WebSocket, href: "http://localhost:8080/b" });
  const ws = WebSocket.last.open();
  time.advance(1000);
  const events = ws.messages.flatMap(m => m.events);
  assert.deepEqual(events.map(e => e.event), ["page_view", "offline_1", "offline_2", "page_view"]);
  assert.deepEqual(events.slice(0, 3).map(e => e.id), stored.map(e => e.id));
  assert.equal(events[3].url, "http://localhost:8080/b");
  assert.ok(ws.messages.every(m => m.seq > firstSeq));
  assert.equal(new Set(ws.messages.map(m => m.seq)).size, ws.messages.length);
  assert.equal(Object.keys(storage.dump()).filter(k => k.startsWith("clicklog:q.")).length, 1, "the old page's queue was adopted");
  assert.equal(events[0].anonymous_id, events[3].anonymous_id, "same visitor across the reload");
  assert.equal(two.c.key !== one.c.key, true);
});

test("another tab's stored queue is adopted at load and its events sent", () => {
  const storage = new FakeStorage();
  const time = fakeTime();
  const a = start({ storage, time });
  a.w.clicklog.track("from_a");
  time.advance(1000); // a is offline: its socket never opened
  const b = start({ storage, time });
  b.WS.last.open();
  time.advance(1000);
  assert.deepEqual(sentEvents(b.WS).map(e => e.event), ["page_view", "from_a", "page_view"]);
});

test("the offline queue is bounded to 1000 events in storage", () => {
  const storage = new FakeStorage();
  const { w, c, time } = start({ storage });
  for (let i = 0; i < 1100; i++) w.clicklog.track("e" + i);
  time.advance(1000);
  const q = queued(storage);
  assert.equal(q.length, 1000);
  assert.equal(q.at(-1).event, "e1099");
  assert.equal(c.ob.dropped, 101);
});

test("single-page navigation produces page views with the previous URL as referrer", () => {
  const { w, WS, time } = start({ href: "http://localhost:8080/spa", title: "SPA" });
  WS.last.open();
  w.history.pushState({}, "", "/spa/shoes");
  w.document.title = "Shoes"; // apps set the title after pushState
  w.history.replaceState({}, "", "/spa/shoes"); // same URL: no page view
  w.history.replaceState({}, "", "/spa/shoes?sort=price");
  w.location.href = "http://localhost:8080/spa"; w.dispatch("popstate");
  w.location.href = "http://localhost:8080/spa#faq"; w.dispatch("hashchange");
  w.dispatch("popstate"); // fired with hashchange: same URL, counted once
  time.advance(1000);
  const views = sentEvents(WS).filter(e => e.event === "page_view");
  assert.deepEqual(views.map(e => [e.url.replace("http://localhost:8080", ""), (e.referrer || "").replace("http://localhost:8080", "")]), [
    ["/spa", ""],
    ["/spa/shoes", "/spa"],
    ["/spa/shoes?sort=price", "/spa/shoes"],
    ["/spa", "/spa/shoes?sort=price"],
    ["/spa#faq", "/spa"],
  ]);
  assert.equal(views[1].title, "Shoes");
  const ts = views.map(e => e.ts);
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
});

test("the patched pushState calls the original with its arguments and returns its result", () => {
  const { fakeWindow } = require("./helpers.js");
  const w = fakeWindow();
  const calls = [];
  w.history.pushState = function (...args) { calls.push([this, args]); return "orig"; };
  clicklog.init(w, CONFIG);
  assert.equal(w.history.pushState({ s: 1 }, "", "/x"), "orig");
  assert.deepEqual(calls, [[w.history, [{ s: 1 }, "", "/x"]]]);
});

test("clicks on links, buttons and data-clicklog elements are captured with selector, text and page coordinates", () => {
  const { w, WS, time } = start();
  WS.last.open();
  const button = h("button", { "data-clicklog": "add-to-cart", class: "btn" }, " Add ", h("span", {}, "to cart"));
  const para = h("p", {}, "not clickable");
  body(h("main", {}, h("div", { class: "card" }, button), para));
  w.document.dispatch("click", { target: button.children[0].childNodes[0], pageX: 120.6, pageY: 340.2 }); // a text node
  w.document.dispatch("click", { target: para, pageX: 1, pageY: 1 });
  time.advance(1000);
  const clicks = sentEvents(WS).filter(e => e.event === "click");
  assert.equal(clicks.length, 1);
  assert.equal(clicks[0].selector, 'button[data-clicklog="add-to-cart"]');
  assert.equal(clicks[0].text, "Add to cart");
  assert.equal(clicks[0].x, 121);
  assert.equal(clicks[0].y, 340);
  assert.equal(clicks[0].url, "http://localhost:8080/");
});

test("a click without coordinates carries no x and y", () => {
  const { w, WS, time } = start();
  WS.last.open();
  const a = h("a", { href: "/cart" }, "Cart");
  body(a);
  w.document.dispatch("click", { target: a });
  time.advance(1000);
  const click = sentEvents(WS).find(e => e.event === "click");
  assert.equal("x" in click, false);
  assert.equal("y" in click, false);
});

test("Do Not Track suppresses everything: no socket, no storage, no-op API", () => {
  const storage = new FakeStorage();
  const { w, WS, time } = start({ dnt: "1", storage });
  w.clicklog.track("x"); w.clicklog.identify("u1"); w.clicklog.optOut(); w.clicklog.optIn(); w.clicklog.reset();
  time.advance(5000);
  w.dispatch("pagehide");
  assert.equal(WS.instances.length, 0);
  assert.equal(storage.length, 0);
  assert.equal(w.beacons.length, 0);
});

test("data-respect-dnt=\"false\" overrides Do Not Track", () => {
  const { WS, time } = start({ dnt: "1" }, { dnt: false });
  WS.last.open();
  time.advance(1000);
  assert.equal(sentEvents(WS)[0].event, "page_view");
});

test("optOut stops capture, forgets ids, is persisted, and optIn resumes", () => {
  const storage = new FakeStorage();
  const time = fakeTime();
  const WebSocket = fakeWebSocketClass();
  const one = start({ storage, time, WebSocket });
  WebSocket.last.open();
  time.advance(1000);
  one.w.clicklog.identify("user-1");
  one.w.clicklog.track("before");
  one.w.clicklog.optOut();
  assert.equal(WebSocket.last.closed, true);
  one.w.clicklog.track("after");
  one.w.clicklog.identify("user-2");
  one.w.document.dispatch("click", { target: body(h("a", { href: "/" })).children[0] });
  time.advance(5000);
  one.w.dispatch("pagehide");
  assert.equal(one.w.beacons.length, 0);
  assert.equal(WebSocket.instances.length, 1, "no reconnect after optOut");
  assert.deepEqual(Object.keys(storage.dump()), ["clicklog:n", "clicklog:o"].filter(k => k in storage.dump()));
  assert.equal(storage.getItem("clicklog:o"), "1");

  const two = start({ storage, time, WebSocket });
  time.advance(5000);
  assert.equal(WebSocket.instances.length, 1, "a new page stays opted out");
  two.w.clicklog.optIn();
  two.w.clicklog.track("resumed");
  time.advance(1000);
  WebSocket.last.open();
  const events = WebSocket.last.messages.flatMap(m => m.events);
  assert.deepEqual(events.map(e => e.event), ["resumed"]);
  assert.equal("user_id" in events[0], false, "the user id was forgotten");
});

test("on pagehide unacked events go out by sendBeacon as a plain-string batch, once", () => {
  const storage = new FakeStorage();
  const { w, WS, time } = start({ storage });
  const ws = WS.last.open();
  time.advance(1000);
  ws.ackAll();
  w.clicklog.track("add_to_cart", { product_id: "1", price: 59, quantity: 1 });
  ws.reply({ ack: 999 });
  w.document.visibilityState = "hidden";
  w.document.dispatch("visibilitychange");
  w.dispatch("pagehide", { persisted: false });
  assert.equal(w.beacons.length, 1);
  const { url, body } = w.beacons[0];
  assert.equal(url, CONFIG.post);
  assert.equal(typeof body, "string", "a string body: a JSON Blob would need a CORS preflight");
  const m = JSON.parse(body);
  assert.deepEqual(Object.keys(m), ["seq", "sent_at", "events"]);
  assert.equal(m.sent_at, time.now());
  assert.deepEqual(m.events.map(e => e.event), ["add_to_cart"]);
  assert.deepEqual(m.events[0].props, { product_id: "1", price: 59, quantity: 1 });
  assert.deepEqual(queued(storage).map(e => e.id), m.events.map(e => e.id), "kept until acked");
  ws.reply({ ack: m.seq });
  assert.deepEqual(queued(storage), [], "the WebSocket ack (same seq) clears it");
});

test("beacon bodies stay under 60 KB and stop when sendBeacon refuses", () => {
  const { w, time } = start({ beacon: false });
  for (let i = 0; i < 120; i++) w.clicklog.track("e" + i, { pad: "x".repeat(900) });
  time.advance(1000);
  w.dispatch("pagehide");
  assert.equal(w.beacons.length, 1, "the first refusal stops the rest");
});

test("every batch is beaconed when sendBeacon accepts", () => {
  const { w, time } = start();
  for (let i = 0; i < 120; i++) w.clicklog.track("e" + i, { pad: "x".repeat(900) });
  w.dispatch("pagehide");
  const bodies = w.beacons.map(b => b.body);
  assert.ok(bodies.every(b => Buffer.byteLength(b) <= 60_000));
  const events = bodies.flatMap(b => JSON.parse(b).events);
  assert.equal(events.length, 121);
  assert.equal(new Set(bodies.map(b => JSON.parse(b).seq)).size, bodies.length);
  void time;
});

test("cookieless mode keeps ids and the queue out of localStorage", () => {
  const storage = new FakeStorage();
  const { w, WS, time } = start({ storage }, { memory: true });
  w.clicklog.identify("u1");
  w.clicklog.track("x");
  time.advance(1000);
  w.dispatch("pagehide");
  assert.equal(storage.length, 0);
  WS.last.open();
  const events = sentEvents(WS);
  assert.equal(events.length, 3);
  assert.equal(events[2].user_id, "u1");
  assert.equal(new Set(events.map(e => e.anonymous_id)).size, 1);
  assert.equal(w.beacons.length, 1);
});

test("calls queued by the stub before load are replayed with their own time", () => {
  const time = fakeTime();
  const w0 = { clicklog: undefined };
  runStub(w0, time.now);
  w0.clicklog.identify("user-7");
  time.advance(200);
  w0.clicklog.track("early", { a: 1 });
  const tEarly = time.now();
  time.advance(300);
  const { w, WS } = start({ time, stub: w0.clicklog });
  assert.equal(w.clicklog, w0.clicklog, "the stub object is kept and filled in");
  assert.deepEqual(w.clicklog.q, []);
  WS.last.open();
  time.advance(1000);
  const events = sentEvents(WS);
  const early = events.find(e => e.event === "early");
  const view = events.find(e => e.event === "page_view");
  assert.equal(early.ts, tEarly);
  assert.deepEqual(early.props, { a: 1 });
  assert.equal(early.user_id, "user-7");
  assert.ok(view.ts <= tEarly, "the page view is not later than calls made on the page");
  assert.equal(view.user_id, "user-7");
  w.clicklog.track("late");
  time.advance(1000);
  assert.equal(sentEvents(WS).at(-1).event, "late");
});

test("an optOut queued by the stub prevents the first page view", () => {
  const time = fakeTime();
  const w0 = {};
  runStub(w0, time.now);
  w0.clicklog.optOut();
  const { WS } = start({ time, stub: w0.clicklog });
  time.advance(2000);
  assert.equal(WS.instances.length, 0);
});

test("loading the snippet twice does not double-capture", () => {
  const { w, WS, time } = start();
  assert.equal(clicklog.init(w, CONFIG), undefined);
  WS.last.open();
  time.advance(1000);
  assert.equal(sentEvents(WS).length, 1);
});

test("the session id rotates after 30 minutes of inactivity", () => {
  const { w, WS, time } = start();
  WS.last.open();
  w.clicklog.track("a");
  time.advance(30 * 60_000);
  w.clicklog.track("b"); // exactly 30 min after the last event: same session
  time.advance(30 * 60_000 + 1);
  w.clicklog.track("c");
  time.advance(1000);
  const [view, a, b, c] = sentEvents(WS);
  assert.equal(view.session_id, a.session_id);
  assert.equal(a.session_id, b.session_id);
  assert.notEqual(b.session_id, c.session_id);
});

test("identify sets user_id on later events and reset starts a new visitor", () => {
  const { w, WS, time } = start();
  WS.last.open();
  w.clicklog.identify("u-1", { plan: "pro" });
  w.clicklog.identify("u-1"); // unchanged, no props: no event
  w.clicklog.track("x");
  w.clicklog.reset();
  w.clicklog.track("y");
  time.advance(1000);
  const [view, ident, x, y] = sentEvents(WS);
  assert.equal(sentEvents(WS).length, 4);
  assert.equal(ident.event, "identify");
  assert.equal(ident.user_id, "u-1");
  assert.deepEqual(ident.props, { plan: "pro" });
  assert.equal(x.user_id, "u-1");
  assert.equal("user_id" in y, false);
  assert.notEqual(y.anonymous_id, view.anonymous_id);
  assert.notEqual(y.session_id, view.session_id);
});

test("fields respect the protocol's size limits", () => {
  const { w, WS, time } = start({ href: "http://localhost:8080/?q=" + "x".repeat(10_000), title: "t".repeat(9000) });
  WS.last.open();
  w.clicklog.track("n".repeat(200));
  w.clicklog.track("");
  w.clicklog.track(null);
  w.clicklog.identify("u".repeat(300));
  time.advance(1000);
  const events = sentEvents(WS);
  assert.equal(events.length, 3, "empty names are ignored");
  assert.equal(events[0].url.length, 8192);
  assert.equal(events[0].title.length, 8192);
  assert.equal(events[1].event.length, 128);
  assert.equal(events[2].user_id.length, 256);
});

test("storage that throws (private mode, quota) does not break capture", () => {
  const storage = new FakeStorage();
  storage.setItem = () => { throw new Error("QuotaExceededError"); };
  const { w, WS, time } = start({ storage });
  w.clicklog.track("x");
  WS.last.open();
  time.advance(1000);
  const events = sentEvents(WS);
  assert.deepEqual(events.map(e => e.event), ["page_view", "x"]);
  assert.ok(events[0].anonymous_id && events[0].session_id, "ids kept in memory instead");
  assert.equal(events[0].anonymous_id, events[1].anonymous_id);
  assert.equal(events[0].session_id, events[1].session_id);
});

test("without localStorage at all (blocked by the browser) ids live in memory", () => {
  const { fakeWindow } = require("./helpers.js");
  const w = fakeWindow();
  Object.defineProperty(w, "localStorage", { get() { throw new Error("SecurityError"); } });
  clicklog.init(w, CONFIG);
  w.clicklog.track("x");
  w.WebSocket.last.open();
  w.time.advance(1000);
  const events = sentEvents(w.WebSocket);
  assert.equal(events.length, 2);
  assert.ok(events[1].anonymous_id);
  assert.equal(events[0].anonymous_id, events[1].anonymous_id);
});
