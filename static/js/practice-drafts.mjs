// Keeps what is typed in a long form (a reflection) in this browser tab's session storage, so it
// comes back if the form is left or the sign-in session expires before the server saves it.
// Session storage ends with the tab: nothing stays behind on a shared computer. A page that shows
// the saved record names the drafts it replaces (data-app-draft-saved) and they are dropped.

const PREFIX = "app-draft:";

for (const saved of document.querySelectorAll("[data-app-draft-saved]")) {
  for (const key of saved.dataset.appDraftSaved.split(" ")) sessionStorage.removeItem(PREFIX + key);
}

const form = document.querySelector("form[data-app-draft]");
if (form) {
  const key = PREFIX + form.dataset.appDraft;
  const fields = () => form.querySelectorAll("input[type=text], textarea");
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    sessionStorage.removeItem(key);
  }
  if (kept) {
    let restored = false;
    for (const field of fields()) {
      if (!field.value && kept[field.name]) {
        field.value = kept[field.name];
        restored = true;
      }
    }
    if (restored) {
      const notice = document.createElement("div");
      notice.className = "nhsuk-inset-text";
      notice.setAttribute("role", "status");
      const text = document.createElement("p");
      text.textContent = "What you typed earlier has been put back. It is not saved until you save it.";
      notice.append(text);
      form.before(notice);
    }
  }
  form.addEventListener("input", () => {
    const values = {};
    for (const field of fields()) if (field.value) values[field.name] = field.value;
    sessionStorage.setItem(key, JSON.stringify(values));
  });
}
