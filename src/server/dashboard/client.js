// Dashboard behaviour: accordion rows that stay open across updates, and live updates over
// Server-Sent Events with a 5 s reload as the fallback. Fragments arrive already rendered and
// escaped by the server; nothing here builds markup from data.
(() => {
  const STORAGE_KEY = "sortie-expanded";
  const status = document.getElementById("live-status");
  let fallbackTimer = null;

  const loadKeys = () => {
    try {
      const keys = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(keys) ? keys : [];
    } catch {
      return [];
    }
  };
  const saveKeys = (keys) => {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(keys));
    } catch {
      // storage disabled or full: rows simply start collapsed
    }
  };

  const setOpen = (header, open) => {
    const button = header.querySelector(".accordion-toggle");
    const detailId = button ? button.getAttribute("aria-controls") : null;
    const detail = detailId ? document.getElementById(detailId) : null;
    header.classList.toggle("open", open);
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
    if (detail) detail.setAttribute("aria-hidden", open ? "false" : "true");
  };

  // Reopens stored rows and forgets keys whose rows are gone.
  const restore = () => {
    const stored = loadKeys();
    const kept = [];
    for (const header of document.querySelectorAll("tr.accordion-header")) {
      const key = header.getAttribute("data-expand-key");
      const open = stored.includes(key);
      if (open && !kept.includes(key)) kept.push(key);
      setOpen(header, open);
    }
    saveKeys(kept);
  };

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || target.closest("a")) return;
    const header = target.closest("tr.accordion-header");
    if (!header) return;
    const open = !header.classList.contains("open");
    setOpen(header, open);
    const key = header.getAttribute("data-expand-key");
    const keys = loadKeys().filter((k) => k !== key);
    if (open) keys.push(key);
    saveKeys(keys);
  });

  const setLive = (live) => {
    if (!status) return;
    status.textContent = live ? "Live" : "Auto-refresh every 5s";
    status.classList.toggle("connected", live);
  };

  const fallBack = () => {
    setLive(false);
    if (fallbackTimer === null) fallbackTimer = setTimeout(() => location.reload(), 5000);
  };

  restore();
  if (typeof EventSource !== "function") {
    fallBack();
    return;
  }
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => setLive(true));
  source.addEventListener("dashboard", (event) => {
    let fragments;
    try {
      fragments = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const [id, html] of Object.entries(fragments)) {
      const target = document.getElementById(id);
      if (!target || typeof html !== "string") continue;
      const template = document.createElement("template");
      template.innerHTML = html;
      target.replaceChildren(template.content);
    }
    restore();
    setLive(true);
  });
  source.addEventListener("draining", () => {
    source.close();
    fallBack();
  });
  source.addEventListener("error", () => {
    source.close();
    fallBack();
  });
})();
