// cvmon viewer: refresh live tiles, print buttons. No dependencies, no network beyond this server.
"use strict";

function refreshEvery(el) {
  const url = el.dataset.refreshUrl;
  const seconds = Math.max(2, parseFloat(el.dataset.refreshS || "15"));
  async function tick() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (response.redirected && new URL(response.url).pathname === "/login") {
        window.location.reload();
        return;
      }
      if (response.ok) {
        el.innerHTML = await response.text();
        el.dataset.refreshedAt = new Date().toISOString();
        el.classList.remove("refresh-failed");
      } else {
        el.classList.add("refresh-failed");
      }
    } catch (err) {
      el.classList.add("refresh-failed");
    }
    window.setTimeout(tick, seconds * 1000);
  }
  window.setTimeout(tick, seconds * 1000);
}

async function probe(button) {
  const form = button.closest("form");
  const target = document.getElementById("probe-result");
  const data = new FormData(form);
  data.set("camera", data.get("id") || "");
  button.disabled = true;
  target.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(button.dataset.probeUrl, { method: "POST", body: data, credentials: "same-origin" });
    target.innerHTML = await response.text();
  } catch (err) {
    target.textContent = String(err);
  } finally {
    button.disabled = false;
    target.removeAttribute("aria-busy");
  }
}

// Date and time fields: the form value stays ISO (2026-12-02, 10:25); what a person sees and picks is
// written the project's way in the page's language (2 Des 2026, 10.25), whatever the browser's locale.
function pickers() {
  const wordsEl = document.getElementById("picker-words");
  if (!window.flatpickr || !wordsEl) return;
  const words = JSON.parse(wordsEl.textContent);
  document.querySelectorAll("input[data-picker]").forEach((input) => {
    const isTime = input.dataset.picker === "time";
    window.flatpickr(input, {
      locale: words.locale,
      allowInput: true,
      altInput: true,
      altFormat: isTime ? words.timeFormat : words.dayFormat,
      dateFormat: isTime ? "H:i" : "Y-m-d",
      enableTime: isTime,
      noCalendar: isTime,
      time_24hr: true,
      disableMobile: true, // a phone's own picker would follow the phone's locale again
      onReady: (dates, text, picker) => {
        if (picker.altInput) {
          picker.altInput.dataset.pickerShown = input.name;
          picker.altInput.placeholder = isTime ? words.timeExample : words.dayExample;
          picker.altInput.setAttribute("aria-label", input.closest("label")?.textContent.trim() || input.name);
        }
      },
    });
  });
}

// "Select all" of a bulk form: ticks or clears every checkbox that belongs to the form it names.
function checkAll(box) {
  const boxes = () => document.querySelectorAll(`input[type="checkbox"][form="${box.dataset.checkAll}"]`);
  box.addEventListener("change", () => boxes().forEach((b) => { b.checked = box.checked; }));
}

document.addEventListener("DOMContentLoaded", () => {
  pickers();
  document.querySelectorAll("[data-check-all]").forEach(checkAll);
  document.querySelectorAll("[data-probe-url]").forEach((button) => {
    button.addEventListener("click", () => probe(button));
  });
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (evt) => {
      if (!window.confirm(button.dataset.confirm)) evt.preventDefault();
    });
  });
  document.querySelectorAll("[data-refresh-url]").forEach(refreshEvery);
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
