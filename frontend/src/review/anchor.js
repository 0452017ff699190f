// Anchors {quote, prefix, suffix}: taken from a selection in the rendered text, and found there again.

export const CONTEXT = 32; // characters of prefix and suffix sent with a quote
export const MAX_QUOTE = 2000; // the API's limit on a quote's length
const MARKUP = /[*_`#>[\]|~\\]/; // Markdown punctuation that the rendered text no longer shows

/** The text with whitespace runs collapsed and Markdown punctuation dropped, and for each of
 * its characters the position it came from, so a source quote matches the rendered text. */
export function normalized(raw) {
  let text = "";
  const map = [];
  let space = false;
  for (let i = 0; i < raw.length; i += 1) {
    const char = raw[i];
    if (/\s/.test(char)) {
      if (!space && text) {
        text += " ";
        map.push(i);
      }
      space = true;
    } else if (!MARKUP.test(char)) {
      text += char;
      map.push(i);
      space = false;
    }
  }
  return { text, map };
}

/** How many characters two strings share at their ends. */
export function sharedEnd(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
  return n;
}

/** How many characters two strings share at their starts. */
export function sharedStart(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

// normalized(text) of the last text located in: wrapping passages in marks moves text nodes
// but never changes the text, so one pass serves every card on the page.
let normalizedCache = { text: null, value: null };

function normalizedText(text) {
  if (normalizedCache.text !== text) normalizedCache = { text, value: normalized(text) };
  return normalizedCache.value;
}

/** Where a quote stands in the rendered text: {start, end} in `text`, or null. Among several
 * occurrences, the one whose surroundings best match prefix and suffix wins (the first, on a
 * tie), since a short quote ("the State") may occur many times. */
export function locate(text, quote, prefix, suffix) {
  const haystack = normalizedText(text);
  const needle = normalized(quote).text.trim();
  if (!needle) return null;
  const before = normalized(prefix || "").text;
  const after = normalized(suffix || "").text;
  let best = null;
  let bestScore = -1;
  for (let at = haystack.text.indexOf(needle); at !== -1; at = haystack.text.indexOf(needle, at + 1)) {
    const score =
      sharedEnd(haystack.text.slice(Math.max(0, at - before.length), at), before) +
      sharedStart(haystack.text.slice(at + needle.length, at + needle.length + after.length), after);
    if (score > bestScore) {
      best = at;
      bestScore = score;
    }
  }
  if (best === null) return null;
  return { start: haystack.map[best], end: haystack.map[best + needle.length - 1] + 1 };
}

/** The anchor for [start, end) of the text, without the whitespace at its ends, or null when
 * nothing but whitespace is selected or the quote is longer than the API takes. */
export function anchorAt(text, start, end) {
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (end <= start || end - start > MAX_QUOTE) return null;
  return {
    quote: text.slice(start, end),
    prefix: text.slice(Math.max(0, start - CONTEXT), start),
    suffix: text.slice(end, end + CONTEXT),
  };
}

/** The words of a context that belong to the passage's own paragraph (the source has
 * Markdown between paragraphs that the page does not show). */
export function sameBlock(context, before) {
  const parts = context.split("\n\n");
  return before ? parts[parts.length - 1] : parts[0];
}

/** Anchors to try, most precise first, without repeats. The server matches prefix and suffix
 * exactly against the Markdown source, which differs from the page around formatting: when it
 * cannot find the passage with its context (422), a shorter context, then the quote alone,
 * may do. */
export function anchorsToTry(anchor) {
  const { quote } = anchor;
  const prefix = sameBlock(anchor.prefix, true);
  const suffix = sameBlock(anchor.suffix, false);
  const candidates = [
    { quote, prefix, suffix },
    { quote, prefix: prefix.slice(-8), suffix: suffix.slice(0, 8) },
    { quote },
  ];
  const seen = new Set();
  return candidates.filter((candidate) => {
    const key = JSON.stringify(candidate);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
