// views.js: the customer's views: event sources, buses with their rules
// and the rule editor with its pattern playground, and dead letters.
"use strict";
(function (SY) {
  const { $, el } = SY;

  // ---- event sources ----
  SY.views.sources = async function () {
    const box = $("sources-list");
    const [sources, buses] = await Promise.all([
      SY.all("ListEventSources", {}, "EventSources"),
      SY.all("ListEventBuses", {}, "EventBuses"),
    ]);
    SY.showError($("view-sources"), null);
    if (!sources.length) {
      box.replaceChildren(el("p", { class: "muted", text: "No partner has offered an event source to this account yet." }));
      return;
    }
    const busNames = new Set(buses.map((b) => b.Name));
    const rows = sources.map((s) => {
      const hasBus = busNames.has(s.Name);
      let action = el("span", { class: "muted", text: hasBus ? "bus exists" : "" });
      if (s.State === "PENDING" && !hasBus) {
        action = el("button", { type: "button", onclick: (e) => act(e.target, "CreateEventBus", { Name: s.Name, EventSourceName: s.Name }), text: "Create partner event bus" });
      } else if (s.State === "PENDING" && hasBus) {
        action = el("button", { type: "button", onclick: (e) => act(e.target, "ActivateEventSource", { Name: s.Name }), text: "Activate" });
      }
      return el("tr", { "data-source": s.Name },
        el("td", { class: "mono", "data-label": "Name", text: s.Name }), el("td", { "data-label": "Created by", text: s.CreatedBy || "" }),
        el("td", { "data-label": "State" }, SY.badge(s.State)), el("td", { "data-label": "Created", text: SY.fmtTime(s.CreationTime) }),
        el("td", { "data-label": "Expires", text: SY.fmtTime(s.ExpirationTime) }), el("td", {}, action));
    });
    box.replaceChildren(el("div", { class: "scroll" }, el("table", { class: "stack" },
      el("thead", {}, el("tr", {}, ["Name", "Created by", "State", "Created", "Expires", ""].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows))));
  };

  // act runs one operation from a button, then redraws the view.
  async function act(button, op, input) {
    button.disabled = true;
    try {
      await SY.api(op, input);
      SY.showError($("view-sources"), null);
    } catch (e) {
      SY.showError($("view-sources"), e);
    }
    await SY.views.sources().catch((e) => SY.showError($("view-sources"), e));
  }

  // ---- buses ----
  let selectedBus = "";

  SY.views.buses = async function () {
    const buses = await SY.all("ListEventBuses", {}, "EventBuses");
    if (!buses.some((b) => b.Name === selectedBus)) selectedBus = (buses.find((b) => b.Name !== "default") || buses[0] || {}).Name || "";
    $("bus-list").replaceChildren(...buses.map((b) => el("button", {
      type: "button", "aria-pressed": String(b.Name === selectedBus), "data-bus": b.Name,
      onclick: () => { selectedBus = b.Name; SY.views.buses(); },
    }, b.Name)));
    if (selectedBus) await showBus(selectedBus);
  };

  async function showBus(name) {
    const detail = $("bus-detail");
    const [bus, rules, archives] = await Promise.all([
      SY.api("DescribeEventBus", { Name: name }),
      SY.all("ListRules", { EventBusName: name }, "Rules"),
      SY.all("ListArchives", {}, "Archives").catch(() => []),
    ]);
    const targets = await Promise.all(rules.map((r) => SY.all("ListTargetsByRule", { Rule: r.Name, EventBusName: name }, "Targets")));
    const mine = archives.filter((a) => a.EventSourceArn === bus.Arn);
    detail.replaceChildren(
      el("div", { class: "card" },
        el("h2", { text: name }),
        el("dl", { class: "kv" }, el("dt", { text: "ARN" }), el("dd", { class: "mono", text: bus.Arn }),
          el("dt", { text: "Created" }), el("dd", { text: SY.fmtTime(bus.CreationTime) }),
          el("dt", { text: "Archives" }), el("dd", { text: mine.length ? mine.map((a) => `${a.ArchiveName} (${a.State}, ${a.EventCount || 0} events)`).join(", ") : "none" })),
        el("h3", { text: "Resource policy" }),
        bus.Policy ? el("pre", { text: JSON.stringify(JSON.parse(bus.Policy), null, 2) }) : el("p", { class: "muted", text: "none" })),
      el("div", { class: "card" },
        el("div", { class: "row" }, el("h2", { text: `Rules (${rules.length})` }),
          el("button", { type: "button", id: "new-rule", onclick: () => ruleEditor(name, null, bus.Arn) }, "New rule")),
        rules.length ? el("div", { class: "scroll" }, el("table", { class: "stack" },
          el("thead", {}, el("tr", {}, ["Rule", "State", "Pattern", "Targets", ""].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, rules.map((r, i) => el("tr", { "data-rule": r.Name },
            el("td", { class: "mono", "data-label": "Rule", text: r.Name }), el("td", { "data-label": "State" }, SY.badge(r.State)),
            el("td", { "data-label": "Pattern" }, el("code", { text: r.EventPattern || r.ScheduleExpression || "" })),
            el("td", { "data-label": "Targets" }, el("div", {}, targets[i].map((t) => el("div", { class: "mono", text: `${t.Id}: ${t.Arn}` })))),
            el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => ruleEditor(name, r, bus.Arn, targets[i]) }, "Edit")))))))
          : el("p", { class: "muted", text: "No rules on this bus." })),
      el("div", { id: "rule-editor" }));
  }

  // sampleEvent is an event for the playground: the newest seen on this
  // bus by the live stream, else a made-up one from the bus's source.
  function sampleEvent(bus) {
    const seen = SY.state.recent.find((r) => r.bus === bus);
    if (seen) return seen.event;
    return {
      version: "0", id: "11111111-2222-4333-8444-555555555555", "detail-type": "Order Created",
      source: bus.startsWith("aws.partner/") ? bus : "com.example.orders", account: SY.state.creds.account || "123456789012",
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), region: SY.state.region, resources: [], detail: { orderId: "o-1", total: 42 },
    };
  }

  function ruleEditor(bus, rule, busArn, targets) {
    const box = $("rule-editor");
    const account = SY.state.creds.account || "123456789012";
    const target = (targets && targets[0]) || {};
    const defaultPattern = JSON.stringify({ source: [bus.startsWith("aws.partner/") ? bus : { prefix: "" }] });
    const f = {
      name: el("input", { id: "rule-name", required: true, spellcheck: "false", value: rule ? rule.Name : "" }),
      pattern: el("textarea", { id: "rule-pattern", spellcheck: "false" }),
      sample: el("textarea", { id: "rule-sample", spellcheck: "false" }),
      targetId: el("input", { id: "rule-target-id", spellcheck: "false", value: target.Id || "target-1" }),
      targetArn: el("input", { id: "rule-target-arn", spellcheck: "false", value: target.Arn || "", placeholder: `arn:aws:events:${SY.state.region}:${account}:event-bus/default` }),
      result: el("p", { id: "rule-test-result", class: "result", role: "status" }),
      error: el("p", { id: "rule-error", class: "error", role: "alert" }),
    };
    f.pattern.value = rule && rule.EventPattern ? JSON.stringify(JSON.parse(rule.EventPattern), null, 2) : defaultPattern;
    f.sample.value = JSON.stringify(sampleEvent(bus), null, 2);
    if (rule) f.name.readOnly = true;
    const test = async () => {
      f.result.textContent = "";
      f.error.textContent = "";
      try {
        const out = await SY.api("TestEventPattern", { EventPattern: f.pattern.value, Event: f.sample.value });
        f.result.textContent = out.Result ? "The pattern matches the sample event." : "The pattern does not match the sample event.";
        f.result.className = "result " + (out.Result ? "ok" : "muted");
      } catch (e) {
        f.error.textContent = SY.errorText(e);
      }
    };
    const save = async (ev) => {
      ev.preventDefault();
      f.error.textContent = "";
      try {
        const keep = rule ? { State: rule.State, Description: rule.Description } : { State: "ENABLED" };
        await SY.api("PutRule", Object.assign({ Name: f.name.value.trim(), EventBusName: bus, EventPattern: f.pattern.value }, keep));
        if (f.targetArn.value.trim()) {
          const out = await SY.api("PutTargets", { Rule: f.name.value.trim(), EventBusName: bus, Targets: [{ Id: f.targetId.value.trim(), Arn: f.targetArn.value.trim() }] });
          if (out.FailedEntryCount) throw new SY.APIError(out.FailedEntries[0].ErrorCode, out.FailedEntries[0].ErrorMessage);
        }
        await showBus(bus);
        const row = document.querySelector(`tr[data-rule="${CSS.escape(f.name.value.trim())}"] button`);
        if (row) row.focus();
      } catch (e) {
        f.error.textContent = SY.errorText(e);
      }
    };
    const useRecent = () => {
      const seen = SY.state.recent.find((r) => r.bus === bus) || SY.state.recent[0];
      if (seen) f.sample.value = JSON.stringify(seen.event, null, 2);
      else f.result.textContent = "No event seen yet: follow the bus in Live events first.";
    };
    box.replaceChildren(el("form", { class: "card", id: "rule-form", onsubmit: save },
      el("h2", { text: rule ? `Edit rule ${rule.Name}` : `New rule on ${bus}` }),
      el("label", {}, "Name", f.name),
      el("div", { class: "editor-grid" }, el("label", {}, "Event pattern", f.pattern),
        el("label", {}, "Sample event (the newest seen on the live stream, or a made-up one)", f.sample)),
      el("div", { class: "row" },
        el("button", { type: "button", id: "rule-test", class: "secondary", onclick: test }, "Test pattern"),
        el("button", { type: "button", id: "rule-use-recent", class: "secondary", onclick: useRecent }, "Use last seen event")),
      f.result,
      el("div", { class: "row" }, el("label", {}, "Target id", f.targetId), el("label", {}, "Target ARN", f.targetArn)),
      f.error,
      el("div", { class: "row" }, el("button", { type: "submit", id: "rule-save" }, "Save rule"),
        el("button", { type: "button", class: "secondary", onclick: () => box.replaceChildren() }, "Cancel"))));
    f.name.focus();
  }

  // ---- dead letters ----
  SY.views.deadletters = async function () {
    const out = await SY.consoleCall("deadletters", { Limit: 100 });
    const list = out.deadLetters || [];
    $("dl-status").textContent = list.length ? `${list.length} dead letter(s), oldest first.` : "No dead letters.";
    $("dl-list").replaceChildren(...list.map((d) => el("div", { class: "card", "data-seq": d.seq },
      el("h2", { text: `Dead letter ${d.seq}, stored ${SY.fmtTime(d.stored)}` }),
      el("h3", { text: "Attributes (as AWS sets them on the dead-letter message)" }), kv(d.attributes),
      el("h3", { text: "switchyard" }), kv(d.switchyard),
      el("details", {}, el("summary", { text: "Event" }), el("pre", { text: typeof d.event === "string" ? d.event : JSON.stringify(d.event, null, 2) })),
      el("button", { type: "button", onclick: (e) => redrive(e.target, d.seq) }, "Redrive"))));
  };

  function kv(obj) {
    return el("dl", { class: "kv" }, Object.entries(obj || {}).sort().flatMap(([k, v]) =>
      [el("dt", { class: "mono", text: k }), el("dd", { class: "mono", text: v })]));
  }

  async function redrive(button, seq) {
    button.disabled = true;
    try {
      await SY.consoleCall("redrive", { Seq: seq });
      $("dl-status").textContent = `Dead letter ${seq} queued again for delivery.`;
      await SY.views.deadletters();
    } catch (e) {
      button.disabled = false;
      $("dl-status").textContent = SY.errorText(e);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("dl-refresh").addEventListener("click", () => SY.views.deadletters().catch((e) => SY.showError($("view-deadletters"), e)));
  });
})(window.SY);
