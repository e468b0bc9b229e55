// plait's document viewer: draws one page of documents at a time from the JSON in #plait-data.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("plait-data").textContent);
  const items = data.items;
  const state = { page: 0, size: data.page_size, errorsOnly: false };
  const main = document.querySelector("main");
  const status = document.getElementById("status");
  const pageInput = document.getElementById("page");

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function colour(label) {
    let h = 7;
    for (const ch of label) h = (h * 31 + ch.codePointAt(0)) >>> 0;
    return "hsl(" + (h % 360) + ", 75%, 84%)";
  }

  function token(d, i) {
    const tok = el("span", "tok");
    tok.dataset.i = i;
    if (d.sp[i]) tok.dataset.ws = "1";
    tok.appendChild(el("span", "w", d.w[i]));
    const notes = [];
    for (const key of ["tag", "pos", "lemma", "morph", "dep"]) {
      if (d[key] && d[key][i]) {
        notes.push(key + ": " + d[key][i]);
        if (key !== "morph" && key !== "dep") tok.appendChild(el("span", "ann " + key, d[key][i]));
      }
    }
    if (d.err && d.err[i] !== undefined) {
      tok.classList.add("err");
      notes.push("error: " + d.err[i]);
    }
    if (notes.length) tok.title = notes.join("\n");
    return tok;
  }

  // tokens [start, end) with entities wrapped in labelled marks; `between` adds what separates two tokens
  function tokens(d, start, end, parent, between) {
    const ents = (d.ents || []).filter((e) => e[1] > start && e[0] < end);
    let k = 0;
    for (let i = start; i < end; ) {
      if (k < ents.length && Math.max(ents[k][0], start) === i) {
        const e = ents[k++];
        const mark = el("mark", "ent" + (e[3] ? " " + e[3] : ""));
        mark.dataset.label = e[2];
        mark.style.background = colour(e[2]);
        const stop = Math.min(e[1], end);
        for (let j = i; j < stop; j++) {
          mark.appendChild(token(d, j));
          if (j + 1 < stop) between(mark, d, j);
        }
        mark.appendChild(el("span", "lbl", e[2]));
        if (e[3] === "fn") mark.title = "missed: gold " + e[2];
        if (e[3] === "fp") mark.title = "wrong: not a gold entity";
        parent.appendChild(mark);
        i = stop;
      } else {
        parent.appendChild(token(d, i++));
      }
      if (i < end) between(parent, d, i - 1);
    }
  }

  function sentStarts(d) {
    const starts = d.sent && d.sent.length ? d.sent.slice() : [0];
    if (starts[0] !== 0) starts.unshift(0);
    return starts;
  }

  function flowText(d) {
    const box = el("div", "text");
    const starts = new Set(sentStarts(d).slice(1));
    tokens(d, 0, d.w.length, box, (parent, doc, i) => {
      if (doc.sp[i]) parent.appendChild(document.createTextNode(" "));
      if (starts.has(i + 1)) parent.appendChild(el("span", "sb"));
    });
    return box;
  }

  const pending = [];

  function parsedText(d) {
    const box = el("div", "text parsed-doc");
    const starts = sentStarts(d);
    starts.forEach((s, n) => {
      const end = n + 1 < starts.length ? starts[n + 1] : d.w.length;
      const sent = el("div", "sent parsed");
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "arcs");
      const row = el("div", "toks");
      tokens(d, s, end, row, () => {});
      sent.appendChild(svg);
      sent.appendChild(row);
      box.appendChild(sent);
      pending.push({ d: d, start: s, end: end, svg: svg, row: row });
    });
    return box;
  }

  // arcs need token positions, so they are drawn once the page is laid out
  function drawArcs(job) {
    const d = job.d, centres = {};
    for (const tok of job.row.querySelectorAll(".tok")) {
      centres[tok.dataset.i] = tok.offsetLeft - job.row.offsetLeft + tok.offsetWidth / 2;
    }
    const arcs = [];
    for (let i = job.start; i < job.end; i++) {
      const h = d.head[i];
      if (h >= job.start && h < job.end && h !== i) arcs.push({ from: Math.min(i, h), to: Math.max(i, h), dep: i, head: h });
    }
    arcs.sort((a, b) => (a.to - a.from) - (b.to - b.from));
    for (const a of arcs) {
      a.level = 1;
      for (const b of arcs) if (b !== a && b.level && b.from >= a.from && b.to <= a.to) a.level = Math.max(a.level, b.level + 1);
    }
    const unit = 20, top = Math.max(0, ...arcs.map((a) => a.level)) * unit + 14;
    const ns = "http://www.w3.org/2000/svg", svg = job.svg;
    svg.setAttribute("width", job.row.scrollWidth);
    svg.setAttribute("height", top + 2);
    for (const a of arcs) {
      const x1 = centres[a.from] + 3, x2 = centres[a.to] - 3, y = top, peak = top - a.level * unit;
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", "M" + x1 + "," + y + " C" + x1 + "," + peak + " " + x2 + "," + peak + " " + x2 + "," + y);
      path.setAttribute("class", "arc");
      path.dataset.dep = a.dep;
      path.dataset.head = a.head;
      if (d.err && d.err[a.dep] && /head|dep/.test(d.err[a.dep])) path.classList.add("wrong");
      svg.appendChild(path);
      const xd = a.dep === a.from ? x1 : x2, arrow = document.createElementNS(ns, "path");
      arrow.setAttribute("d", "M" + (xd - 4) + "," + (y - 6) + " L" + (xd + 4) + "," + (y - 6) + " L" + xd + "," + y + "Z");
      arrow.setAttribute("class", "head");
      svg.appendChild(arrow);
      if (d.dep && d.dep[a.dep]) {
        const label = document.createElementNS(ns, "text");
        label.setAttribute("x", (x1 + x2) / 2);
        label.setAttribute("y", top - a.level * unit * 0.75 - 2);
        label.textContent = d.dep[a.dep];
        svg.appendChild(label);
      }
    }
  }

  function cats(d, gold) {
    const box = el("div", "cats");
    for (const [label, score] of Object.entries(d.cats)) {
      const row = el("div", "cat");
      row.dataset.label = label;
      row.appendChild(el("span", "name", label));
      const bar = el("div", "bar"), fill = el("div");
      fill.style.width = (100 * Math.max(0, Math.min(1, score))).toFixed(1) + "%";
      bar.appendChild(fill);
      if (gold && gold[label] !== undefined) {
        const tick = el("i");
        tick.style.left = (100 * gold[label]).toFixed(1) + "%";
        tick.title = "gold " + gold[label];
        bar.appendChild(tick);
      }
      row.appendChild(bar);
      row.appendChild(el("span", "score", score.toFixed(3)));
      box.appendChild(row);
    }
    return box;
  }

  // each span group as a row of token cells, every span a bar on its own line under the tokens it covers
  // (span: [start, end, label, line, flag]); the label sits in the bar's first cell, which widens to hold it
  function spanGroup(d, key, spans) {
    const box = el("div", "spans");
    box.dataset.key = key;
    box.appendChild(el("div", "key", "spans: " + key + (spans.length ? "" : " (none)")));
    const lines = spans.reduce((n, s) => Math.max(n, s[3] + 1), 0);
    const cover = d.w.map(() => new Array(lines).fill(null));
    spans.forEach((s, n) => { for (let i = s[0]; i < s[1]; i++) cover[i][s[3]] = n; });
    const row = el("div", "stoks");
    d.w.forEach((word, i) => {
      const cell = el("span", "stok");
      cell.dataset.i = i;
      cell.appendChild(el("span", "w", word));
      cover[i].forEach((n) => {
        const bar = el("span", "sbar");
        if (n !== null) {
          const s = spans[n];
          bar.classList.add("on");
          if (s[4]) bar.classList.add(s[4]);
          bar.dataset.span = n;
          bar.style.background = colour(s[2]);
          bar.title = s[2] + (s[4] === "fn" ? " (missed)" : s[4] === "fp" ? " (wrong)" : "");
          if (i === s[0]) { bar.classList.add("first"); bar.appendChild(el("span", "slbl", s[2])); }
          if (i === s[1] - 1) bar.classList.add("last");
        }
        cell.appendChild(bar);
      });
      row.appendChild(cell);
    });
    box.appendChild(row);
    return box;
  }

  function docView(d, gold) {
    const box = el("div", "view");
    if (d.cats) box.appendChild(cats(d, gold && gold.cats));
    box.appendChild(d.head ? parsedText(d) : flowText(d));
    for (const [key, spans] of Object.entries(d.spans || {})) box.appendChild(spanGroup(d, key, spans));
    return box;
  }

  function item(entry, n) {
    const box = el("section", "doc");
    box.dataset.doc = n;
    const head = el("div", "doc-head", "#" + (n + 1) + " \u00b7 " + (entry.p || entry).w.length + " tokens");
    box.appendChild(head);
    if (!entry.g) {
      box.appendChild(docView(entry));
      return box;
    }
    head.textContent += " \u00b7 " + entry.n_err + " errors";
    const pair = el("div", "pair");
    for (const [title, d, cls] of [["Gold", entry.g, "gold"], ["Predicted", entry.p, "pred"]]) {
      const col = el("div", "col " + cls);
      col.appendChild(el("h3", "", title));
      col.appendChild(docView(d, cls === "pred" ? entry.g : null));
      pair.appendChild(col);
    }
    box.appendChild(pair);
    return box;
  }

  function shown() {
    const all = items.map((_, n) => n);
    return state.errorsOnly ? all.filter((n) => items[n].n_err > 0) : all;
  }

  function render() {
    const order = shown();
    const pages = Math.max(1, Math.ceil(order.length / state.size));
    state.page = Math.max(0, Math.min(state.page, pages - 1));
    const first = state.page * state.size, last = Math.min(order.length, first + state.size);
    main.replaceChildren();
    pending.length = 0;
    const frag = document.createDocumentFragment();
    for (let k = first; k < last; k++) frag.appendChild(item(items[order[k]], order[k]));
    main.appendChild(frag);
    for (const job of pending) drawArcs(job);
    pageInput.value = state.page + 1;
    pageInput.max = pages;
    status.textContent = (order.length ? first + 1 : 0) + "\u2013" + last + " of " + order.length + " docs \u00b7 page " +
      (state.page + 1) + " of " + pages;
    window.scrollTo(0, 0);
    document.body.dataset.page = state.page;
  }

  function go(page) { state.page = page; render(); }
  document.getElementById("first").onclick = () => go(0);
  document.getElementById("prev").onclick = () => go(state.page - 1);
  document.getElementById("next").onclick = () => go(state.page + 1);
  document.getElementById("last").onclick = () => go(Infinity);
  pageInput.onchange = () => go((parseInt(pageInput.value, 10) || 1) - 1);
  document.getElementById("size").onchange = (ev) => { state.size = parseInt(ev.target.value, 10); go(0); };
  document.getElementById("rows").onchange = (ev) => document.body.classList.toggle("no-rows", !ev.target.checked);
  const errors = document.getElementById("errors-only");
  if (errors) errors.onchange = (ev) => { state.errorsOnly = ev.target.checked; go(0); };
  document.addEventListener("keydown", (ev) => {
    if (ev.target.tagName === "INPUT") return;
    if (ev.key === "ArrowRight") go(state.page + 1);
    if (ev.key === "ArrowLeft") go(state.page - 1);
  });
  render();
  window.plaitReady = true;
})();
