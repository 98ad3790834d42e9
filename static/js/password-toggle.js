// A show-password button beside each password field (the login and set-password pages only).
// A toggle button: its name stays "Toon wachtwoord" and aria-pressed says whether the password
// is shown (WAI-ARIA APG, button pattern). The translated name comes from the script tag's
// data-label. Without JavaScript the fields are plain password fields.
(() => {
  const label = document.currentScript.dataset.label;
  const eye =
    '<path d="M1.5 12S5.5 5 12 5s10.5 7 10.5 7-4 7-10.5 7S1.5 12 1.5 12Z"/><circle cx="12" cy="12" r="3.2"/>';
  const icons =
    `<svg class="icon-show" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${eye}</svg>` +
    `<svg class="icon-hide" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${eye}<path d="M3 3l18 18"/></svg>`;

  function show(input, button, shown) {
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", String(shown));
  }

  function addToggle(input) {
    const hadFocus = document.activeElement === input;
    const wrapper = document.createElement("span");
    wrapper.className = "password-field";
    input.before(wrapper);
    wrapper.append(input);
    // Shown as text, a password must not go to a spell checker or be changed by the keyboard.
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
    input.setAttribute("autocorrect", "off");

    const button = document.createElement("button");
    button.type = "button";
    button.className = "password-toggle";
    button.setAttribute("aria-controls", input.id);
    button.innerHTML = icons;
    // The name is the button's (hidden) text, not aria-label: so it is no label of the field.
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = label;
    button.append(name);
    show(input, button, false);
    button.addEventListener("click", () => show(input, button, input.type === "password"));
    wrapper.append(button);

    // Hidden again before the form is sent, so that no browser keeps it as plain text.
    input.form?.addEventListener("submit", () => show(input, button, false));
    if (hadFocus) input.focus();
  }

  document.querySelectorAll('input[type="password"]').forEach(addToggle);
})();
