// Starts the NHS.UK components (header menu, error summary focus, skip link ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

// NHS.UK frontend starts its components only when <body> says the browser supports them. Its
// template does that with an inline script, which the Content Security Policy forbids; a browser
// running this module supports them, so the class is added here.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// The radios' conditional reveals mark each radio aria-expanded, which ARIA does not allow on a
// radio (screen readers announce it as a collapsed button); the reveal itself, and aria-controls,
// stay as NHS.UK frontend draws them.
const RADIO_REVEALS = "input[type=radio][aria-controls]";
function dropRadioExpanded(root) {
  for (const radio of root.querySelectorAll(RADIO_REVEALS)) radio.removeAttribute("aria-expanded");
}
dropRadioExpanded(document);
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.matches(RADIO_REVEALS) && change.target.hasAttribute("aria-expanded")) {
      change.target.removeAttribute("aria-expanded");
    }
  }
}).observe(document.body, { subtree: true, attributeFilter: ["aria-expanded"] });

// A wide table scrolls sideways inside its wrapper on a narrow screen. Keyboard users scroll it
// with the arrow keys once it can take focus, so a wrapper that scrolls becomes a named region
// in the Tab order (named after the table's caption when it has one).
const SCROLLERS = ".app-table-wrap, .app-table-scroll";

function reachScrollers() {
  for (const wrapper of document.querySelectorAll(SCROLLERS)) {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
    if (scrolls && !wrapper.hasAttribute("tabindex")) {
      const caption = wrapper.querySelector("caption");
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table, scrolls sideways");
      wrapper.dataset.appScroller = "";
    } else if (!scrolls && "appScroller" in wrapper.dataset) {
      for (const name of ["tabindex", "role", "aria-label", "data-app-scroller"]) wrapper.removeAttribute(name);
    }
  }
}

reachScrollers();
window.addEventListener("resize", reachScrollers);

// On every resize the header's menu script puts each navigation link back in place before
// deciding which go under "More", and moving the focused link takes focus from it: a keyboard
// user who zooms, or whose phone hides its address bar, would be sent back to the top of the
// page. The link that had focus when the window was resized gets it back as soon as the menu
// has been rebuilt (however many frames the rebuild takes), unless the person has moved on.
const navigation = document.querySelector(".nhsuk-header__navigation");
if (navigation) {
  let keep = null;
  window.addEventListener("resize", () => {
    const active = document.activeElement;
    if (active && navigation.contains(active)) keep = active;
  });
  document.addEventListener("focusin", (event) => {
    if (event.target !== keep) keep = null;
  });
  document.addEventListener("pointerdown", () => {
    keep = null;
  });
  new MutationObserver(() => {
    if (keep && keep.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      keep.focus({ preventScroll: true });
    }
  }).observe(navigation, { childList: true, subtree: true });
}

// A form with search buttons before its main button (the enrol page): pressing Enter in a search
// box runs that search, and in any other field presses the main button, as a person expects.
// Without JavaScript Enter runs the first search and loses nothing typed.
for (const main of document.querySelectorAll("button[data-app-default-submit]")) {
  const form = main.form;
  if (!form) continue;
  form.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || field.form !== form) return;
    if (["button", "submit", "checkbox", "radio"].includes(field.type)) return;
    const buttons = [...form.querySelectorAll("button[type=submit]")];
    const search = field.type === "search"
      ? buttons.find((button) => button !== main && field.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING)
      : null;
    event.preventDefault();
    form.requestSubmit(search || main);
  });
}
