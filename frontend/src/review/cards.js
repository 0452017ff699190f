// What a card in the panel says about itself: its kind, its passage, its words, its person.

export function isSuggestion(card) {
  return card.classList.contains("suggestion");
}

/** The words of the card's element matching `selector` (the server sends each once). */
export function textOf(card, selector) {
  const element = card.querySelector(selector);
  return element ? element.textContent : "";
}

/** The passage a card is about, as its card shows it: quoted, or struck out. */
export function quoteOf(card) {
  return textOf(card, isSuggestion(card) ? ".change del" : ".quote");
}

/** "Comment by Amina Diallo": the card's first person, in the sentence for its kind. */
export function labelOf(card, strings) {
  const who = card.querySelector(".who");
  const pattern = isSuggestion(card) ? strings.proposedBy : strings.commentBy;
  return who && pattern ? pattern.replace("%(name)s", who.textContent) : "";
}

/** The number in a card's id ("thread-12", "suggestion-7"), which its forms' URLs take. */
export function cardNumber(card) {
  return card.id.slice(card.id.indexOf("-") + 1);
}

/** The element a card's passage in the text is wrapped in first, if it was found. */
export function firstPassage(article, card) {
  return article.querySelector(`[data-card="${card.id}"]`);
}
