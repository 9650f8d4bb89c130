// The only script of our own: opens the shared <dialog> when htmx puts content in it, keeps focus where a
// keyboard user expects it, and closes it on request. Everything else is htmx attributes or plain HTML.
(() => {
  const dialog = document.getElementById("modal");
  const body = document.getElementById("modal-body");
  if (!dialog || !body) return;
  let opener = null;

  const focusFirst = () => {
    const target = body.querySelector("[aria-invalid='true']") || body.querySelector("[autofocus]") || body.querySelector("#modal-title");
    if (!target) return;
    if (target.id === "modal-title") target.setAttribute("tabindex", "-1");
    target.focus();
  };

  // Remember what opened the dialog so focus can go back there when it closes.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("[hx-target='#modal-body']") : null;
    if (link && !dialog.contains(link)) opener = link;
    if (event.target instanceof Element && event.target.closest("[data-close-modal]")) dialog.close();
  });

  // A click on the backdrop closes the dialog. The <dialog> has no padding (app.css), so a click whose target is
  // the dialog itself landed outside its content; a drag that started inside (selecting text) does not count.
  let pressedOnBackdrop = false;
  dialog.addEventListener("pointerdown", (event) => {
    pressedOnBackdrop = event.target === dialog;
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && pressedOnBackdrop) dialog.close();
    pressedOnBackdrop = false;
  });

  // Any content swapped into the dialog body (a modal, a validation error, a thank-you) shows the dialog.
  new MutationObserver(() => {
    if (!body.firstElementChild) return;
    if (!dialog.open) dialog.showModal();
    focusFirst();
  }).observe(body, { childList: true });

  dialog.addEventListener("close", () => {
    body.replaceChildren();
    if (opener && document.contains(opener)) {
      opener.focus();
    } else if (opener) {
      // The action replaced the card (e.g. Disconnect): focus the same card's new action instead.
      const cardId = opener.closest("article")?.id;
      const card = cardId ? document.getElementById(cardId) : null;
      card?.querySelector(".actions a, .actions button")?.focus();
    }
    opener = null;
  });

  // The server asks for this after an action whose result is already visible on the page.
  document.body.addEventListener("modal:close", () => dialog.close());
})();
