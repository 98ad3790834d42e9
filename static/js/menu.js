// The side menu behind the header's "Menu" button on narrow screens (zlogin.css hides it below
// 1024 px). Without JavaScript the button is a link to #menu, which shows the menu by :target;
// here it becomes a real button that shows and hides the menu in place.
(function () {
  "use strict";

  function enhance() {
    var link = document.querySelector("[data-menu-toggle]");
    var menu = document.getElementById("menu");
    if (!link) return;
    if (!menu) {
      link.remove();
      return;
    }

    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.setAttribute("aria-controls", menu.id);
    while (link.firstChild) button.appendChild(link.firstChild);
    link.replaceWith(button);

    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    }

    // The menu follows the button from now on, not the address's #menu.
    var openedByLink = menu.matches(":target");
    menu.classList.add("menu-enhanced");
    setOpen(openedByLink);

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      if (document.activeElement !== button && !menu.contains(document.activeElement)) return;
      setOpen(false);
      button.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
