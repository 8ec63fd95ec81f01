// The recovery codes page's print button: shown only when this script runs, since printing needs it.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
