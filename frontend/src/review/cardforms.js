// The cards' forms: each made once in the panel's <template>s, copied into a card's <details>
// when it opens, with the card's number where {id} stands.

import { cardNumber, isSuggestion, textOf } from "./cards.js";

const ID_ATTRIBUTES = ["id", "for", "action", "value"]; // where a template writes {id}

/** An attribute's value with the card's number where {id} stands, or null if it has none. */
export function withCardId(value, id) {
  return value && value.includes("{id}") ? value.replaceAll("{id}", id) : null;
}

/** The words a copied form starts with: the comment's own words, or the proposed wording. */
function prefill(details, name) {
  if (name === "body") {
    const body = details.closest(".card-actions").previousElementSibling;
    return body ? body.textContent : "";
  }
  return textOf(details.closest(".review-card"), ".change ins");
}

/** Put a copy of the <details>' form (its data-fill names the template) inside it, once. */
function fillDetails(panel, details, bindMentions) {
  const template = panel.querySelector(`template[data-form="${details.dataset.fill}"]`);
  if (!template || details.dataset.filled) return;
  const form = template.content.firstElementChild.cloneNode(true);
  for (const element of [form, ...form.querySelectorAll("*")]) {
    for (const name of ID_ATTRIBUTES) {
      const value = withCardId(element.getAttribute(name), details.dataset.id);
      if (value !== null) element.setAttribute(name, value);
    }
  }
  // "I have read the passage as it stands now" is asked only where it changed since.
  if (!details.closest(".review-card").hasAttribute("data-outdated")) {
    for (const part of form.querySelectorAll("[data-if-outdated]")) part.remove();
  }
  for (const field of form.querySelectorAll("[data-prefill]")) field.value = prefill(details, field.dataset.prefill);
  for (const fallback of details.querySelectorAll(".no-js")) fallback.remove();
  details.appendChild(form);
  details.dataset.filled = "1";
  for (const field of form.querySelectorAll("textarea[data-mentions]")) bindMentions(field);
}

/** A <details> whose form the panel's <template data-form=kind> makes when it opens. */
function disclosure(kind, id, summaryText) {
  const details = document.createElement("details");
  details.dataset.fill = kind;
  details.dataset.id = id;
  const summary = document.createElement("summary");
  summary.textContent = summaryText;
  details.appendChild(summary);
  return details;
}

function showInTextButton(strings) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link-button";
  button.dataset.showInText = "";
  button.textContent = strings.showInText;
  return button;
}

/** What only the script can do, added to each card here rather than sent with each card:
 * "Show in text", and the forms to reply or decide (per the reader's role, on the panel). */
function addCardActions(page) {
  const { panel, strings } = page;
  const canReply = "canReply" in panel.dataset;
  const canDecide = "canDecide" in panel.dataset;
  for (const card of panel.querySelectorAll("[data-margin-list] > .review-card")) {
    const actions = card.querySelector(":scope > [data-actions]");
    const id = cardNumber(card);
    if ("anchored" in card.dataset) actions.prepend(showInTextButton(strings));
    if (isSuggestion(card) && canDecide) {
      card.append(
        disclosure("accept", id, strings.accept),
        disclosure("accept-edit", id, strings.acceptWithEdits),
        disclosure("reject", id, strings.reject),
      );
    } else if (!isSuggestion(card) && canReply) {
      actions.insertBefore(disclosure("reply", id, strings.reply), actions.querySelector("button[form]"));
    }
  }
}

/** Add the cards' actions, fill a <details> when it opens, and make delete and withdraw ask
 * first (the shared form's buttons carry the question; app.js asks only for whole forms). */
export function setUpCardForms(page, bindMentions) {
  addCardActions(page);
  page.panel.addEventListener(
    "toggle",
    (event) => {
      if (event.target.matches("details[data-fill]") && event.target.open) {
        fillDetails(page.panel, event.target, bindMentions);
      }
    },
    true, // toggle does not bubble
  );
  const shared = document.getElementById("review-action");
  if (!shared) return;
  shared.addEventListener("submit", (event) => {
    const question = event.submitter && event.submitter.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
}
