"use strict";
// The <script> tag's attributes, the documented stub, and the served file itself.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { clicklog, SNIPPET, STUB, fakeWindow, FakeStorage } = require("./helpers.js");

/** Runs main() for a script tag with these attributes; returns the window after a page hide. */
function embed(src, data, o = {}) {
  const w = fakeWindow({ href: "http://localhost:8080/", ...o });
  w.document.currentScript = { src, dataset: data };
  clicklog.main(w);
  w.time.advance(1000);
  w.dispatch("pagehide");
  return w;
}

test("endpoints derive from the script's own origin", () => {
  const w = embed("https://collect.example.com/c.js", { site: "shop" });
  assert.equal(w.WebSocket.last.url, "wss://collect.example.com/v1/ws?site=shop");
  assert.equal(w.WebSocket.last.protocol, "clicklog.v1");
  assert.equal(w.beacons[0].url, "https://collect.example.com/v1/events?site=shop");
});

test("a plain-http script with a port gives ws:// and http:// on that port", () => {
  const w = embed("http://127.0.0.1:8080/c.js", { site: "demo" });
  assert.equal(w.WebSocket.last.url, "ws://127.0.0.1:8080/v1/ws?site=demo");
  assert.equal(w.beacons[0].url, "http://127.0.0.1:8080/v1/events?site=demo");
});

test("data-host overrides the host and port; the scheme follows the script's", () => {
  let w = embed("https://cdn.example/c.js", { site: "s", host: "collect.example:8443" });
  assert.equal(w.WebSocket.last.url, "wss://collect.example:8443/v1/ws?site=s");
  assert.equal(w.beacons[0].url, "https://collect.example:8443/v1/events?site=s");
  w = embed("http://localhost:8080/c.js", { site: "s", host: "127.0.0.1:9000" });
  assert.equal(w.WebSocket.last.url, "ws://127.0.0.1:9000/v1/ws?site=s");
});

test("the site key is URL-encoded", () => {
  const w = embed("http://localhost:8080/c.js", { site: "a b&c" });
  assert.equal(w.WebSocket.last.url, "ws://localhost:8080/v1/ws?site=a%20b%26c");
});

test("without data-site nothing starts", () => {
  const w = embed("http://localhost:8080/c.js", {});
  assert.equal(w.WebSocket.instances.length, 0);
  assert.equal(w.clicklog, undefined);
});

test("data-cookieless and data-storage=memory keep localStorage empty", () => {
  for (const data of [{ cookieless: "" }, { cookieless: "true" }, { storage: "memory" }]) {
    const storage = new FakeStorage();
    const w = embed("http://localhost:8080/c.js", { site: "demo", ...data }, { storage });
    assert.equal(storage.length, 0, JSON.stringify(data));
    assert.equal(w.beacons.length, 1);
  }
  const storage = new FakeStorage();
  embed("http://localhost:8080/c.js", { site: "demo", cookieless: "false" }, { storage });
  assert.ok(storage.getItem("clicklog:a"), "cookieless=false stores the anonymous id");
});

test("Do Not Track is honoured unless data-respect-dnt is false", () => {
  let w = embed("http://localhost:8080/c.js", { site: "demo" }, { dnt: "1" });
  assert.equal(w.WebSocket.instances.length, 0);
  assert.equal(w.beacons.length, 0);
  w = embed("http://localhost:8080/c.js", { site: "demo", respectDnt: "false" }, { dnt: "1" });
  assert.equal(w.WebSocket.instances.length, 1);
  w = embed("http://localhost:8080/c.js", { site: "demo" }, { dnt: "0" });
  assert.equal(w.WebSocket.instances.length, 1);
});

test("the snippet has no console calls and touches no node globals outside its export", () => {
  const src = fs.readFileSync(SNIPPET, "utf8");
  assert.doesNotMatch(src, /console\./);
  assert.doesNotMatch(src, /\brequire\(|\bprocess\.|\bBuffer\b|\bglobal\b/);
  assert.equal(src.match(/\bmodule\b/g).length, 2, "only the guarded export mentions module");
});

test("the README documents the same stub as the snippet", () => {
  const readme = fs.readFileSync(path.join(path.dirname(SNIPPET), "README.md"), "utf8");
  assert.ok(readme.includes(STUB));
});

test("the snippet stays small", () => {
  // The aim is 4 KiB; this guards against drift from the measured size (README.md).
  const gz = zlib.gzipSync(fs.readFileSync(SNIPPET), { level: 9 }).length;
  assert.ok(gz <= 4800, `${gz} bytes gzip'd`);
});
