// Select a passage, then comment on it or propose other wording: the toolbar and the dialog.

import { composedRequest, createdHash, failureMessage, postJson, sendWithAnchors } from "./api.js";
import { debounce } from "./debounce.js";
import { placeToolbar, selectedAnchor } from "./selection.js";

const SELECTION_SETTLES_MS = 200; // a selection being dragged changes many times a second

function showError(dialog, message) {
  const error = dialog.querySelector("[data-compose-error]");
  error.textContent = message;
  error.hidden = !message;
}

/** Open the dialog for the anchor in `mode` ("comment" or "suggest"). The other mode's fields
 * are hidden and disabled, so that they are neither filled in nor sent. */
function openCompose(page, compose, mode) {
  const { dialog, toolbar, anchor } = compose;
  if (!anchor) return;
  dialog.dataset.mode = mode;
  dialog.querySelector("[data-compose-quote]").textContent = anchor.quote;
  for (const part of dialog.querySelectorAll("[data-compose-part]")) {
    const active = part.dataset.composePart === mode;
    part.hidden = !active;
    for (const field of part.querySelectorAll("textarea")) field.disabled = !active;
  }
  dialog.querySelector("[data-compose-heading]").textContent =
    mode === "suggest" ? page.strings.suggestHeading : page.strings.commentHeading;
  const replacement = dialog.querySelector("[name=replacement]");
  replacement.value = anchor.quote; // one proposes other wording by editing the old
  showError(dialog, "");
  toolbar.hidden = true;
  dialog.showModal();
  (mode === "suggest" ? replacement : dialog.querySelector("[name=body]")).focus();
}

/** Offer the toolbar for a passage selected, hide it otherwise (not while the dialog is open:
 * typing there changes the selection, and the anchor is the passage the dialog quotes). */
function onSelectionChange(page, compose) {
  if (compose.dialog.open) return;
  compose.anchor = selectedAnchor(page.article);
  if (compose.anchor) placeToolbar(page, compose.toolbar, compose.anchor.rect);
  else compose.toolbar.hidden = true;
}

/** Post the dialog's form; on success reload, on the new card, to show it with the rest,
 * rendered (and escaped) by the server. */
async function submitCompose(page, compose, event) {
  const { dialog } = compose;
  event.preventDefault();
  if (dialog.dataset.mode === "comment" && !dialog.querySelector("[name=body]").value.trim()) {
    showError(dialog, page.strings.empty);
    return;
  }
  const submit = dialog.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    // The form is read for each try: it stays editable while a request is out.
    const form = () => new FormData(dialog.querySelector("form"));
    const request = (anchor) => composedRequest(dialog.dataset.mode, page.panel.dataset.documentId, form(), anchor);
    const post = (path, payload) => postJson(page.panel.dataset.apiBase, path, payload);
    const [status, body, kind] = await sendWithAnchors(compose.anchor, request, post);
    if (status === 201 && body) {
      window.location.hash = createdHash(kind, body.id);
      window.location.reload();
      return;
    }
    showError(dialog, failureMessage(status, body, page.strings));
  } catch {
    showError(dialog, page.strings.offline);
  } finally {
    submit.disabled = false;
  }
}

/** Wire the toolbar and the dialog, where the page has them (only for those who may comment)
 * and the browser has <dialog>. */
export function setUpCompose(page) {
  const compose = {
    toolbar: page.panel.querySelector("[data-compose-toolbar]"),
    dialog: page.panel.querySelector("[data-compose]"),
    anchor: null, // the passage last selected, which the dialog is about
  };
  const { toolbar, dialog } = compose;
  if (!toolbar || !dialog || typeof dialog.showModal !== "function") return;
  document.body.appendChild(toolbar); // placed in page coordinates, outside any layout box
  document.addEventListener(
    "selectionchange",
    debounce(() => onSelectionChange(page, compose), SELECTION_SETTLES_MS),
  );
  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  for (const button of toolbar.querySelectorAll("[data-compose-mode]")) {
    button.addEventListener("click", () => openCompose(page, compose, button.dataset.composeMode));
  }
  dialog.querySelector("form").addEventListener("submit", (event) => submitCompose(page, compose, event));
  dialog.querySelector("[data-compose-cancel]").addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !toolbar.hidden) toolbar.hidden = true;
  });
}
