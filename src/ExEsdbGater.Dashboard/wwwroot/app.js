// ExEsdbGater dashboard. Every value from the network is set with textContent (never innerHTML): payloads are text.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const last = {}; // the JSON each section was last drawn from: unchanged sections are left alone
  let antiforgery = null;
  let snapshot = null;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + " s ago" : Math.round(s / 60) + " min ago";
  }

  function clock(t) { return new Date(t).toLocaleTimeString(); }

  function num(v) { return v === null || v === undefined ? "–" : String(v); }

  function spark(values) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", "0 0 90 20");
    if (!values || values.length < 2) return svg;
    const min = Math.min(...values), max = Math.max(...values), span = max - min || 1;
    const pts = values.map((v, i) => (i * 90 / (values.length - 1)).toFixed(1) + "," + (19 - (v - min) * 18 / span).toFixed(1));
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", pts.join(" "));
    const title = document.createElementNS(ns, "title");
    title.textContent = "latest " + values[values.length - 1] + " (min " + min + ", max " + max + ")";
    svg.append(title, line);
    return svg;
  }

  function changed(key, value) {
    const json = JSON.stringify(value);
    if (last[key] === json) return false;
    last[key] = json;
    return true;
  }

  function drawNodes(s) {
    const rows = s.nodes.map((n) => {
      const tr = el("tr", n.stale ? "stale" : "");
      tr.dataset.node = n.name;
      const series = n.series || {};
      tr.append(el("td", "name", n.name), el("td", "health " + n.status, n.stale ? n.status + " (stale)" : n.status),
        el("td", "", num(n.load)), el("td", "", num(n.memory)), el("td", "", num(n.disk)),
        el("td", "", n.lifecycle || "–"), el("td", "last", ago(s.now - n.lastHeard)));
      for (const m of ["load", "cpu", "throughput", "latency"]) {
        const td = el("td");
        td.append(spark(series[m]));
        tr.append(td);
      }
      return tr;
    });
    $("nodes").replaceChildren(...rows);
  }

  function drawAlerts(alerts) {
    $("alerts").replaceChildren(...alerts.map((a) => {
      const li = el("li", a.ackBy ? "alert acked" : "alert");
      li.dataset.alertId = a.id;
      li.append(el("span", "tag " + a.severity, a.severity), el("span", "title", a.title), el("span", "dim", " — " + a.description + " (" + a.node + ", " + clock(a.time) + ") "));
      if (a.escalation) li.append(el("span", "tag warning", "escalated " + a.escalation));
      if (a.ackBy) {
        li.append(el("span", "ack-state healthy", "acknowledged by " + a.ackBy));
      } else {
        const b = el("button", "ack", "acknowledge");
        b.type = "button";
        b.addEventListener("click", () => acknowledge(a.id, b));
        li.append(b);
      }
      return li;
    }));
  }

  function drawRejections(r, total) {
    const reasons = Object.entries(r.byReason).map(([reason, count]) => {
      const span = el("span", "reason");
      span.dataset.reason = reason;
      span.append(el("b", "unhealthy", reason + " " + count), spark((r.series || {})[reason]));
      return span;
    });
    if (reasons.length === 0) reasons.push(el("span", "dim", "none"));
    $("rejection-reasons").replaceChildren(...reasons);
    $("rejections").replaceChildren(...r.last.map((e) =>
      entry(e, e.node ? " (claims " + e.node + ")" : " (source unknown)")));
    $("rejected").textContent = String(total);
  }

  function entry(e, note) {
    const li = el("li", "entry");
    li.append(el("span", "dim", clock(e.time) + " "), el("span", "tag " + e.kind, e.kind), el("span", "text", e.text), el("span", "dim", note));
    return li;
  }

  function drawFeed(id, entries, filter) {
    const f = (filter || "").toLowerCase();
    const shown = entries.filter((e) => !f || (e.kind + " " + e.text + " " + e.node).toLowerCase().includes(f));
    $(id).replaceChildren(...shown.map((e) => entry(e, " " + e.node)));
  }

  function draw(s) {
    $("self").textContent = "watching as " + s.self;
    $("verified").textContent = String(s.verified);
    $("dropped").textContent = String(s.dropped);
    $("dropped-view").hidden = s.dropped === 0;
    // node ages move with the clock: always redrawn
    drawNodes(s);
    if (changed("alerts", s.alerts)) drawAlerts(s.alerts);
    if (changed("rejections", s.rejections)) drawRejections(s.rejections, s.rejected);
    $("rejected").textContent = String(s.rejected);
    if (changed("security", [s.security, $("security-filter").value])) drawFeed("security", s.security, $("security-filter").value);
    if (changed("audit", [s.audit, $("audit-filter").value])) drawFeed("audit", s.audit, $("audit-filter").value);
    const level = $("log-level").value;
    if (!$("logs-pause").checked && changed("logs", [s.logs, level])) drawFeed("logs", s.logs.filter((e) => !level || e.kind === level), "");
  }

  async function token() {
    if (antiforgery) return antiforgery;
    const r = await fetch("antiforgery", { credentials: "same-origin" });
    if (!r.ok) throw new Error("antiforgery " + r.status);
    antiforgery = await r.json();
    return antiforgery;
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    button.textContent = "acknowledging…";
    try {
      const t = await token();
      const form = new URLSearchParams();
      form.set("alertId", id);
      form.set(t.field, t.token);
      const r = await fetch("alerts/ack", { method: "POST", body: form, credentials: "same-origin" });
      if (!r.ok) throw new Error("acknowledge: " + r.status);
      button.textContent = "sent";
    } catch (e) {
      button.disabled = false;
      button.textContent = "retry acknowledge";
      $("connection").textContent = String(e.message || e);
    }
  }

  function connect() {
    const source = new EventSource("events");
    source.onopen = () => { $("connection").textContent = "live"; $("connection").className = "conn live"; };
    source.onerror = () => { $("connection").textContent = "reconnecting…"; $("connection").className = "conn"; };
    source.onmessage = (m) => { snapshot = JSON.parse(m.data); draw(snapshot); };
  }

  for (const id of ["security-filter", "audit-filter", "log-level", "logs-pause"]) {
    $(id).addEventListener("input", () => { if (snapshot) draw(snapshot); });
  }
  connect();
})();
