// Test doubles for the browser snippet: a minimal DOM, a manual clock with timers, a Storage,
// a scriptable WebSocket and a window that ties them together. No packages.
"use strict";

const path = require("node:path");

const SNIPPET = path.join(__dirname, "../../Sources/ClicklogIngest/Web/c.js");
const clicklog = require(SNIPPET);

// --- DOM -------------------------------------------------------------------------------------

class FakeText {
  constructor(text) { this.nodeType = 3; this.textContent = text; this.parentNode = null; }
}

class FakeElement {
  constructor(tag, attrs = {}) {
    this.nodeType = 1;
    this.tagName = tag.toUpperCase();
    this.attrs = new Map(Object.entries(attrs).map(([k, v]) => [k, String(v)]));
    this.childNodes = [];
    this.parentElement = null;
    this.parentNode = null;
  }
  get id() { return this.attrs.get("id") || ""; }
  getAttribute(k) { return this.attrs.has(k) ? this.attrs.get(k) : null; }
  hasAttribute(k) { return this.attrs.has(k); }
  setAttribute(k, v) { this.attrs.set(k, String(v)); }
  get children() { return this.childNodes.filter(n => n.nodeType === 1); }
  get textContent() { return this.childNodes.map(n => n.textContent).join(""); }
  // innerText is layout-aware in browsers; here it is textContent unless a test sets it.
  get innerText() { return this._innerText ?? this.textContent; }
  set innerText(v) { this._innerText = v; }
  sibling(step) {
    const list = this.parentElement ? this.parentElement.children : [];
    return list[list.indexOf(this) + step] || null;
  }
  get previousElementSibling() { return this.sibling(-1); }
  get nextElementSibling() { return this.sibling(1); }
  append(...nodes) {
    for (const n of nodes) {
      const node = typeof n === "string" ? new FakeText(n) : n;
      node.parentNode = this;
      if (node.nodeType === 1) node.parentElement = this;
      this.childNodes.push(node);
    }
    return this;
  }
}

/** h("button", {id: "buy"}, "Buy ", h("b", {}, "now")) */
function h(tag, attrs, ...children) { return new FakeElement(tag, attrs).append(...children); }

/** A page skeleton: html > body > ...children; returns body. */
function body(...children) {
  const b = h("body", {}, ...children);
  h("html", {}, b);
  return b;
}

// --- time ------------------------------------------------------------------------------------

/** A manual clock: timers run only when advance() passes their due time, in due order. */
function fakeTime(start = 1_700_000_000_000) {
  let now = start, nextId = 1;
  const timers = new Map();
  const t = {
    now: () => now,
    setTimeout(fn, ms = 0) { const id = nextId++; timers.set(id, { fn, at: now + Math.max(0, ms) }); return id; },
    clearTimeout(id) { timers.delete(id); },
    /** Delays of the pending timers, relative to now, sorted. */
    pending: () => [...timers.values()].map(x => x.at - now).sort((a, b) => a - b),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due = null;
        for (const [id, x] of timers) if (x.at <= end && (!due || x.at < due[1].at || (x.at === due[1].at && id < due[0]))) due = [id, x];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
  return t;
}

// --- storage ---------------------------------------------------------------------------------

/**
 * Storage as browsers have it: items are the object's own enumerable properties (so
 * Object.keys(localStorage) lists them), methods live on the prototype.
 */
class FakeStorage {
  get length() { return Object.keys(this).length; }
  key(i) { return Object.keys(this)[i] ?? null; }
  getItem(k) { return Object.hasOwn(this, k) ? this[k] : null; }
  setItem(k, v) { this[k] = String(v); }
  removeItem(k) { delete this[k]; }
  clear() { for (const k of Object.keys(this)) delete this[k]; }
  /** Snapshot of the items, with the JSON ones parsed. */
  dump() {
    const out = {};
    for (const k of Object.keys(this)) { try { out[k] = JSON.parse(this[k]); } catch { out[k] = this[k]; } }
    return out;
  }
}

// --- WebSocket -------------------------------------------------------------------------------

/** A WebSocket class whose instances the test drives: open(), reply(), fail(), drop(). */
function fakeWebSocketClass() {
  class FakeWebSocket {
    constructor(url, protocol) {
      this.url = url; this.protocol = protocol; this.readyState = 0; this.sent = []; this.closed = false;
      FakeWebSocket.instances.push(this);
    }
    send(data) {
      if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
      this.sent.push(data);
    }
    close() { this.closed = true; this.readyState = 3; }
    open() { this.readyState = 1; this.onopen?.({}); return this; }
    reply(obj) { this.onmessage?.({ data: typeof obj === "string" ? obj : JSON.stringify(obj) }); }
    /** Acks every message sent so far on this socket, in order. */
    ackAll() { for (const m of this.sent.splice(0)) this.reply({ ack: JSON.parse(m).seq, accepted: JSON.parse(m).events.length, duplicates: 0, rejected: [] }); }
    /** A refused connection as node's WebSocket reports it: `error` only. */
    fail() { this.readyState = 3; this.onerror?.({}); }
    /** A dropped connection as browsers report it: `error` then `close`. */
    drop() { this.readyState = 3; this.onerror?.({}); this.onclose?.({ code: 1006 }); }
    get messages() { return this.sent.map(s => JSON.parse(s)); }
  }
  FakeWebSocket.instances = [];
  Object.defineProperty(FakeWebSocket, "last", { get: () => FakeWebSocket.instances.at(-1) });
  return FakeWebSocket;
}

// --- window ----------------------------------------------------------------------------------

function eventTarget(obj) {
  const listeners = [];
  obj.addEventListener = (type, fn) => listeners.push([type, fn]);
  obj.dispatch = (type, ev = {}) => { for (const [t, fn] of listeners) if (t === type) fn({ type, ...ev }); };
  obj.listeners = listeners;
  return obj;
}

/**
 * A window for init(): location/history that move together, a document with title, referrer and
 * visibility, navigator with doNotTrack and a recording sendBeacon, plus the fakes above.
 * Options: href, referrer, title, dnt, storage (share one to simulate a reload), time, WebSocket,
 * random (Math.random replacement), beacon (sendBeacon's return value), stub (window.clicklog).
 */
function fakeWindow(o = {}) {
  const time = o.time || fakeTime();
  const w = eventTarget({});
  w.location = { href: o.href || "http://localhost:8080/" };
  const go = (url) => { if (url != null) w.location.href = new URL(String(url), w.location.href).href; };
  w.history = {
    length: 1,
    pushState(state, title, url) { this.length++; go(url); },
    replaceState(state, title, url) { go(url); },
  };
  w.document = eventTarget({ title: o.title ?? "Home", referrer: o.referrer ?? "", visibilityState: "visible" });
  w.beacons = [];
  w.navigator = {
    doNotTrack: o.dnt ?? null,
    sendBeacon(url, body) { w.beacons.push({ url, body }); return o.beacon ?? true; },
  };
  w.localStorage = o.storage || new FakeStorage();
  w.WebSocket = o.WebSocket || fakeWebSocketClass();
  w.setTimeout = time.setTimeout;
  w.clearTimeout = time.clearTimeout;
  w.Date = { now: time.now };
  w.Math = { random: o.random || (() => 0.5) };
  w.crypto = globalThis.crypto;
  w.URL = URL;
  if (o.stub) w.clicklog = o.stub;
  w.time = time;
  return w;
}

const CONFIG = { ws: "ws://localhost:8080/v1/ws?site=demo", post: "http://localhost:8080/v1/events?site=demo", memory: false, dnt: true };

/** Starts the client on a fake window; returns {w, c, ws: WebSocket class, time}. */
function start(o = {}, config = {}) {
  const w = fakeWindow(o);
  const c = clicklog.init(w, { ...CONFIG, ...config });
  return { w, c, WS: w.WebSocket, time: w.time };
}

/** Events of every message sent on every socket of WS, in order. */
function sentEvents(WS) {
  return WS.instances.flatMap(s => s.messages.flatMap(m => m.events));
}

/** The one-line stub exactly as documented in c.js's header comment. */
const STUB = /<script>(!function[^<]*)<\/script>/.exec(require("node:fs").readFileSync(SNIPPET, "utf8"))[1];

/** Runs the documented stub against w, as a page does before c.js has loaded. */
function runStub(w, now) {
  new Function("window", "Date", STUB)(w, { now });
  return w.clicklog;
}

module.exports = {
  clicklog, SNIPPET, FakeElement, FakeText, h, body, fakeTime, FakeStorage, fakeWebSocketClass,
  fakeWindow, CONFIG, start, sentEvents, STUB, runStub,
};
