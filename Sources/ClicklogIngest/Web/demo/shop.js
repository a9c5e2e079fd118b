// Demo shop behaviour, shared by the static pages: a cart kept in localStorage, the add-to-cart
// button, the cart page and the checkout form. Analytics calls go through window.clicklog (the
// queue stub on every page makes them safe before /c.js has loaded).
//
// The natural click path produces the saved checkout funnel:
//   page_view /product/N → add_to_cart → page_view /checkout → purchase
(() => {
  "use strict";
  const KEY = "demo-shop-cart";
  const $ = (sel) => document.querySelector(sel);
  const money = (n) => "€" + n.toFixed(2);

  const read = () => {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch { return []; }
  };
  const write = (items) => {
    try { localStorage.setItem(KEY, JSON.stringify(items)); } catch { /* private mode: the cart is lost */ }
    badge();
  };
  const total = (items) => Math.round(items.reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
  const count = (items) => items.reduce((s, i) => s + i.quantity, 0);

  function badge() {
    const b = $("#cart-count");
    if (b) b.textContent = String(count(read()));
  }

  /** Product page: adds the product described by the button's data attributes. */
  function add(button) {
    const product_id = button.dataset.productId;
    const price = Number(button.dataset.price);
    const quantity = Number($("#quantity")?.value || 1);
    const items = read();
    const line = items.find((i) => i.product_id === product_id);
    if (line) line.quantity += quantity;
    else items.push({ product_id, name: button.dataset.name, price, quantity });
    write(items);
    window.clicklog.track("add_to_cart", { product_id, price, quantity });
    const note = $("#added");
    if (note) note.hidden = false;
  }

  /** Cart page: the lines, the total, and the checkout link only when there is something to buy. */
  function renderCart() {
    const items = read();
    const list = $("#cart-lines");
    list.replaceChildren(...items.map((i) => {
      const li = document.createElement("li");
      li.className = "line";
      const name = document.createElement("a");
      name.href = "/product/" + i.product_id;
      name.textContent = i.name;
      const qty = document.createElement("span");
      qty.className = "muted";
      qty.textContent = `× ${i.quantity}`;
      const price = document.createElement("strong");
      price.textContent = money(i.price * i.quantity);
      li.append(name, qty, price);
      return li;
    }));
    $("#cart-total").textContent = money(total(items));
    $("#cart-empty").hidden = items.length > 0;
    $("#cart-full").hidden = items.length === 0;
  }

  /** Checkout page: shows the order summary. */
  function renderCheckout() {
    const items = read();
    $("#checkout-total").textContent = money(total(items));
    $("#checkout-count").textContent = String(count(items));
    $("#place-order").disabled = items.length === 0;
  }

  /** Checkout form submit: records the purchase, empties the cart, shows the confirmation. */
  function placeOrder(event) {
    event.preventDefault();
    const items = read();
    if (!items.length) return;
    const order_id = "ORD-" + Date.now().toString(36).toUpperCase() + "-" + Math.floor(Math.random() * 1296).toString(36).toUpperCase();
    window.clicklog.track("purchase", { order_id, revenue: total(items), currency: "EUR" });
    write([]);
    location.href = "/order/confirmed?order=" + encodeURIComponent(order_id);
  }

  /** Confirmation page: the order id from the query string. */
  function renderConfirmation() {
    const id = new URLSearchParams(location.search).get("order");
    $("#order-id").textContent = id || "(none)";
  }

  window.shop = { add, renderCart, renderCheckout, placeOrder, renderConfirmation };
  badge();
})();
