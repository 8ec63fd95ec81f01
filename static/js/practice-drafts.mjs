// Keeps what is typed in a long form (a reflection) in this browser tab's session storage, so it
// comes back if the form is left or the sign-in session expires before the server saves it.
// Session storage ends with the tab: nothing stays behind on a shared computer. A page that shows
// the saved record names the drafts it replaces (data-app-draft-saved) and they are dropped.
//
// A form with data-app-autosave is also saved on the server as a draft: some seconds after typing
// (data-app-autosave-seconds), and when the tab is hidden or left. The first save creates the
// draft and answers where the next ones go, so they change it rather than make another. While a
// copy in the tab holds something the server has not saved (":unsaved"), that copy wins when the
// page comes back (after signing in again, say); otherwise it only fills empty boxes.

const PREFIX = "app-draft:";
const UNSAVED = ":unsaved";
// Names this tab's draft to the server: a save sent as the page was left, whose answer never came
// back, is found again by it when the page is opened again and saved.
const TOKEN = ":token";

for (const saved of document.querySelectorAll("[data-app-draft-saved]")) {
  for (const key of saved.dataset.appDraftSaved.split(" ")) {
    for (const suffix of ["", UNSAVED, TOKEN]) sessionStorage.removeItem(PREFIX + key + suffix);
  }
}

function readCopy(key) {
  try {
    return JSON.parse(sessionStorage.getItem(PREFIX + key) || "null");
  } catch {
    sessionStorage.removeItem(PREFIX + key);
    return null;
  }
}

function notice(form, message) {
  const box = document.createElement("div");
  box.className = "nhsuk-inset-text";
  box.setAttribute("role", "status");
  const text = document.createElement("p");
  text.textContent = message;
  box.append(text);
  form.before(box);
}

const FAILED = {
  401: "You are signed out, so the draft was not saved. What you typed is kept in this tab: sign in again and it is put back.",
  // Refused without an answer of ours: the form's security token is out of date (signed in again elsewhere).
  403: "The draft could not be saved because this page is out of date. What you typed is kept in this tab: reload the page and it is put back.",
  0: "The draft could not be saved just now. What you typed is kept in this tab and saving is tried again.",
};

function newToken() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(16)).join("-");
}

function startAutosave(form, draft) {
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "draft_token";
  token.value = draft.token();
  form.append(token);
  const delay = Number(form.dataset.appAutosaveSeconds || 20) * 1000;
  let address = form.dataset.appAutosave;
  let timer = null;
  let dirty = false;
  let inFlight = null;
  let submitting = false;

  const status = document.createElement("p");
  status.className = "nhsuk-body-s app-autosave-status";
  status.setAttribute("aria-live", "polite");  // read out when the screen reader is idle
  const firstButton = form.querySelector("[type=submit]");
  if (firstButton) firstButton.before(status);
  else form.append(status);

  function schedule() {
    if (!timer) timer = setTimeout(() => save(false), delay);
  }

  function adopt(answer) {
    if (answer.autosave_url === address) return;
    address = answer.autosave_url;
    form.action = answer.form_url;
    history.replaceState(history.state, "", answer.form_url);
    draft.rename(answer.draft_key);
  }

  async function send(leaving) {
    dirty = false;
    let response;
    let answer = {};
    try {
      response = await fetch(address, {
        method: "POST", body: new FormData(form), keepalive: leaving, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      answer = await response.json().catch(() => ({}));
    } catch {
      response = null;
    }
    if (response && response.ok) {
      adopt(answer);
      if (!dirty) draft.markSaved();
      status.textContent = answer.message;
      return;
    }
    dirty = true;
    const code = response ? response.status : 0;
    status.textContent = (code === 401 && FAILED[401]) || answer.message || FAILED[code] || FAILED[0];
    if (code === 0 && !leaving) schedule();
  }

  function save(leaving) {
    clearTimeout(timer);
    timer = null;
    if (!dirty || submitting) return;
    // One save at a time: a new draft's address must come back before the next save.
    if (inFlight) {
      if (!leaving) schedule();
      return;
    }
    inFlight = send(leaving).finally(() => { inFlight = null; });
  }

  form.addEventListener("input", () => {
    dirty = true;
    schedule();
  });
  form.addEventListener("submit", (event) => {
    if (inFlight) {
      // The first save is still creating the draft: send the form once it is known, to the draft.
      event.preventDefault();
      const button = event.submitter;
      inFlight.then(() => form.requestSubmit(button));
      return;
    }
    submitting = true;
    clearTimeout(timer);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", () => save(true));
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });

  return {
    changed() {
      dirty = true;
      schedule();
    },
  };
}

const form = document.querySelector("form[data-app-draft]");
if (form) {
  let key = form.dataset.appDraft;
  const fields = () => form.querySelectorAll("input[type=text], textarea");
  const draft = {
    rename(newKey) {
      for (const suffix of ["", UNSAVED, TOKEN]) {
        const value = sessionStorage.getItem(PREFIX + key + suffix);
        sessionStorage.removeItem(PREFIX + key + suffix);
        if (value !== null) sessionStorage.setItem(PREFIX + newKey + suffix, value);
      }
      key = newKey;
      form.dataset.appDraft = newKey;
    },
    token() {
      let value = sessionStorage.getItem(PREFIX + key + TOKEN);
      if (!value) {
        value = newToken();
        sessionStorage.setItem(PREFIX + key + TOKEN, value);
      }
      return value;
    },
    markSaved() {
      sessionStorage.removeItem(PREFIX + key + UNSAVED);
    },
  };

  const kept = readCopy(key);
  const unsaved = sessionStorage.getItem(PREFIX + key + UNSAVED) !== null;
  let restored = false;
  if (kept) {
    for (const field of fields()) {
      const value = kept[field.name];
      if (value && value !== field.value && (!field.value || unsaved)) {
        field.value = value;
        restored = true;
      }
    }
  }
  const autosave = form.dataset.appAutosave ? startAutosave(form, draft) : null;
  if (restored) {
    notice(form, autosave
      ? "What you typed earlier has been put back. It is saved as a draft in a moment."
      : "What you typed earlier has been put back. It is not saved until you save it.");
    if (autosave) autosave.changed();
  }
  form.addEventListener("input", () => {
    const values = {};
    for (const field of fields()) if (field.value) values[field.name] = field.value;
    sessionStorage.setItem(PREFIX + key, JSON.stringify(values));
    sessionStorage.setItem(PREFIX + key + UNSAVED, "1");
  });
}
