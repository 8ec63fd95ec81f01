// Starts the NHS.UK components (header menu, error summary focus, skip link ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

// NHS.UK frontend starts its components only when <body> says the browser supports them. Its
// template does that with an inline script, which the Content Security Policy forbids; a browser
// running this module supports them, so the class is added here.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
