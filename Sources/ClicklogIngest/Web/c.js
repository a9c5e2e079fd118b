/*! Clicklog snippet, protocol v1: <script src="https://HOST/c.js" data-site="KEY" async></script>
 * Stub (one line, before it) queuing earlier calls, replayed with their time:
 * <script>!function(c){c=window.clicklog=window.clicklog||{q:[]};"track identify reset optOut optIn".split(" ").map(function(m){c[m]=c[m]||function(){c.q.push([m,arguments,Date.now()])}})}()</script>
 * Options and design: README.md beside this file. */
(() => {
  "use strict";
  const IDLE = 30 * 6e4, TICK = 1e3, BATCH = 50, MAX_N = 1e3, MAX_B = 5e5, BEACON = 6e4, KIB = 1024;
  const P = "clicklog:", bytes = s => new TextEncoder().encode(s).length, size = e => bytes(JSON.stringify(e));

  // ≤ max UTF-8 bytes, never splitting a surrogate pair
  const clip = (s, max) => {
    s = s == null ? "" : "" + s;
    for (let i = 0, b = 0, c; i < s.length; i++)
      if ((b += (c = s.charCodeAt(i)) < 128 ? 1 : c < 2048 ? 2 : 3) > max) return s.slice(0, i - ((c & 64512) == 56320));
    return s;
  };
  const uuid = cr => cr.randomUUID?.() || cr.getRandomValues(new Uint32Array(4)).join("-");

  const tag = n => (n.tagName || "").toLowerCase(), attr = (n, k) => n.getAttribute(k);
  const stable = n => /^[a-z][\w-]{0,39}$/i.test(n || "") && !/\d{3}|^(css|sc|jsx)-/.test(n);

  // ≤ 5 steps up to a stable #id or [data-clicklog]; tag.class.class:nth-of-type(k) otherwise
  const selector = n => {
    let parts = [], p, v, t, s;
    for (; n?.nodeType == 1 && parts.length < 5; n = n.parentElement) {
      if ((t = tag(n)) == "body" || t == "html") break;
      if (stable(v = n.id)) { parts.unshift("#" + v); break; }
      if (v = attr(n, "data-clicklog")) { parts.unshift(t + '[data-clicklog="' + v.replace(/["\\]/g, "\\$&") + '"]'); break; }
      p = t + (attr(n, "class") || "").split(/\s+/).filter(stable).slice(0, 2).map(c => "." + c).join("");
      s = [...n.parentElement?.children || []].filter(x => tag(x) == t);
      parts.unshift(s[1] ? p + `:nth-of-type(${s.indexOf(n) + 1})` : p);
    }
    while ((s = parts.join(" > ")).length > 256 && parts[1]) parts.shift();
    return clip(s || "body", 256);
  };

  const target = n => {
    for (let t; n?.nodeType == 1; n = n.parentElement)
      if (n.hasAttribute("data-clicklog") || (t = tag(n)) == "button" || t == "a" && n.hasAttribute("href") ||
        t == "input" && /^(button|submit|reset|image)$/i.test(attr(n, "type")) || attr(n, "role") == "button") return n;
    return null;
  };

  // never an input's typed value
  const text = n => clip(((tag(n) == "input" ? attr(n, "value") : n.innerText ?? n.textContent) || "")
    .replace(/\s+/g, " ").trim() || attr(n, "aria-label") || attr(n, "title"), KIB);

  // flattened to dotted keys, as the server does, to count the 64
  const props = (o, out = {}, pre = "", depth = 0) => {
    for (const k of Object.keys(o)) {
      const v = o[k], key = clip(pre + k, 128);
      if (v?.constructor == Object && depth < 8) props(v, out, key + ".", depth + 1);
      else if (Object.keys(out).length < 64) out[key] = typeof v == "string" ? clip(v, KIB) : v;
    }
    return out;
  };

  // full jitter under a cap doubling from 0.5 s to 30 s
  const backoff = (a, r) => Math.floor(r * Math.min(3e4, 500 * 2 ** Math.min(a, 16)));

  const session = (s, t, id) => !s || t - s.t > IDLE ? { id: id(), t } : { id: s.id, t: Math.max(s.t, t) };

  // unacked events: batches in `out` until acked, then `buf`; oldest dropped past the bounds
  const outbox = nextSeq => {
    const o = { out: [], buf: [], n: 0, b: 0, dropped: 0 }, gone = e => { o.n--; o.b -= size(e); };
    o.push = e => {
      let z;
      try { z = size(e); } catch {} // a BigInt or a cycle
      if (!(z <= MAX_B / 2)) return !++o.dropped;
      o.buf.push(e); o.n++; o.b += z;
      while (o.n > MAX_N || o.b > MAX_B) {
        const x = o.out[0];
        gone(x ? x.events.shift() : o.buf.shift()); o.dropped++;
        if (x && !x.events[0]) o.out.shift();
      }
      return o.buf.length >= BATCH;
    };
    o.flush = (fresh = []) => {
      while (o.buf[0]) fresh.push({ seq: nextSeq(), events: o.buf.splice(0, BATCH) });
      o.out.push(...fresh);
      return fresh;
    };
    o.ack = seq => {
      const i = o.out.findIndex(x => x.seq === seq);
      return i >= 0 && !o.out.splice(i, 1)[0].events.forEach(gone);
    };
    o.all = () => o.out.flatMap(x => x.events).concat(o.buf);
    return o;
  };

  // localStorage, or memory for what it refuses (cookieless mode passes no w)
  const store = w => {
    let ls, m = {};
    try { (ls = w.localStorage).length; } catch { ls = 0; }
    return {
      get: k => { try { return k in m ? m[k] : ls.getItem(P + k); } catch { return null; } },
      set: (k, v) => { try { ls.setItem(P + k, v); delete m[k]; } catch { m[k] = v; } },
      del: k => { delete m[k]; try { ls.removeItem(P + k); } catch {} },
      keys: () => Object.keys(ls).filter(k => k.startsWith(P + "q.")).map(k => k.slice(P.length))
    };
  };

  // a refused socket may fire `error` without `close`: whichever comes first retries
  const link = (w, url, open, receive) => {
    let ws, timer, tries = 0;
    const L = { off: 0, up: () => ws?.readyState == 1 };
    const retry = () => { if (!L.off) timer = w.setTimeout(() => { timer = 0; L.connect(); }, backoff(tries++, w.Math.random())); };
    L.connect = () => {
      if (ws || timer || L.off) return;
      let s;
      try { s = ws = new w.WebSocket(url, "clicklog.v1"); } catch { ws = 0; return retry(); }
      s.onopen = () => { if (s == ws) { tries = 0; open(); } };
      s.onmessage = m => s == ws && receive(m.data);
      s.onclose = s.onerror = () => {
        if (s != ws) return;
        ws = 0;
        try { s.close(); } catch {}
        retry();
      };
    };
    L.send = m => { try { ws.send(m); } catch {} };
    L.stop = () => {
      const s = ws;
      L.off = 1; ws = 0; w.clearTimeout(timer); timer = 0;
      try { s?.close(); } catch {}
    };
    return L;
  };

  const message = (seq, sent_at, events) => JSON.stringify({ seq, sent_at, events });

  const init = (w, c) => {
    const d = w.document, loc = w.location, nav = w.navigator, api = w.clicklog ||= {}, q = api.q || [];
    if (api.version) return;
    api.version = 1; api.q = [];
    if (c.dnt && nav.doNotTrack == "1") return "track identify reset optOut optIn".split(" ").map(m => api[m] = () => {});

    let T = 0, timer = 0, seq = 0, last = loc.href, old = [], t0 = w.Date.now();
    const ps = store(w), st = c.memory ? store() : ps, beaconed = new WeakSet();
    const id = () => uuid(w.crypto), qk = "q." + id(), now = () => w.Date.now(), out = () => ps.get("o") == "1";
    const nextSeq = () => (st.set("n", seq = Math.max(+st.get("n") || 0, seq) + 1), seq);
    const ob = outbox(nextSeq);
    const send = x => L.send(message(x.seq, now(), x.events));
    const L = link(w, c.ws, () => ob.out.map(send), m => { try { ob.ack(JSON.parse(m).ack) && save(); } catch {} });

    const emit = (event, p, x) => {
      if (out() || !(event = clip(event, 128))) return;
      let ts = T || now(), s, k;
      try { s = JSON.parse(st.get("s")); } catch {}
      st.set("s", JSON.stringify(s = session(s, ts, id)));
      st.get("a") || st.set("a", id());
      const e = { event, ts, id: id(), anonymous_id: st.get("a"), session_id: s.id, user_id: st.get("u"),
        url: loc.href, title: d.title, ...x, props: p && typeof p == "object" && props(p) };
      for (k in e) {
        if (/^(url|referrer|title)$/.test(k)) e[k] = clip(e[k], 8 * KIB);
        if (e[k] == null || e[k] === "" || e[k] !== e[k] || k == "props" && !Object.keys(e[k])[0]) delete e[k];
      }
      add(e);
    };
    const add = e => ob.push(e) ? flush() : timer ||= w.setTimeout(flush, TICK);
    const flush = quiet => {
      w.clearTimeout(timer); timer = 0;
      const fresh = ob.flush();
      L.up() ? fresh.map(send) : quiet || fresh[0] && L.connect();
      save();
    };
    const save = () => { const a = ob.all(); a[0] ? st.set(qk, JSON.stringify(a)) : st.del(qk); };
    // beaconed batches stay stored until acked; a reload resends them (the server dedups by id)
    const hide = () => {
      flush(1);
      ob.out.every(x => {
        const body = message(x.seq, now(), x.events);
        let ok = beaconed.has(x) || bytes(body) > BEACON;
        try { ok ||= nav.sendBeacon(c.post, body) && beaconed.add(x); } catch {}
        return ok;
      });
    };
    const page = (referrer, url) => emit("page_view", 0, { url, referrer });
    const moved = () => {
      const u = loc.href, r = last, t = now();
      if (u != r) w.setTimeout(() => { T = t; page(r, u); T = 0; });
      last = u;
    };

    api.track = (name, p) => emit(name, p);
    api.identify = (user, p) => {
      if (out() || !(user = clip(user, 256))) return;
      const changed = user != st.get("u");
      st.set("u", user);
      (changed || p) && emit("identify", p);
    };
    api.reset = () => ["u", "a", "s"].map(st.del);
    api.optOut = () => { ps.set("o", "1"); api.reset(); ob.out = []; ob.buf = []; ob.n = ob.b = 0; st.del(qk); L.stop(); };
    api.optIn = () => { ps.del("o"); L.off = 0; };

    // adopt what earlier pages of any tab left unacked
    for (const k of st.keys()) {
      try { old = old.concat(JSON.parse(st.get(k))); } catch {}
      st.del(k);
    }
    old.sort((a, b) => a.ts - b.ts).map(e => out() || add(e));
    for (const x of q) try {
      const [m, args, ts] = x;
      if ((T = ts || 0) && T < t0) t0 = T;
      api[m](...args);
    } catch {}
    T = t0; page(d.referrer, last); T = 0;
    out() || L.connect();

    for (const m of ["pushState", "replaceState"]) {
      const h = w.history, f = h[m];
      h[m] = function () { const r = f.apply(this, arguments); moved(); return r; };
    }
    const on = (o, ev, f) => o.addEventListener(ev, f, true);
    on(w, "popstate", moved);
    on(w, "hashchange", moved);
    on(w, "pagehide", hide);
    on(d, "visibilitychange", () => d.visibilityState == "hidden" && hide());
    on(d, "click", ev => {
      let n = ev.target;
      if (n = target(n?.nodeType == 3 ? n.parentNode : n))
        emit("click", 0, { selector: selector(n), text: text(n), x: Math.round(ev.pageX), y: Math.round(ev.pageY) });
    });
    return { ob, key: qk };
  };

  const main = w => {
    const s = w.document.currentScript, a = s.dataset, u = new w.URL(s.src), site = "?site=" + encodeURIComponent(a.site);
    const sec = u.protocol == "https:" ? "s" : "", base = "://" + (a.host || u.host) + "/v1/", cl = a.cookieless;
    a.site && init(w, {
      ws: "ws" + sec + base + "ws" + site,
      post: "http" + sec + base + "events" + site,
      memory: cl != null && cl != "false" || a.storage == "memory",
      dnt: a.respectDnt != "false"
    });
  };

  if (typeof document == "undefined" && typeof module == "object")
    module.exports = { clip, uuid, selector, target, text, props, backoff, session, outbox, message, init, main };
  else try { main(window); } catch {}
})();
