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

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh-url]").forEach(refreshEvery);
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
