// Starts the NHS.UK components (header menu, error summary focus, skip link ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
