// The line beside the cost consent on the Acties tab: how many paid renewals "Verleng
// selectie" requests, kept in step with the ticked rows. The number shown is sent along, and
// the server sends only when it is the number selected. The sentences come from the page
// (translated on the server, one per possible number), so this file holds no wording.
(() => {
  const update = (form) => {
    const texts = form.querySelector("#paid-summary-texts");
    if (!texts) return;
    const count = form.querySelectorAll('input[name="selectie"]:checked').length;
    form.querySelector("[data-paid-summary]").textContent = JSON.parse(texts.textContent)[count];
    form.querySelector('input[name="getoond_aantal"]').value = count;
  };

  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-paid-selection]");
    if (form && event.target.name === "selectie") update(form);
  });

  // A page taken from the browser's history may come back with boxes ticked.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-paid-selection]").forEach(update);
  });
})();
