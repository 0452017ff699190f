// The reading page's comments and suggestions: the entry point of static/vendor/review.bundle.js.
//
// The page (templates/documents/read.html, templates/review/_panel.html) provides the text
// (<article data-review-text>) and the panel (<aside data-review>, with data-strings: every
// sentence shown, translated, as JSON; nothing here is inline, for the CSP). Without this
// script the panel below the text still does everything: one-click actions are buttons of one
// shared plain form, and a card's other forms are on its own page. With it:
// - a card's <details> (Reply, Edit, Accept…) gets its form when opened, copied from the
//   panel's <template>s (the page carries each form once, not once per card): cardforms.js;
// - each comment's passage is highlighted in the text (<mark>), and each open suggestion is
//   shown where it applies as a tracked change (old wording struck, new inserted): passages.js;
// - on a wide screen the panel becomes a margin, each card level with its passage: margin.js;
// - selecting a passage offers "Comment" and "Suggest wording", which post to the JSON API
//   with the anchor {quote, prefix, suffix} taken from the selected text: compose.js;
// - typing @ in a comment offers the caucus's members: mentions.js.
// It is its own bundle, without CodeMirror: the reading page does not load the editor.

import { setUpCardForms } from "./cardforms.js";
import { setUpCompose } from "./compose.js";
import { debounce } from "./debounce.js";
import { layoutMargin } from "./margin.js";
import { createMentions } from "./mentions.js";
import { markPassages } from "./passages.js";

const WIDE = "(min-width: 72rem)"; // where review.css puts the panel beside the text
const RELAYOUT_MS = 150;

/** Lay the margin out now, and again whenever the cards or the text may have moved. */
function keepMarginLaidOut(page) {
  layoutMargin(page);
  const relayout = debounce(() => layoutMargin(page), RELAYOUT_MS);
  window.addEventListener("resize", relayout);
  page.wide.addEventListener("change", relayout);
  page.panel.addEventListener("toggle", relayout, true); // an unfolded form makes its card taller
  if (document.fonts) document.fonts.ready.then(() => layoutMargin(page)); // text reflows
}

/** Bring a card named in the address (#thread-12, after posting one) into view: the browser
 * scrolled there before the marks and the margin moved it. */
function scrollToTarget() {
  if (!window.location.hash) return;
  const target = document.getElementById(window.location.hash.slice(1));
  if (target) target.scrollIntoView({ block: "center" });
}

function start() {
  const panel = document.querySelector("[data-review]");
  const article = document.querySelector("[data-review-text]");
  if (!panel || !article) return;
  const page = {
    panel,
    article,
    strings: JSON.parse(panel.dataset.strings || "{}"),
    wide: window.matchMedia(WIDE),
  };
  const mentions = createMentions(JSON.parse(panel.dataset.members || "[]"), page.strings);

  markPassages(page);
  setUpCompose(page);
  for (const field of document.querySelectorAll("textarea[data-mentions]")) mentions.bind(field);
  setUpCardForms(page, mentions.bind);
  panel.classList.add("review-enhanced");
  keepMarginLaidOut(page);
  scrollToTarget();
}

start();
