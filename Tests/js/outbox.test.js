"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { clicklog } = require("./helpers.js");
const { outbox, message } = clicklog;
const BATCH = 50, MAX_N = 1000, MAX_B = 500_000;

const counter = () => { let n = 0; return () => ++n; };
const ev = (i, extra = "") => ({ event: "click", ts: 1_700_000_000_000 + i, anonymous_id: "a", id: "e" + i, text: extra });
const ids = events => events.map(e => e.id);

test("push reports a full batch at exactly 50 events", () => {
  const o = outbox(counter());
  for (let i = 1; i < BATCH; i++) assert.equal(o.push(ev(i)), false, `event ${i}`);
  assert.equal(o.push(ev(BATCH)), true);
});

test("flush cuts the buffer into batches of at most 50 with increasing seqs", () => {
  const o = outbox(counter());
  for (let i = 0; i < 120; i++) o.push(ev(i));
  o.flush();
  assert.deepEqual(o.out.map(x => [x.seq, x.events.length]), [[1, 50], [2, 50], [3, 20]]);
  assert.equal(o.buf.length, 0);
  assert.deepEqual(ids(o.all()), ids(Array.from({ length: 120 }, (_, i) => ev(i))));
});

test("flush with an empty buffer makes no batch and uses no seq", () => {
  const next = counter();
  const o = outbox(next);
  o.flush();
  assert.equal(o.out.length, 0);
  assert.equal(next(), 1);
});

test("an ack removes exactly its batch; unknown and repeated acks change nothing", () => {
  const o = outbox(counter());
  for (let i = 0; i < 150; i++) o.push(ev(i));
  o.flush();
  assert.equal(o.ack(2), true);
  assert.deepEqual(o.out.map(x => x.seq), [1, 3]);
  assert.equal(o.ack(2), false);
  assert.equal(o.ack(99), false);
  assert.equal(o.ack("1"), false, "seq compared as a number");
  assert.equal(o.ack(undefined), false);
  assert.equal(o.n, 100);
  assert.deepEqual(ids(o.all()), [...ids(o.out[0].events), ...ids(o.out[1].events)]);
});

test("byte accounting returns to zero when everything is acked", () => {
  const o = outbox(counter());
  for (let i = 0; i < 70; i++) o.push(ev(i, "é".repeat(i)));
  o.flush();
  assert.ok(o.b > 0);
  o.ack(1); o.ack(2);
  assert.equal(o.n, 0);
  assert.equal(o.b, 0);
});

test("the queue keeps at most 1000 events, dropping the oldest and counting them", () => {
  const o = outbox(counter());
  for (let i = 0; i < MAX_N + 30; i++) {
    o.push(ev(i));
    if (i % 100 === 99) o.flush(); // offline: batches pile up unacked
  }
  assert.equal(o.n, MAX_N);
  assert.equal(o.all().length, MAX_N);
  assert.equal(o.dropped, 30);
  assert.equal(o.all()[0].id, "e30");
  assert.equal(o.all().at(-1).id, "e1029");
  assert.ok(o.out.every(x => x.events.length > 0), "emptied batches are removed");
});

test("the queue keeps at most 500 000 bytes of JSON", () => {
  const o = outbox(counter());
  const big = "é".repeat(5_000); // 10 000 bytes, 5 000 characters
  for (let i = 0; i < 80; i++) o.push(ev(i, big));
  const bytes = o.all().reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0);
  assert.ok(bytes <= MAX_B, `${bytes} bytes`);
  assert.ok(bytes > MAX_B - 10_200, "no more dropped than needed");
  assert.equal(o.b, bytes);
  assert.equal(o.dropped + o.all().length, 80);
  assert.equal(o.all().at(-1).id, "e79");
});

test("an event too large for the queue is refused without evicting the others", () => {
  const o = outbox(counter());
  o.push(ev(1));
  assert.equal(o.push(ev(2, "x".repeat(MAX_B))), false);
  assert.deepEqual(ids(o.all()), ["e1"]);
  assert.equal(o.dropped, 1);
});

test("an event that cannot be serialised is refused, not thrown", () => {
  const o = outbox(counter());
  const cyclic = ev(1); cyclic.props = {}; cyclic.props.self = cyclic.props;
  assert.equal(o.push(cyclic), false);
  assert.equal(o.push({ ...ev(2), props: { n: 10n } }), false);
  assert.equal(o.n, 0);
  assert.equal(o.dropped, 2);
});

test("a batch message has seq, sent_at and events, in the protocol's shape", () => {
  const m = JSON.parse(message(7, 1_700_000_000_123, [ev(1)]));
  assert.deepEqual(Object.keys(m), ["seq", "sent_at", "events"]);
  assert.equal(m.seq, 7);
  assert.equal(m.sent_at, 1_700_000_000_123);
  assert.equal(m.events[0].id, "e1");
});
