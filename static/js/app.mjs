// Starts the NHS.UK components (header menu, error summary focus, skip link ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

// NHS.UK frontend starts its components only when <body> says the browser supports them. Its
// template does that with an inline script, which the Content Security Policy forbids; a browser
// running this module supports them, so the class is added here.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

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
