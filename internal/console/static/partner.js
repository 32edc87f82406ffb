// partner.js: the partner dashboard (every source the account created,
// the state its customer sees, counts per minute) and the conformance
// report built from the same data.
"use strict";
(function (SY) {
  const { $, el } = SY;
  const SVG = "http://www.w3.org/2000/svg";
  let report = null;
  let timer = null;

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  }

  const SERIES = [
    { key: "accepted", label: "accepted", color: "#1f5fbf" },
    { key: "delivered", label: "delivered", color: "#1d7a3a" },
    { key: "dropped", label: "accepted and dropped", color: "#c98a00" },
    { key: "failedTotal", label: "failed", color: "#b3261e" },
  ];

  // chart draws the per-minute counts as lines over the last hour.
  function chart(name, perMinute, start) {
    const W = 600, H = 120, P = 22;
    const max = Math.max(1, ...perMinute.flatMap((m) => SERIES.map((s) => m[s.key] || 0)));
    const x = (i) => P + (i * (W - 2 * P)) / (perMinute.length - 1);
    const y = (v) => H - P - (v * (H - 2 * P)) / max;
    const title = `Events per minute for ${name}, the last ${perMinute.length} minutes`;
    const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title },
      svg("title", {}, title),
      svg("line", { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: "#aab2bd" }),
      svg("text", { x: 2, y: P, "font-size": 11, fill: "#5b6573" }, String(max)),
      svg("text", { x: 2, y: H - P, "font-size": 11, fill: "#5b6573" }, "0"),
      svg("text", { x: P, y: H - 4, "font-size": 11, fill: "#5b6573" }, SY.fmtTime(start).slice(11, 16)),
      svg("text", { x: W - P, y: H - 4, "font-size": 11, fill: "#5b6573", "text-anchor": "end" }, "now"));
    for (const s of SERIES) {
      const pts = perMinute.map((m, i) => `${x(i).toFixed(1)},${y(m[s.key] || 0).toFixed(1)}`).join(" ");
      g.append(svg("polyline", { points: pts, fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.key }));
    }
    return g;
  }

  function legend() {
    return el("div", { class: "legend" }, SERIES.map((s) => el("span", {}, el("span", { class: "sw s-" + s.key.replace("Total", "") }), s.label)));
  }

  function counts(c, withThrottled) {
    const failed = Object.entries(c.failed || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    const cell = (label, v, key) => el("div", { "data-count": key }, el("b", { text: String(v) }), label);
    return el("div", { class: "counts" },
      cell("accepted", c.accepted, "accepted"), cell("accepted and dropped", c.dropped, "dropped"),
      cell("failed" + (failed ? ` (${failed})` : ""), c.failedTotal, "failed"), cell("delivered", c.delivered, "delivered"),
      withThrottled ? cell("throttled requests", c.throttled, "throttled") : null);
  }

  function sourceCard(s) {
    return el("article", { class: "card", "data-source": s.name },
      el("h2", { class: "mono", text: s.name }),
      el("dl", { class: "kv" },
        el("dt", { text: "Customer account" }), el("dd", { class: "mono", text: s.account }),
        el("dt", { text: "State the customer sees" }), el("dd", {}, SY.badge(s.state)),
        el("dt", { text: "Created" }), el("dd", { text: SY.fmtTime(s.createdAt) }),
        s.expires ? [el("dt", { text: "Expires" }), el("dd", { text: SY.fmtTime(s.expires) })] : null,
        s.busCreatedAt ? [el("dt", { text: "Customer's bus created" }), el("dd", { text: SY.fmtTime(s.busCreatedAt) })] : null),
      counts(s.counts.total, false),
      chart(s.name, s.counts.perMinute, s.counts.start), legend(),
      el("div", { class: "row" }, el("button", { type: "button", class: "secondary", onclick: () => deleteSource(s.name) }, "Delete source")));
  }

  async function load() {
    report = await SY.consoleCall("partner", {});
    return report;
  }

  SY.views.partner = async function () {
    clearInterval(timer);
    const r = await load();
    $("partner-note").textContent = `Sources created by account ${r.account}. Counts are this server node's since it started` +
      " (per minute for the last hour); delivered counts only how many of the customer's target deliveries succeeded, nothing of the customer's rules or data.";
    $("partner-account").replaceChildren(el("div", { class: "card" }, el("h2", { text: "Account-wide" }),
      el("p", { class: "muted", text: "Throttled PutPartnerEvents requests, and failed entries that named none of this account's sources." }),
      counts(r.accountCounts.total, true)));
    $("partner-sources").replaceChildren(...(r.sources.length ? r.sources.map(sourceCard)
      : [el("p", { class: "muted", text: "This account has created no partner event source." })]));
    timer = setInterval(() => {
      if ($("view-partner").hidden) { clearInterval(timer); return; }
      SY.views.partner().catch((e) => SY.showError($("view-partner"), e));
    }, 2000);
  };

  async function createSource(ev) {
    ev.preventDefault();
    $("partner-error").textContent = "";
    try {
      await SY.api("CreatePartnerEventSource", { Name: $("cs-name").value.trim(), Account: $("cs-account").value.trim() });
      $("cs-name").value = "";
      await SY.views.partner();
    } catch (e) {
      $("partner-error").textContent = SY.errorText(e);
    }
  }

  async function deleteSource(name) {
    $("partner-error").textContent = "";
    const src = report && report.sources.find((s) => s.name === name);
    try {
      await SY.api("DeletePartnerEventSource", { Name: name, Account: src ? src.account : "" });
      await SY.views.partner();
    } catch (e) {
      $("partner-error").textContent = SY.errorText(e);
    }
  }

  // ---- conformance report ----
  function markdown(r) {
    const lines = [`# EventBridge partner integration: conformance report`, "",
      `Partner account ${r.account}, generated ${SY.fmtTime(r.now)} by switchyard (counts are one node's since it started).`, ""];
    for (const s of r.sources) {
      const t = s.counts.total;
      lines.push(`## ${s.name}`, "", `Customer account ${s.account}; state now ${s.state}.`, "",
        `Accepted ${t.accepted}, accepted and dropped ${t.dropped}, failed ${t.failedTotal}, delivered ${t.delivered}.`, "",
        "| step | time (UTC) |", "|---|---|", ...s.lifecycle.map((x) => `| ${x.step} | ${SY.fmtTime(x.at)} |`), "");
    }
    return lines.join("\n");
  }

  function download(id, type, text) {
    const a = $(id);
    if (a.dataset.url) URL.revokeObjectURL(a.dataset.url);
    a.dataset.url = URL.createObjectURL(new Blob([text], { type }));
    a.href = a.dataset.url;
    SY.exports[id] = text;
  }
  SY.exports = {};

  SY.views.conformance = async function () {
    const r = await load();
    $("conf-body").replaceChildren(
      el("p", { text: `Partner account ${r.account}. Generated ${SY.fmtTime(r.now)}. Times are UTC, as this server node saw them since it started.` }),
      ...r.sources.map((s) => el("section", { class: "card", "data-source": s.name },
        el("h2", { class: "mono", text: s.name }),
        el("p", {}, `Customer account ${s.account}; state now `, SY.badge(s.state)),
        counts(s.counts.total, false),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Lifecycle step" }), el("th", { scope: "col", text: "Time (UTC)" }))),
          el("tbody", {}, s.lifecycle.map((x) => el("tr", {}, el("td", { text: x.step }), el("td", { class: "mono", text: SY.fmtTime(x.at) }))))))));
    download("conf-json", "application/json", JSON.stringify(r, null, 2));
    download("conf-md", "text/markdown", markdown(r));
  };

  document.addEventListener("DOMContentLoaded", () => {
    $("create-source").addEventListener("submit", createSource);
    $("partner-refresh").addEventListener("click", () => SY.views.partner().catch((e) => SY.showError($("view-partner"), e)));
    $("conf-open").addEventListener("click", () => { location.hash = "#conformance"; });
    $("conf-print").addEventListener("click", () => window.print());
  });
})(window.SY);
