// The reader's selection: as an anchor in the text, and the toolbar that offers to comment on it.

import { anchorAt } from "./anchor.js";
import { offsetOf, textIndex } from "./textindex.js";

const TOOLBAR_MARGIN = 8; // px between the toolbar and the selection, and the screen's edges
const PHONE = "(max-width: 40rem)"; // where review.css fixes the toolbar at the bottom instead

function insideArticle(article, node) {
  return node && article.contains(node.nodeType === Node.TEXT_NODE ? node.parentNode : node);
}

/** The selection as an anchor {quote, prefix, suffix, rect}, or null when it is not a passage
 * of the article (nothing selected, or only partly in the text, only spaces, too long). */
export function selectedAnchor(article) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!insideArticle(article, range.startContainer) || !insideArticle(article, range.endContainer)) return null;
  const index = textIndex(article);
  const start = offsetOf(index, range.startContainer, range.startOffset);
  const end = offsetOf(index, range.endContainer, range.endOffset);
  const anchor = anchorAt(index.text, start, end);
  return anchor && { ...anchor, rect: range.getBoundingClientRect() };
}

/** Where the toolbar goes, in page coordinates: centred under the selection's rectangle
 * (viewport coordinates), kept inside the screen's width. `view` is {innerWidth, scrollX, scrollY}. */
export function toolbarPosition(rect, width, view) {
  const centred = rect.left + rect.width / 2 - width / 2;
  const left = Math.min(Math.max(TOOLBAR_MARGIN, centred), view.innerWidth - width - TOOLBAR_MARGIN);
  return { top: view.scrollY + rect.bottom + TOOLBAR_MARGIN, left: view.scrollX + left };
}

/** Show the toolbar under the selection, or, on a phone, where the stylesheet puts it. */
export function placeToolbar(page, toolbar, rect) {
  toolbar.hidden = false;
  if (!page.wide.matches && window.matchMedia(PHONE).matches) {
    toolbar.style.top = ""; // a phone: fixed at the bottom of the screen (review.css)
    toolbar.style.left = "";
    return;
  }
  const { top, left } = toolbarPosition(rect, toolbar.offsetWidth, window);
  toolbar.style.top = `${top}px`;
  toolbar.style.left = `${left}px`;
}
