"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { clicklog, h, body } = require("./helpers.js");
const { selector, target, text, clip } = clicklog;

test("an element with a stable id is selected by its id alone", () => {
  const b = h("button", { id: "checkout", class: "btn primary" }, "Checkout");
  body(h("main", {}, h("div", {}, b)));
  assert.equal(selector(b), "#checkout");
});

test("the nearest ancestor id anchors the path", () => {
  const b = h("button", { class: "btn" }, "Go");
  body(h("section", { id: "hero" }, h("div", { class: "cta" }, b)));
  assert.equal(selector(b), "#hero > div.cta > button.btn");
});

test("data-clicklog anchors the selector with its value", () => {
  const b = h("button", { "data-clicklog": "add-to-cart", class: "btn" }, "Add");
  body(h("main", {}, h("div", { class: "card" }, b)));
  assert.equal(selector(b), 'button[data-clicklog="add-to-cart"]');
});

test("data-clicklog values with quotes are escaped", () => {
  const b = h("a", { href: "/", "data-clicklog": 'say "hi"\\' });
  body(b);
  assert.equal(selector(b), 'a[data-clicklog="say \\"hi\\"\\\\"]');
});

test("an id is preferred to data-clicklog on the same element", () => {
  const b = h("button", { id: "buy", "data-clicklog": "buy" });
  body(b);
  assert.equal(selector(b), "#buy");
});

test("repeated tags among siblings get :nth-of-type, unique ones do not", () => {
  const items = [1, 2, 3].map(i => h("li", {}, h("a", { href: "/product/" + i }, "P" + i)));
  body(h("nav", {}, h("h2", {}, "Menu"), h("ul", { class: "menu" }, ...items)));
  assert.equal(selector(items[1].children[0]), "nav > ul.menu > li:nth-of-type(2) > a");
  assert.equal(selector(items[0].children[0]), "nav > ul.menu > li:nth-of-type(1) > a");
});

test("nth-of-type counts only siblings with the same tag", () => {
  const target = h("button", {}, "B");
  body(h("div", {}, h("span", {}), h("button", {}), h("span", {}), target));
  assert.equal(selector(target), "div > button:nth-of-type(2)");
});

test("generated-looking ids and classes are left out", () => {
  const b = h("button", { id: "react-select-12345", class: "css-1x2y3z4 sc-abc btn-buy x123456 ok" }, "Buy");
  body(h("div", { id: "ember1234" }, b));
  assert.equal(selector(b), "div > button.btn-buy.ok");
});

test("at most two classes and five steps", () => {
  let leaf = h("a", { href: "#", class: "a b c d" }, "deep");
  let node = leaf;
  for (let i = 0; i < 8; i++) node = h("div", { class: "level" }, node);
  body(node);
  const s = selector(leaf);
  assert.equal(s, "div.level > div.level > div.level > div.level > a.a.b");
  assert.equal(s.split(" > ").length, 5);
});

test("selectors are bounded to 256 bytes, dropping ancestors first", () => {
  const long = "k" + "x".repeat(39); // stable: 40 chars
  const cls = `${long} ${long}`;
  let leaf = h("button", { class: cls }, "Go");
  let node = leaf;
  for (let i = 0; i < 6; i++) node = h("div", { class: cls }, node);
  body(node);
  const s = selector(leaf);
  assert.ok(Buffer.byteLength(s) <= 256, s.length);
  assert.ok(s.endsWith(`button.${long}.${long}`));
  assert.ok(!s.startsWith(" "));
});

test("an element directly in body is named by its tag", () => {
  const b = h("button", {}, "x");
  body(b);
  assert.equal(selector(b), "button");
});

test("click target is the nearest link, button or data-clicklog element", () => {
  const icon = h("svg", {});
  const link = h("a", { href: "/cart" }, icon, "Cart");
  const card = h("div", { "data-clicklog": "card" }, h("p", {}, "text"));
  const plain = h("p", {}, "nothing");
  const anchorNoHref = h("a", { name: "top" }, "top");
  const submit = h("input", { type: "submit", value: "Send" });
  const textInput = h("input", { type: "text", value: "secret" });
  const roleButton = h("div", { role: "button" }, "Menu");
  body(link, card, plain, anchorNoHref, submit, textInput, roleButton);
  assert.equal(target(icon), link);
  assert.equal(target(card.children[0]), card);
  assert.equal(target(plain), null);
  assert.equal(target(anchorNoHref), null);
  assert.equal(target(submit), submit);
  assert.equal(target(textInput), null);
  assert.equal(target(roleButton), roleButton);
});

test("text is trimmed visible text with whitespace collapsed", () => {
  const b = h("button", {}, "\n   Add  to\t", h("b", {}, " cart "), "\n");
  assert.equal(text(b), "Add to cart");
});

test("text falls back to aria-label, and inputs give their value label", () => {
  assert.equal(text(h("button", { "aria-label": "Close" })), "Close");
  assert.equal(text(h("input", { type: "submit", value: " Place order " })), "Place order");
});

test("text is truncated to 1 KiB of UTF-8 without splitting characters", () => {
  const b = h("a", { href: "#" }, "é".repeat(600)); // 1200 bytes
  const t = text(b);
  assert.equal(Buffer.byteLength(t), 1024);
  const emoji = h("a", { href: "#" }, "😀".repeat(300));
  const u = text(emoji);
  assert.ok(Buffer.byteLength(u) <= 1024);
  assert.ok(!/[\ud800-\udbff]$/.test(u), "no lone high surrogate at the end");
  assert.equal(u, "😀".repeat(u.length / 2));
});

test("clip keeps short strings and cuts long ones at the byte bound", () => {
  assert.equal(clip("abc", 3), "abc");
  assert.equal(clip("abcd", 3), "abc");
  assert.equal(clip(null, 5), "");
  assert.equal(clip(42, 5), "42");
  assert.equal(clip("aé", 2), "a"); // é is 2 bytes
});
