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

document.addEventListener("DOMContentLoaded", () => {
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
