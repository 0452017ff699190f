// Passages in the text: comments highlighted, open suggestions shown as tracked changes.

import { locate } from "./anchor.js";
import { firstPassage, isSuggestion, labelOf, quoteOf, textOf } from "./cards.js";
import { textIndex, wrap } from "./textindex.js";

const FLASH_MS = 1600; // how long "Show in text" outlines the passage (.flash-passage)

/** An element of the text standing for a card's passage; clicking it goes to the card. */
function passageElement(page, tag, card, className) {
  const element = document.createElement(tag);
  element.className = className;
  element.dataset.card = card.id;
  element.title = labelOf(card, page.strings);
  return element;
}

/** Wrap the card's passage in elements made by `make`; returns them, none if it is not found.
 * The text is indexed again for each card, since every wrap before has split its nodes. */
function wrapPassage(page, card, make) {
  const index = textIndex(page.article);
  const where = locate(index.text, quoteOf(card), card.dataset.prefix, card.dataset.suffix);
  return where ? wrap(index, where.start, where.end, make) : [];
}

function markComment(page, card) {
  const marks = wrapPassage(page, card, () => passageElement(page, "mark", card, "comment-mark"));
  return marks.length > 0;
}

/** The old wording struck (<del>), the proposed wording inserted after it (<ins>). */
function markSuggestion(page, card) {
  const removed = wrapPassage(page, card, () => passageElement(page, "del", card, "tracked-delete"));
  if (!removed.length) return false;
  const inserted = passageElement(page, "ins", card, "tracked-insert");
  inserted.textContent = textOf(card, ".change ins");
  const last = removed[removed.length - 1];
  last.parentNode.insertBefore(inserted, last.nextSibling);
  return true;
}

/** The panel's card a passage in the text stands for (never an element elsewhere). */
function cardOf(page, element) {
  const card = document.getElementById(element.dataset.card);
  return card && page.panel.contains(card) ? card : null;
}

function focusCard(card) {
  if (!card) return;
  card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  card.focus({ preventScroll: true });
}

/** Scroll to the card's passage and make every part of it flash once. */
function showInText(page, card) {
  const first = firstPassage(page.article, card);
  if (!first) return;
  first.scrollIntoView({ block: "center", behavior: "smooth" });
  for (const part of page.article.querySelectorAll(`[data-card="${card.id}"]`)) {
    part.classList.add("flash-passage");
    window.setTimeout(() => part.classList.remove("flash-passage"), FLASH_MS);
  }
}

/** Mark every anchored card's passage (is-anchored says it was found), and link the two ways:
 * a passage to its card, a card's "Show in text" to its passage. */
export function markPassages(page) {
  for (const card of page.panel.querySelectorAll(".review-card[data-anchored]")) {
    const found = isSuggestion(card) ? markSuggestion(page, card) : markComment(page, card);
    card.classList.toggle("is-anchored", found);
  }
  page.article.addEventListener("click", (event) => {
    const passage = event.target.closest("[data-card]");
    if (passage) focusCard(cardOf(page, passage));
  });
  page.panel.addEventListener("click", (event) => {
    const button = event.target.closest("[data-show-in-text]");
    if (button) showInText(page, button.closest(".review-card"));
  });
}
