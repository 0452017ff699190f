// The margin: on a wide screen each card stands level with its passage in the text.

import { firstPassage } from "./cards.js";

export const CARD_SPACING = 8; // px kept between one card's bottom and the next card's top

/** The space to put above a card so that it starts level with its passage (at `wanted`),
 * pushed down only, and never up over the card before it (which ends at `previousBottom`). */
export function gapAbove(wanted, top, previousBottom) {
  return Math.max(0, wanted - Math.max(top, previousBottom));
}

/** Place cards one after another, top to bottom. Each card is {passageTop(), top(), bottom(),
 * setGap(px)}: passageTop() is null for a card whose passage is not in the text (it keeps its
 * place in the list). top() and bottom() are measured after the cards before it have moved,
 * since moving one card moves every card below it (by how much depends on margin collapsing,
 * which only the browser knows). */
export function placeCards(cards) {
  let bottom = -Infinity;
  for (const card of cards) {
    const top = card.top();
    const wanted = card.passageTop();
    if (wanted !== null) card.setGap(gapAbove(wanted, top, bottom));
    bottom = card.bottom() + CARD_SPACING;
  }
}

/** A card of the margin list as placeCards measures and moves it. */
function measured(article, card) {
  const passage = firstPassage(article, card);
  return {
    top: () => card.getBoundingClientRect().top,
    bottom: () => card.getBoundingClientRect().bottom,
    passageTop: () => (passage ? passage.getBoundingClientRect().top : null),
    setGap: (gap) => {
      card.style.marginBlockStart = `${gap}px`;
    },
  };
}

/** Lay the margin out again: every card back in its place, then, on a wide screen (where the
 * panel is beside the text), each moved down level with its passage. */
export function layoutMargin(page) {
  const cards = [...page.panel.querySelectorAll("[data-margin-list] > .review-card")];
  for (const card of cards) card.style.marginBlockStart = "";
  if (!page.wide.matches) return;
  placeCards(cards.map((card) => measured(page.article, card)));
}
