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

  // The ingest outcomes are stacked bars per minute; deliveries are a line.
  const SERIES = [
    { key: "accepted", label: "accepted", color: "#1f5fbf" },
    { key: "dropped", label: "accepted and dropped", color: "#c98a00" },
    { key: "failedTotal", label: "failed", color: "#b3261e" },
    { key: "delivered", label: "delivered (line)", color: "#1d7a3a" },
  ];

  // chart draws the per-minute counts of the last hour.
  function chart(name, perMinute, start) {
    const W = 600, H = 130, L = 28, R = 8, T = 10, B = 22;
    const stack = (m) => (m.accepted || 0) + (m.dropped || 0) + (m.failedTotal || 0);
    const max = Math.max(1, ...perMinute.map((m) => Math.max(stack(m), m.delivered || 0)));
    const slot = (W - L - R) / perMinute.length;
    const y = (v) => H - B - (v * (H - T - B)) / max;
    const title = `Events per minute for ${name}, the last ${perMinute.length} minutes`;
    const muted = { "font-size": 11, fill: "#5b6573" };
    const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title },
      svg("title", {}, title),
      svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#aab2bd" }),
      svg("line", { x1: L, y1: T, x2: W - R, y2: T, stroke: "#e3e6ea" }),
      svg("text", Object.assign({ x: L - 4, y: T + 4, "text-anchor": "end" }, muted), String(max)),
      svg("text", Object.assign({ x: L - 4, y: H - B + 4, "text-anchor": "end" }, muted), "0"),
      svg("text", Object.assign({ x: L, y: H - 6 }, muted), SY.fmtTime(start).slice(11, 16)),
      svg("text", Object.assign({ x: W - R, y: H - 6, "text-anchor": "end" }, muted), "now"));
    perMinute.forEach((m, i) => {
      let base = 0;
      for (const s of SERIES.slice(0, 3)) {
        const v = m[s.key] || 0;
        if (!v) continue;
        g.append(svg("rect", { x: (L + i * slot + 1).toFixed(1), y: y(base + v).toFixed(1), width: Math.max(1, slot - 2).toFixed(1),
          height: (y(base) - y(base + v)).toFixed(1), fill: s.color, "data-series": s.key }));
        base += v;
      }
    });
    const pts = perMinute.map((m, i) => [L + (i + 0.5) * slot, y(m.delivered || 0)]);
    g.append(svg("polyline", { points: pts.map((p) => p.map((n) => n.toFixed(1)).join(",")).join(" "), fill: "none",
      stroke: SERIES[3].color, "stroke-width": 2, "data-series": "delivered" }));
    perMinute.forEach((m, i) => {
      if (m.delivered) g.append(svg("circle", { cx: pts[i][0].toFixed(1), cy: pts[i][1].toFixed(1), r: 3, fill: SERIES[3].color }));
    });
    return g;
  }

  function legend() {
    return el("div", { class: "legend" }, SERIES.map((s) => el("span", {}, el("span", { class: "sw s-" + s.key.replace("Total", "") }), s.label)));
  }

  // counts shows a source's totals, or (account) the account-wide ones:
  // failed entries that named no source of the account, and throttling.
  function counts(c, account) {
    const failed = Object.entries(c.failed || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    const cell = (label, v, key) => el("div", { "data-count": key }, el("b", { text: String(v) }), label);
    const failedCell = cell("failed" + (failed ? ` (${failed})` : ""), c.failedTotal, "failed");
    if (account) return el("div", { class: "counts" }, failedCell, cell("throttled requests", c.throttled, "throttled"));
    return el("div", { class: "counts" },
      cell("accepted", c.accepted, "accepted"), cell("accepted and dropped", c.dropped, "dropped"),
      failedCell, cell("delivered", c.delivered, "delivered"));
  }

  function sourceCard(s) {
    return el("article", { class: "card source", "data-source": s.name },
      el("h2", { class: "mono", text: s.name }),
      el("div", { class: "source-body" }, el("div", {}, el("dl", { class: "kv" },
        el("dt", { text: "Customer account" }), el("dd", { class: "mono", text: s.account }),
        el("dt", { text: "State the customer sees" }), el("dd", {}, SY.badge(s.state)),
        el("dt", { text: "Created" }), el("dd", { text: SY.fmtTime(s.createdAt) }),
        s.expires ? [el("dt", { text: "Expires" }), el("dd", { text: SY.fmtTime(s.expires) })] : null,
        s.busCreatedAt ? [el("dt", { text: "Customer's bus created" }), el("dd", { text: SY.fmtTime(s.busCreatedAt) })] : null),
      counts(s.counts.total, false),
      s.state === "DELETED" ? null : el("button", { type: "button", class: "secondary", onclick: () => deleteSource(s.name) }, "Delete source")),
      el("div", {}, chart(s.name, s.counts.perMinute, s.counts.start), legend())));
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
    $("partner-sources").replaceChildren(...(r.sources.length ? r.sources.map(sourceCard)
      : [el("p", { class: "muted", text: "This account has created no partner event source." })]));
    $("partner-account").replaceChildren(el("div", { class: "card" }, el("h2", { text: "Account-wide" }),
      el("p", { class: "muted", text: "Throttled PutPartnerEvents requests, and failed entries that named none of this account's sources." }),
      counts(r.accountCounts.total, true)));
    timer = setInterval(() => {
      if ($("view-partner").hidden) { clearInterval(timer); return; }
      // Redrawing would take the keyboard focus away from a source's button.
      const active = document.activeElement;
      if (active && ($("partner-sources").contains(active) || $("partner-account").contains(active))) return;
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
    if (!window.confirm(`Delete the partner event source ${name}? Its customer will see it DELETED.`)) return;
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
