// cvmon zone editor: draw, move and delete polygon points of zones and privacy masks over an
// anonymised snapshot; undo; keyboard and mouse. No dependencies, nothing fetched but this server.
"use strict";

(function () {
  const root = document.getElementById("zone-editor");
  if (!root) return;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const svg = document.getElementById("editor-svg");
  const img = document.getElementById("editor-image");
  const list = document.getElementById("shape-list");
  const form = document.getElementById("shape-form");
  const statusLine = document.getElementById("editor-status");
  const problemsBox = document.getElementById("editor-problems");
  const shapeProblems = document.getElementById("shape-problems");
  const texts = JSON.parse(document.getElementById("editor-texts").textContent);
  const csrf = root.dataset.csrf;

  let state = JSON.parse(document.getElementById("editor-shapes").textContent);
  let width = 1000;
  let height = 562.5;
  let selected = null; // {type: "zone" | "mask", index}
  let selectedPoint = null;
  let drawing = false;
  let drag = null; // {index, moved}
  let problems = {}; // "zones[2]" -> [messages]
  const undoStack = [];
  let dirty = false;

  function remember() {
    undoStack.push(JSON.stringify(state));
    if (undoStack.length > 200) undoStack.shift();
    dirty = true;
  }

  function clearProblems() {
    problems = {};
    problemsBox.hidden = true;
  }

  function undo() {
    if (!undoStack.length) return;
    state = JSON.parse(undoStack.pop());
    clearProblems();
    drawing = false;
    selectedPoint = null;
    if (selected && !shapeOf(selected)) selected = null;
    render();
  }

  function shapeOf(sel) {
    if (!sel) return null;
    const group = sel.type === "zone" ? state.zones : state.privacy_masks;
    return group[sel.index] || null;
  }

  function keyOf(sel) {
    return (sel.type === "zone" ? "zones" : "privacy_masks") + "[" + sel.index + "]";
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function uniqueId(base) {
    const taken = new Set(state.zones.map((z) => z.id));
    let n = 1;
    while (taken.has(base + "-" + n)) n += 1;
    return base + "-" + n;
  }

  function point(evt) {
    const rect = svg.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (evt.clientX - rect.left) / rect.width));
    const y = Math.min(1, Math.max(0, (evt.clientY - rect.top) / rect.height));
    return [Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000];
  }

  function el(name, attrs) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function drawShape(sel, shape) {
    const isSelected = selected && selected.type === sel.type && selected.index === sel.index;
    const pts = shape.points.map((p) => p[0] * width + "," + p[1] * height).join(" ");
    const cls = (sel.type === "zone" ? "zone kind-" + shape.kind : "mask") + (isSelected ? " selected" : "");
    const open = isSelected && drawing;
    const poly = el(open ? "polyline" : "polygon", { points: pts, class: cls });
    if (problems[keyOf(sel)]) poly.classList.add("has-problem");
    poly.dataset.type = sel.type;
    poly.dataset.index = sel.index;
    svg.appendChild(poly);
    if (shape.points.length) {
      const label = el("text", { x: shape.points[0][0] * width + 4, y: shape.points[0][1] * height + 14, class: "label" });
      label.textContent = sel.type === "zone" ? shape.name || shape.id : shape.name || texts.mask;
      svg.appendChild(label);
    }
    if (isSelected) {
      shape.points.forEach((p, i) => {
        const dot = el("circle", { cx: p[0] * width, cy: p[1] * height, r: 7, class: "vertex" + (i === selectedPoint ? " active" : "") });
        dot.dataset.vertex = i;
        svg.appendChild(dot);
      });
    }
  }

  function render() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    state.privacy_masks.forEach((m, i) => drawShape({ type: "mask", index: i }, m));
    state.zones.forEach((z, i) => drawShape({ type: "zone", index: i }, z));
    renderList();
    renderForm();
  }

  function renderList() {
    list.innerHTML = "";
    const add = (sel, label, kind) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-like";
      button.textContent = label;
      button.dataset.shape = keyOf(sel);
      button.addEventListener("click", () => {
        selected = sel;
        drawing = false;
        selectedPoint = null;
        render();
      });
      li.appendChild(button);
      const small = document.createElement("span");
      small.className = "muted small";
      small.textContent = " " + kind;
      li.appendChild(small);
      if (problems[keyOf(sel)]) li.classList.add("has-problem");
      if (selected && selected.type === sel.type && selected.index === sel.index) li.classList.add("selected");
      list.appendChild(li);
    };
    state.zones.forEach((z, i) => add({ type: "zone", index: i }, z.name || z.id || "?", texts.kinds[z.kind] || z.kind));
    state.privacy_masks.forEach((m, i) => add({ type: "mask", index: i }, m.name || texts.mask, texts.mask));
  }

  function fillSelect(select, kinds, value) {
    select.innerHTML = "";
    const none = document.createElement("option");
    none.value = "";
    none.textContent = texts.none;
    select.appendChild(none);
    state.zones.filter((z) => kinds.includes(z.kind)).forEach((z) => {
      const opt = document.createElement("option");
      opt.value = z.id;
      opt.textContent = z.id;
      select.appendChild(opt);
    });
    select.value = value || "";
  }

  function renderForm() {
    const shape = shapeOf(selected);
    form.hidden = !shape;
    if (!shape) return;
    const isZone = selected.type === "zone";
    form.querySelectorAll(".zone-only").forEach((n) => (n.hidden = !isZone));
    form.elements.id.closest("label").hidden = !isZone;
    form.elements.id.value = shape.id || "";
    form.elements.name.value = shape.name || "";
    if (isZone) {
      form.elements.kind.value = shape.kind;
      form.elements.capacity.value = shape.capacity || "";
      fillSelect(form.elements.queue, ["queue", "waiting"], shape.queue);
      fillSelect(form.elements.counter, ["counter_customer"], shape.counter);
      form.querySelector(".link-queue").hidden = shape.kind !== "counter_customer";
      form.querySelector(".link-counter").hidden = shape.kind !== "counter_staff";
    }
    const messages = problems[keyOf(selected)] || [];
    shapeProblems.hidden = !messages.length;
    shapeProblems.textContent = messages.join("; ");
  }

  form.addEventListener("submit", (evt) => evt.preventDefault());

  form.addEventListener("change", (evt) => {
    const shape = shapeOf(selected);
    if (!shape) return;
    remember();
    const name = evt.target.name;
    let value = evt.target.value;
    if (name === "capacity") value = value ? parseInt(value, 10) : null;
    if (name === "id" && selected.type === "zone") {
      const old = shape.id;
      state.zones.forEach((z) => {
        if (z.queue === old) z.queue = value;
        if (z.counter === old) z.counter = value;
      });
    }
    shape[name] = value;
    render();
  });

  function startShape(type) {
    remember();
    clearProblems();
    if (type === "zone") {
      state.zones.push({ id: uniqueId("zone"), name: "", kind: "queue", capacity: null, queue: "", counter: "", points: [] });
      selected = { type: "zone", index: state.zones.length - 1 };
    } else {
      state.privacy_masks.push({ name: "", points: [] });
      selected = { type: "mask", index: state.privacy_masks.length - 1 };
    }
    drawing = true;
    selectedPoint = null;
    setStatus(texts.drawing);
    render();
  }

  function finishDrawing() {
    const shape = shapeOf(selected);
    drawing = false;
    if (shape && shape.points.length < 3) removeSelected(false);
    setStatus(texts.ready);
    render();
  }

  function removeSelected(keep) {
    if (!selected) return;
    if (keep !== false) remember();
    const group = selected.type === "zone" ? state.zones : state.privacy_masks;
    group.splice(selected.index, 1);
    selected = null;
    selectedPoint = null;
    drawing = false;
    render();
  }

  svg.addEventListener("pointerdown", (evt) => {
    svg.focus();
    const target = evt.target;
    const shape = shapeOf(selected);
    if (target.dataset && target.dataset.vertex !== undefined && shape) {
      const index = parseInt(target.dataset.vertex, 10);
      if (drawing && index === 0 && shape.points.length >= 3) {
        finishDrawing();
        return;
      }
      selectedPoint = index;
      drag = { index, moved: false };
      svg.setPointerCapture(evt.pointerId);
      render();
      return;
    }
    if (drawing && shape) {
      remember();
      shape.points.push(point(evt));
      selectedPoint = shape.points.length - 1;
      render();
      return;
    }
    if (target.dataset && target.dataset.type) {
      selected = { type: target.dataset.type, index: parseInt(target.dataset.index, 10) };
      selectedPoint = null;
    } else {
      selected = null;
    }
    render();
  });

  svg.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    const shape = shapeOf(selected);
    if (!shape) return;
    if (!drag.moved) {
      remember();
      drag.moved = true;
    }
    shape.points[drag.index] = point(evt);
    render();
  });

  svg.addEventListener("pointerup", () => {
    drag = null;
  });

  document.addEventListener("keydown", (evt) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if ((evt.ctrlKey || evt.metaKey) && evt.key.toLowerCase() === "z" && !typing) {
      evt.preventDefault();
      undo();
    } else if (evt.key === "Enter" && drawing && !typing) {
      evt.preventDefault();
      finishDrawing();
    } else if (evt.key === "Escape" && drawing) {
      finishDrawing();
    } else if ((evt.key === "Delete" || evt.key === "Backspace") && !typing) {
      const shape = shapeOf(selected);
      if (!shape) return;
      evt.preventDefault();
      if (selectedPoint !== null && shape.points.length > 3) {
        remember();
        shape.points.splice(selectedPoint, 1);
        selectedPoint = null;
        render();
      } else if (selectedPoint === null) {
        removeSelected();
      }
    }
  });

  async function loadSnapshot() {
    setStatus(document.getElementById("editor-status").textContent);
    try {
      const response = await fetch(root.dataset.snapshotUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      img.src = body.image;
      height = (1000 * body.height) / body.width;
      svg.setAttribute("viewBox", "0 0 1000 " + height);
      root.querySelector(".editor-canvas").style.aspectRatio = body.width + " / " + body.height;
      setStatus(texts.ready);
      root.dataset.snapshot = "ready";
    } catch (err) {
      setStatus(texts.no_snapshot.replace("{error}", err.message));
      root.dataset.snapshot = "failed";
    }
    render();
  }

  async function save() {
    if (drawing) finishDrawing();
    problems = {};
    problemsBox.hidden = true;
    const response = await fetch(root.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(state),
    });
    let body = {};
    try {
      body = await response.json();
    } catch (err) {
      body = { problems: [response.statusText] };
    }
    if (response.ok) {
      dirty = false;
      setStatus(texts.saved);
      root.dataset.saved = String(Date.now());
    } else {
      const lines = body.problems || [String(response.status)];
      lines.forEach((line) => {
        const m = /^((?:zones|privacy_masks)\[\d+\])/.exec(line);
        if (m) (problems[m[1]] = problems[m[1]] || []).push(line.slice(m[1].length).replace(/^[.:\s]+/, ""));
      });
      problemsBox.innerHTML = "";
      const ul = document.createElement("ul");
      lines.forEach((line) => {
        const li = document.createElement("li");
        li.textContent = line;
        ul.appendChild(li);
      });
      problemsBox.appendChild(ul);
      problemsBox.hidden = false;
      const first = Object.keys(problems)[0];
      if (first) {
        const m = /^(zones|privacy_masks)\[(\d+)\]$/.exec(first);
        selected = { type: m[1] === "zones" ? "zone" : "mask", index: parseInt(m[2], 10) };
      }
    }
    render();
  }

  root.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.dataset.action;
      if (action === "new-zone") startShape("zone");
      else if (action === "new-mask") startShape("mask");
      else if (action === "undo") undo();
      else if (action === "delete") removeSelected();
      else if (action === "snapshot") loadSnapshot();
      else if (action === "save") save();
    });
  });

  window.addEventListener("beforeunload", (evt) => {
    if (dirty) {
      evt.preventDefault();
      evt.returnValue = texts.confirm_leave;
    }
  });

  render();
  loadSnapshot();
})();
