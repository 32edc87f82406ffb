// app.js: the console's core: credentials, signed calls to the
// EventBridge API and to the console's endpoints, the view router, and the
// live event stream. Views live in views.js and partner.js.
"use strict";
(function (SY) {
  const $ = (id) => document.getElementById(id);
  SY.$ = $;

  // el builds an element; attributes starting "on" are listeners, text is
  // always set as text (never parsed as HTML).
  SY.el = function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  };
  const el = SY.el;

  SY.fmtTime = (t) => {
    if (!t) return "";
    const d = typeof t === "number" ? new Date(t * 1000) : new Date(t);
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  };
  SY.badge = (state) => el("span", { class: "badge " + state, text: state });

  const STORE = "switchyard-console-credentials";
  SY.state = { creds: null, region: "us-east-1", recent: [] };

  // An APIError is an EventBridge error: its exception name and message.
  class APIError extends Error {
    constructor(type, message, status) {
      super(message || type);
      this.type = type;
      this.status = status;
    }
  }
  SY.APIError = APIError;
  SY.errorText = (e) => (e instanceof APIError ? `${e.type}: ${e.message}` : String(e && e.message || e));

  // signedPost POSTs body to path signed as the SDKs sign API calls.
  async function signedPost(path, body, headers, signal) {
    const c = SY.state.creds;
    if (!c) throw new APIError("NotSignedIn", "Sign in first.");
    const signed = await SY.crypto.sign({
      accessKeyId: c.accessKeyId, secret: c.secret, region: SY.state.region, host: location.host, path, body, headers,
    });
    delete signed.host;
    return fetch(path, { method: "POST", headers: signed, body, signal, credentials: "omit", cache: "no-store" });
  }

  async function readResult(res) {
    const text = await res.text();
    let data = {};
    if (text) {
      try { data = JSON.parse(text); } catch (e) { throw new APIError("BadResponse", text.slice(0, 200), res.status); }
    }
    if (!res.ok) throw new APIError(data.__type || "HTTP" + res.status, data.message || data.Message || "", res.status);
    return data;
  }

  // SY.api calls an EventBridge operation, as the SDKs do.
  SY.api = async function (op, input) {
    const body = JSON.stringify(input || {});
    const res = await signedPost("/", body, { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents." + op });
    return readResult(res);
  };

  // SY.consoleCall calls one of the console's own read-only endpoints.
  SY.consoleCall = async function (endpoint, input, signal) {
    const res = await signedPost("/console/api/" + endpoint, JSON.stringify(input || {}), { "content-type": "application/json" }, signal);
    return endpoint === "tail" && res.ok ? res : readResult(res);
  };

  // paginate collects every page of a List operation.
  SY.all = async function (op, input, key) {
    let out = [], token;
    do {
      const page = await SY.api(op, Object.assign({}, input, token ? { NextToken: token } : {}));
      out = out.concat(page[key] || []);
      token = page.NextToken;
    } while (token);
    return out;
  };

  // ---- sign-in ----
  function loadCreds() {
    try {
      const c = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (c && c.accessKeyId && c.secret) SY.state.creds = c;
    } catch (e) { sessionStorage.removeItem(STORE); }
  }

  async function signIn(ev) {
    ev.preventDefault();
    const creds = { accessKeyId: $("akid").value.trim(), secret: $("secret").value };
    SY.state.creds = creds;
    $("signin-error").textContent = "";
    try {
      const cfg = await SY.consoleCall("config", {});
      creds.account = cfg.account;
    } catch (e) {
      SY.state.creds = null;
      $("signin-error").textContent = SY.errorText(e);
      return;
    }
    if ($("remember").checked) sessionStorage.setItem(STORE, JSON.stringify(creds));
    $("secret").value = "";
    signedIn();
  }

  function signedIn() {
    $("signin").hidden = true;
    $("nav").hidden = false;
    $("who").hidden = false;
    $("who-account").textContent = "Account " + (SY.state.creds.account || SY.state.creds.accessKeyId);
    if (!location.hash || location.hash === "#") location.hash = "#sources";
    else route();
  }

  function signOut() {
    SY.stopTail();
    SY.state.creds = null;
    SY.state.recent = [];
    sessionStorage.removeItem(STORE);
    // Nothing of this account stays on the page for the next one.
    for (const id of ["sources-list", "bus-list", "bus-detail", "live-events", "dl-list", "partner-sources", "partner-account", "conf-body"]) {
      $(id).replaceChildren();
    }
    for (const id of ["live-status", "live-count", "dl-status", "partner-error", "partner-note"]) $(id).textContent = "";
    $("live-pause").disabled = true;
    $("nav").hidden = true;
    $("who").hidden = true;
    for (const v of document.querySelectorAll(".view")) v.hidden = true;
    $("signin").hidden = false;
    $("akid").focus();
  }

  // ---- views ----
  SY.views = {};
  function route() {
    if (!SY.state.creds) return;
    const name = (location.hash || "#sources").slice(1) || "sources";
    const view = SY.views[name] ? name : "sources";
    for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== "view-" + view;
    for (const a of document.querySelectorAll("#nav a")) {
      if (a.getAttribute("href") === "#" + view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    Promise.resolve(SY.views[view]()).catch((e) => SY.showError($("view-" + view), e));
  }
  SY.route = route;

  // showError puts an error at the top of a container (role=alert).
  SY.showError = function (container, e) {
    let box = container.querySelector(":scope > .error.view-error");
    if (!box) {
      box = el("p", { class: "error view-error", role: "alert" });
      container.prepend(box);
    }
    box.textContent = e ? SY.errorText(e) : "";
  };

  // ---- live events ----
  const live = { ctrl: null, paused: false, held: [], bus: "" };
  const MAX_EVENTS = 200;

  SY.stopTail = function () {
    if (live.ctrl) live.ctrl.abort();
    live.ctrl = null;
  };

  SY.views.live = async function () {
    const sel = $("live-bus");
    const buses = await SY.all("ListEventBuses", {}, "EventBuses");
    const current = sel.value || live.bus;
    sel.replaceChildren(...buses.map((b) => el("option", { value: b.Name, text: b.Name })));
    if (current && buses.some((b) => b.Name === current)) sel.value = current;
  };

  function matchesFilter(text) {
    const f = $("live-filter").value.trim().toLowerCase();
    return !f || text.toLowerCase().includes(f);
  }

  function showEvent(ev) {
    const text = JSON.stringify(ev, null, 2);
    const item = el("li", { "data-id": ev.id },
      el("div", { class: "meta" }, el("span", { text: SY.fmtTime(ev.time) }), el("span", { class: "mono", text: ev["detail-type"] }),
        el("span", { class: "mono", text: ev.id })),
      el("pre", { text }));
    item.hidden = !matchesFilter(text);
    const list = $("live-events");
    list.prepend(item);
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
    countShown();
  }

  // countShown says how many of the events kept the filter shows.
  function countShown() {
    const all = $("live-events").children;
    const shown = Array.from(all).filter((li) => !li.hidden).length;
    $("live-count").textContent = all.length ? `${shown} of ${all.length} event(s) shown (the newest ${MAX_EVENTS} are kept).` : "";
  }

  function onEvent(ev) {
    SY.state.recent.unshift({ bus: live.bus, event: ev });
    SY.state.recent.length = Math.min(SY.state.recent.length, 50);
    if (live.paused) {
      live.held.push(ev);
      $("live-status").textContent = `Paused: ${live.held.length} new event(s) held.`;
      return;
    }
    showEvent(ev);
  }

  async function follow(ev) {
    ev.preventDefault();
    SY.stopTail();
    live.bus = $("live-bus").value;
    if (!live.bus) return;
    const ctrl = new AbortController();
    live.ctrl = ctrl;
    live.paused = false;
    $("live-pause").disabled = false;
    $("live-pause").textContent = "Pause";
    $("live-status").textContent = `Connecting to ${live.bus}...`;
    try {
      const res = await SY.consoleCall("tail", { EventBusName: live.bus, SinceSeconds: 300 }, ctrl.signal);
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line);
          if (msg.ready) $("live-status").textContent = `Following ${live.bus}: events appear as they are put.`;
          else if (msg.dropped) $("live-status").textContent = `Following ${live.bus}; ${msg.dropped} event(s) dropped: the page fell behind.`;
          else if (msg.event) onEvent(msg.event);
        }
      }
      if (live.ctrl === ctrl) $("live-status").textContent = "The stream ended.";
    } catch (e) {
      if (e.name === "AbortError") return;
      $("live-status").textContent = "Stream failed: " + SY.errorText(e);
    } finally {
      if (live.ctrl === ctrl) { live.ctrl = null; $("live-pause").disabled = true; }
    }
  }

  function togglePause() {
    live.paused = !live.paused;
    $("live-pause").textContent = live.paused ? "Resume" : "Pause";
    if (live.paused) {
      $("live-status").textContent = "Paused: new events are held.";
      return;
    }
    for (const ev of live.held) showEvent(ev);
    live.held = [];
    $("live-status").textContent = `Following ${live.bus}.`;
  }

  function refilter() {
    for (const li of $("live-events").children) li.hidden = !matchesFilter(li.querySelector("pre").textContent);
    countShown();
  }

  async function start() {
    try {
      const cfg = await (await fetch("config.json", { cache: "no-store" })).json();
      SY.state.region = cfg.region || SY.state.region;
    } catch (e) { /* keep the default region */ }
    $("signin-form").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("live-form").addEventListener("submit", follow);
    $("live-pause").addEventListener("click", togglePause);
    $("live-clear").addEventListener("click", () => { $("live-events").replaceChildren(); countShown(); });
    $("live-filter").addEventListener("input", refilter);
    window.addEventListener("hashchange", route);
    loadCreds();
    if (SY.state.creds) signedIn();
    document.body.dataset.ready = "true";
  }
  document.addEventListener("DOMContentLoaded", start);
})(window.SY = window.SY || {});
