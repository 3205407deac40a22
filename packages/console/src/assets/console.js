// Live regions: an element with data-live="<url>" and data-every="<seconds>" is fetched again and replaced, until
// the person pauses it (data-live-toggle) or, with data-until="done", until the new content holds [data-done].
// Everything works without this script; it only saves a reload.
for (const region of document.querySelectorAll("[data-live]")) {
  const every = Number(region.dataset.every || 10) * 1000;
  const untilDone = region.dataset.until === "done";
  let paused = false;
  let timer;
  const schedule = () => {
    if (untilDone && region.querySelector("[data-done]")) return;
    timer = setTimeout(refresh, every);
  };
  const refresh = async () => {
    try {
      const response = await fetch(region.dataset.live, { headers: { accept: "text/html" } });
      if (response.ok) region.innerHTML = await response.text();
    } catch {
      // The console stopped or the network blinked: try again at the next turn.
    }
    if (!paused) schedule();
  };
  const toggle = document.querySelector(`[data-live-toggle][aria-controls="${region.id}"]`);
  toggle?.addEventListener("click", () => {
    paused = !paused;
    toggle.setAttribute("aria-pressed", String(paused));
    toggle.textContent = paused ? "Resume live updates" : "Pause live updates";
    const note = document.querySelector("[data-live-note]");
    if (note) note.textContent = paused ? "Live updates paused." : `Updates every ${every / 1000} s.`;
    clearTimeout(timer);
    if (!paused) refresh();
  });
  schedule();
}
