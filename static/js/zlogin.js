// Small progressive enhancements; every form also works without JavaScript.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
});

// Ask before a destructive action (core/confirmation.py). Its trigger is a form sent with GET
// and marked data-confirm: without JavaScript it opens the action's confirmation page, whose
// POST form alone acts. Here that page's question is shown in a modal dialog instead, with
// "Annuleer" focused; the dialog's confirm button sends the page's own form. An htmx element
// marked data-confirm asks the same way before its request; its data-confirm may hold the
// confirmation page's address when that is not the request's own.
let asking = false;

async function confirmationContent(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10000) });
    if (!response.ok) return null;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    return page.querySelector("[data-confirm-content]");
  } catch {
    return null;
  }
}

function confirmationDialog(content) {
  const dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.append(document.importNode(content, true));
  const heading = dialog.querySelector("h1, h2");
  heading.id = "confirm-dialog-title";
  dialog.setAttribute("aria-labelledby", heading.id);
  const question = dialog.querySelector("[data-confirm-question]");
  if (question) {
    question.id = "confirm-dialog-question";
    dialog.setAttribute("aria-describedby", question.id);
  }
  // On the page "Annuleer" is a link back; in the dialog it closes the dialog.
  const link = dialog.querySelector("[data-confirm-cancel]");
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = link.className;
  cancel.textContent = link.textContent;
  cancel.addEventListener("click", () => dialog.close());
  link.replaceWith(cancel);
  return { dialog, cancel, form: dialog.querySelector("form") };
}

async function askFirst(url, trigger, proceed) {
  if (asking) return;
  asking = true;
  const content = await confirmationContent(url);
  asking = false;
  if (!content) {
    window.location.assign(url); // the confirmation page asks instead
    return;
  }
  const { dialog, cancel, form } = confirmationDialog(content);
  let sent = false;
  form.addEventListener("submit", (event) => {
    if (sent || proceed) event.preventDefault();
    sent = true;
    if (proceed) {
      dialog.close();
      proceed();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    trigger.focus();
  });
  document.body.append(dialog);
  dialog.showModal(); // Escape cancels
  cancel.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches("form[data-confirm]")) return;
  event.preventDefault();
  const url = new URL(form.action, document.baseURI);
  url.search = new URLSearchParams(new FormData(form)).toString();
  askFirst(url.href, event.submitter || form);
});

document.addEventListener("htmx:confirm", (event) => {
  const element = event.detail.elt;
  if (!element.hasAttribute("data-confirm")) return;
  event.preventDefault();
  askFirst(element.dataset.confirm || event.detail.path, element, () =>
    event.detail.issueRequest(true),
  );
});

// A picker's search replaces its list while the beheerder may still be ticking: a box ticked
// or unticked after the search was sent would otherwise come back in the state the request
// carried, and the focused box would vanish. The list's selection just before the swap is
// the truth; after the swap the new list is made to match it, ticks the new list does not
// show are kept as hidden fields, and the focus returns to the same box.
const pickedKey = (input) => `${input.name}=${input.value}`;
let pickerBeforeSwap = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const list = event.detail.target;
  if (list.id !== "picker-list") return;
  const picked = new Set();
  const shown = new Set();
  for (const input of list.querySelectorAll("input[type=checkbox], input[type=hidden]")) {
    if (input.type === "checkbox") shown.add(pickedKey(input));
    // A ticked but disabled box (a person who can no longer be chosen) is not sent.
    const chosen = input.type === "hidden" || (input.checked && !input.disabled);
    if (chosen) picked.add(pickedKey(input));
  }
  const focused = list.contains(document.activeElement) ? pickedKey(document.activeElement) : null;
  pickerBeforeSwap = { picked, shown, focused };
});

document.addEventListener("htmx:afterSwap", (event) => {
  const list = event.detail.target;
  if (list.id !== "picker-list" || !pickerBeforeSwap) return;
  const { picked, shown, focused } = pickerBeforeSwap;
  pickerBeforeSwap = null;
  const present = new Set();
  let refocused = false;
  for (const input of list.querySelectorAll("input[type=checkbox], input[type=hidden]")) {
    const key = pickedKey(input);
    present.add(key);
    if (input.type === "checkbox") {
      if (input.disabled) continue;
      if (picked.has(key)) input.checked = true;
      else if (shown.has(key)) input.checked = false;
      if (key === focused) {
        input.focus();
        refocused = true;
      }
    } else if (!picked.has(key)) input.remove();
  }
  // The focused box is not among the results: back to the search field that filtered it out.
  if (focused && !refocused) document.querySelector('[hx-target="#picker-list"]')?.focus();
  for (const key of picked) {
    if (present.has(key)) continue;
    const [name, ...value] = key.split("=");
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = name;
    hidden.value = value.join("=");
    list.append(hidden);
  }
});
