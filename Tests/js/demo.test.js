"use strict";
// The demo shop: every page embeds the snippet, every link resolves through the server's path
// mapping (README.md), and the shop's script fires the funnel's events with the right props.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { SNIPPET, STUB, FakeStorage } = require("./helpers.js");

const DEMO = path.join(path.dirname(SNIPPET), "demo");

function pages(dir = DEMO) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? pages(path.join(dir, e.name)) : e.name.endsWith(".html") ? [path.join(dir, e.name)] : []);
}

/** The demo path mapping the server implements (README.md), or null for a 404. */
function resolve(urlPath) {
  if (urlPath === "/") return path.join(DEMO, "index.html");
  const segs = urlPath.split("/").slice(1);
  if (segs.some(s => s === "" || s === "." || s === "..") || /[\\\0]/.test(urlPath)) return null;
  const f = path.join(DEMO, ...segs);
  if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  if (fs.existsSync(f + ".html")) return f + ".html";
  return null;
}

test("the demo has the pages the funnel and the README name", () => {
  for (const p of ["/", "/category/shoes", "/category/bags", "/cart", "/checkout", "/order/confirmed", "/spa", "/shop.js",
    ...[1, 2, 3, 4, 5, 6].map(n => "/product/" + n)]) {
    assert.ok(resolve(p), p);
  }
  assert.equal(resolve("/../c.js"), null);
  assert.equal(resolve("/product//1"), null);
  assert.equal(resolve("/nope"), null);
});

test("every page embeds the stub and the snippet for site demo", () => {
  const all = pages();
  assert.ok(all.length >= 13);
  for (const f of all) {
    const html = fs.readFileSync(f, "utf8");
    assert.ok(html.includes(`<script>${STUB}</script>`), f);
    assert.ok(html.includes('<script src="/c.js" data-site="demo" async></script>'), f);
    assert.ok(html.indexOf(STUB) < html.indexOf('src="/c.js"'), "stub first: " + f);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\/[^"]*"/, "no external assets: " + f);
  }
});

test("internal links use clean URLs that resolve", () => {
  for (const f of pages()) {
    const html = fs.readFileSync(f, "utf8");
    for (const [, url] of html.matchAll(/(?:href|src)="(\/[^"#]*)[^"]*"/g)) {
      const p = url.split("?")[0];
      assert.doesNotMatch(p, /\.html$/, `${path.relative(DEMO, f)} links ${url}`);
      assert.ok(p === "/c.js" || resolve(p), `${path.relative(DEMO, f)} links ${url}`);
    }
  }
});

test("each product page has an add-to-cart button describing its product", () => {
  for (let n = 1; n <= 6; n++) {
    const html = fs.readFileSync(path.join(DEMO, "product", n + ".html"), "utf8");
    const m = /<button[^>]*data-clicklog="add-to-cart"[^>]*>/.exec(html);
    assert.ok(m, "product " + n);
    assert.match(m[0], new RegExp(`data-product-id="${n}"`));
    assert.match(m[0], /data-price="\d+(\.\d+)?"/);
    assert.match(m[0], /onclick="shop\.add\(this\)"/);
  }
  const checkout = fs.readFileSync(path.join(DEMO, "checkout.html"), "utf8");
  assert.match(checkout, /onsubmit="shop\.placeOrder\(event\)"/);
  assert.match(checkout, /<button[^>]*type="submit"[^>]*data-clicklog="place-order"/);
});

/** shop.js run against fakes: the elements it looks up, a cart storage, clicklog and location. */
function loadShop(elements, storage = new FakeStorage(), href = "http://localhost:8080/") {
  const calls = [];
  const window = { clicklog: { track: (...a) => calls.push(a) } };
  const document = { querySelector: sel => elements[sel] || null };
  const location = { href, search: new URL(href).search };
  const src = fs.readFileSync(path.join(DEMO, "shop.js"), "utf8");
  new Function("window", "document", "localStorage", "location", src)(window, document, storage, location);
  return { shop: window.shop, calls, storage, location };
}

test("add to cart stores the line and tracks add_to_cart with product_id, price, quantity", () => {
  const badge = { textContent: "" }, added = { hidden: true };
  const { shop, calls, storage } = loadShop({ "#quantity": { value: "2" }, "#cart-count": badge, "#added": added });
  const button = { dataset: { productId: "3", price: "149", name: "Leather Boot" } };
  shop.add(button);
  shop.add(button);
  assert.deepEqual(calls, [
    ["add_to_cart", { product_id: "3", price: 149, quantity: 2 }],
    ["add_to_cart", { product_id: "3", price: 149, quantity: 2 }],
  ]);
  assert.deepEqual(JSON.parse(storage.getItem("demo-shop-cart")), [{ product_id: "3", name: "Leather Boot", price: 149, quantity: 4 }]);
  assert.equal(badge.textContent, "4");
  assert.equal(added.hidden, false);
});

test("placing the order tracks purchase with order_id, revenue, currency and goes to the confirmation", () => {
  const storage = new FakeStorage();
  storage.setItem("demo-shop-cart", JSON.stringify([
    { product_id: "1", name: "Trail Runner", price: 89, quantity: 1 },
    { product_id: "4", name: "Canvas Tote", price: 29.5, quantity: 2 },
  ]));
  const { shop, calls, location } = loadShop({ "#cart-count": { textContent: "" } }, storage, "http://localhost:8080/checkout");
  let prevented = false;
  shop.placeOrder({ preventDefault: () => { prevented = true; } });
  assert.ok(prevented);
  assert.equal(calls.length, 1);
  const [name, props] = calls[0];
  assert.equal(name, "purchase");
  assert.deepEqual(Object.keys(props), ["order_id", "revenue", "currency"]);
  assert.match(props.order_id, /^ORD-[0-9A-Z]+-[0-9A-Z]+$/);
  assert.equal(props.revenue, 148);
  assert.equal(props.currency, "EUR");
  assert.deepEqual(JSON.parse(storage.getItem("demo-shop-cart")), []);
  assert.equal(location.href, "/order/confirmed?order=" + encodeURIComponent(props.order_id));
});

test("an empty cart places no order", () => {
  const { shop, calls, location } = loadShop({}, new FakeStorage(), "http://localhost:8080/checkout");
  shop.placeOrder({ preventDefault() {} });
  assert.equal(calls.length, 0);
  assert.equal(location.href, "http://localhost:8080/checkout");
});
