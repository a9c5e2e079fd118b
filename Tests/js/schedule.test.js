"use strict";
// Backoff schedule, session rotation, props limits and ids: the snippet's pure rules.
const test = require("node:test");
const assert = require("node:assert/strict");
const { clicklog } = require("./helpers.js");
const { backoff, session, props, uuid } = clicklog;
const IDLE = 30 * 60 * 1000;

test("backoff caps double from 0.5 s to 30 s and stay there", () => {
  const caps = Array.from({ length: 12 }, (_, a) => backoff(a, 0.999999999));
  assert.deepEqual(caps.map(c => Math.round(c / 100) * 100), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000]);
  for (let i = 1; i < caps.length; i++) assert.ok(caps[i] >= caps[i - 1], "monotone");
  assert.equal(backoff(1e6, 0.999999999), caps.at(-1), "huge attempt counts do not overflow");
});

test("backoff is full jitter: between 0 and the cap", () => {
  for (let a = 0; a < 20; a++) {
    const cap = Math.min(30_000, 500 * 2 ** a);
    assert.equal(backoff(a, 0), 0);
    assert.equal(backoff(a, 0.5), Math.floor(cap / 2));
    for (let i = 0; i < 50; i++) {
      const d = backoff(a, Math.random());
      assert.ok(d >= 0 && d < cap && Number.isInteger(d), `attempt ${a}: ${d}`);
    }
  }
});

test("a session starts with the first event", () => {
  const s = session(null, 1000, () => "s1");
  assert.deepEqual(s, { id: "s1", t: 1000 });
});

test("a session continues while gaps are at most 30 minutes, exactly 30 included", () => {
  let n = 0;
  const id = () => "s" + ++n;
  let s = session(null, 0, id);
  s = session(s, IDLE, id); // exactly 30 min: same session (semantics.md)
  assert.equal(s.id, "s1");
  s = session(s, 2 * IDLE, id);
  assert.equal(s.id, "s1");
});

test("a session rotates after more than 30 minutes of inactivity", () => {
  let n = 0;
  const id = () => "s" + ++n;
  const s1 = session(null, 0, id);
  const s2 = session(s1, IDLE + 1, id);
  assert.equal(s2.id, "s2");
  assert.equal(s2.t, IDLE + 1);
});

test("an event with an older timestamp does not move the session's last activity back", () => {
  const s = session({ id: "s1", t: 5000 }, 4000, () => "new");
  assert.deepEqual(s, { id: "s1", t: 5000 });
});

test("props flatten nested objects to dotted keys and keep arrays", () => {
  assert.deepEqual(props({ a: { b: 1, c: { d: "x" } }, list: [1, 2], ok: true, none: null }),
    { "a.b": 1, "a.c.d": "x", list: [1, 2], ok: true, none: null });
});

test("props keep at most 64 keys, counted after flattening", () => {
  const p = { nested: {} };
  for (let i = 0; i < 40; i++) p.nested["k" + i] = i;
  for (let i = 0; i < 40; i++) p["t" + i] = i;
  const out = props(p);
  assert.equal(Object.keys(out).length, 64);
  assert.equal(out["nested.k39"], 39);
  assert.equal(out.t23, 23);
  assert.equal(out.t24, undefined);
});

test("props clip strings to 1 KiB and keys to 128 bytes", () => {
  const out = props({ s: "é".repeat(1000), ["k".repeat(300)]: 1 });
  assert.equal(Buffer.byteLength(out.s), 1024);
  assert.equal(out["k".repeat(128)], 1);
});

test("props survive a cycle without recursing forever", () => {
  const p = { a: {} };
  p.a.self = p.a;
  const out = props(p);
  assert.ok(Object.keys(out).length <= 64);
});

test("ids are unique and at most 64 bytes, with or without randomUUID", () => {
  const seen = new Set();
  const noUUID = { getRandomValues: a => globalThis.crypto.getRandomValues(a) };
  for (let i = 0; i < 1000; i++) {
    for (const id of [uuid(globalThis.crypto), uuid(noUUID)]) {
      assert.ok(id.length >= 1 && id.length <= 64, id);
      assert.ok(!seen.has(id));
      seen.add(id);
    }
  }
});
