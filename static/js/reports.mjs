// Export and import progress pages: ask the status URL every two seconds and update the
// progress bar; reload the page when the work is finished so the download link appears.
const box = document.querySelector("[data-status-url]");

async function poll() {
  const answer = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
  if (!answer.ok) return;
  const state = await answer.json();
  const bar = box.querySelector("progress");
  const text = box.querySelector("[role=status]");
  if (bar) bar.value = state.percent;
  if (text) text.textContent = `${state.status_label}, ${state.done} of ${state.total} rows`;
  if (state.finished) {
    window.location.reload();
  } else {
    window.setTimeout(poll, 2000);
  }
}

if (box && box.querySelector("progress")) {
  window.setTimeout(poll, 2000);
}
