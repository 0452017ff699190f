// Text differences for the sync protocol, on top of diff-match-patch (the JavaScript port of
// the library the server uses in Python). Pure functions: no DOM, no CodeMirror.
//
// The client changes its editor's text in two ways, both by position with the server's own
// merge (merge.js), never with diff-match-patch's fuzzy patch_apply, which searches for
// context and, as SYNC.md measured, puts edits in the wrong place in repetitive text and cuts
// words typed inside a passage that someone else deleted: applying the server's edits to a
// text the person typed into while the sync was out, and rebasing unsynced text onto a new
// session's text after a reconnection.
//
// Positions and lengths are UTF-16 code units, as JavaScript strings are and as SYNC.md
// requires of deltas. Two things the library does not do for us are done here:
//   * every diff is cleaned with diff_cleanupSemanticLossless before it becomes a delta or a
//     patch (SYNC.md: "clean every diff before it becomes a patch");
//   * no diff is allowed to split a surrogate pair. diff_main works on UTF-16 code units, so
//     changing "😀" into "😁" (which share their first unit) would otherwise produce a delta
//     that inserts half a character: encodeURI throws on it, and the server (which counts
//     whole characters) could not apply it anyway.

import DiffMatchPatch from "diff-match-patch";

export const DIFF_DELETE = -1;
export const DIFF_INSERT = 1;
export const DIFF_EQUAL = 0;

/** One configured diff-match-patch instance for the whole page. */
export const dmp = new DiffMatchPatch();
// A large paste must not freeze the tab: past one second, diff_main returns a coarser
// (still correct) diff.
dmp.Diff_Timeout = 1.0;

/** Raised when a server delta does not fit our shadow: the protocol answer is to reconnect. */
export class DeltaMismatch extends Error {
  constructor(message) {
    super(message);
    this.name = "DeltaMismatch";
  }
}

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * Move diff boundaries that fall inside a surrogate pair so that each diff holds whole
 * characters. Works on diffs as diff_main returns them (already merged); returns new diffs.
 */
export function keepSurrogatePairsWhole(diffs) {
  const out = diffs.map(([op, text]) => [op, text]);
  for (let i = 0; i < out.length; i++) {
    const equality = out[i];
    if (equality[0] !== DIFF_EQUAL) continue;
    // An equality starting with a low surrogate, after a change: the pair's high half was
    // changed, so the whole pair belongs to the change (deleted and inserted again).
    if (i > 0 && equality[1].length && isLow(equality[1].charCodeAt(0))) {
      const low = equality[1][0];
      equality[1] = equality[1].slice(1);
      appendToChange(out, i - 1, low);
      i = out.indexOf(equality); // the change before may have grown by one diff
    }
    // An equality ending with a high surrogate, before a change: the same, the other way.
    const text = equality[1];
    if (i + 1 < out.length && text.length && isHigh(text.charCodeAt(text.length - 1))) {
      equality[1] = text.slice(0, -1);
      prependToChange(out, i + 1, text[text.length - 1]);
    }
  }
  return mergeAdjacent(out.filter(([, text]) => text.length > 0));
}

// The changes (deletions and insertions) that follow out[start] up to the next equality get
// `unit` in front; a missing deletion or insertion is created.
function prependToChange(out, start, unit) {
  let end = start;
  while (end < out.length && out[end][0] !== DIFF_EQUAL) end++;
  let sawDelete = false;
  let sawInsert = false;
  for (let k = start; k < end; k++) {
    if (out[k][0] === DIFF_DELETE && !sawDelete) {
      out[k][1] = unit + out[k][1];
      sawDelete = true;
    } else if (out[k][0] === DIFF_INSERT && !sawInsert) {
      out[k][1] = unit + out[k][1];
      sawInsert = true;
    }
  }
  if (!sawInsert) out.splice(end, 0, [DIFF_INSERT, unit]);
  if (!sawDelete) out.splice(start, 0, [DIFF_DELETE, unit]);
}

// The changes before out[end] back to the previous equality get `unit` at their end.
function appendToChange(out, end, unit) {
  let start = end;
  while (start >= 0 && out[start][0] !== DIFF_EQUAL) start--;
  let sawDelete = false;
  let sawInsert = false;
  for (let k = end; k > start; k--) {
    if (out[k][0] === DIFF_DELETE && !sawDelete) {
      out[k][1] = out[k][1] + unit;
      sawDelete = true;
    } else if (out[k][0] === DIFF_INSERT && !sawInsert) {
      out[k][1] = out[k][1] + unit;
      sawInsert = true;
    }
  }
  if (!sawInsert) out.splice(end + 1, 0, [DIFF_INSERT, unit]);
  if (!sawDelete) out.splice(start + 1, 0, [DIFF_DELETE, unit]);
}

// Join neighbours of the same kind, deletions before insertions within a change. (Not
// diff_cleanupMerge: it factors common prefixes out of changes and would split pairs again.)
function mergeAdjacent(diffs) {
  const out = [];
  let i = 0;
  while (i < diffs.length) {
    if (diffs[i][0] === DIFF_EQUAL) {
      let text = "";
      while (i < diffs.length && diffs[i][0] === DIFF_EQUAL) text += diffs[i++][1];
      out.push([DIFF_EQUAL, text]);
    } else {
      let deleted = "";
      let inserted = "";
      while (i < diffs.length && diffs[i][0] !== DIFF_EQUAL) {
        if (diffs[i][0] === DIFF_DELETE) deleted += diffs[i][1];
        else inserted += diffs[i][1];
        i++;
      }
      if (deleted) out.push([DIFF_DELETE, deleted]);
      if (inserted) out.push([DIFF_INSERT, inserted]);
    }
  }
  return out;
}

/** The cleaned diff from `a` to `b`: word-aligned edits, surrogate pairs whole. */
export function diff(a, b) {
  const diffs = dmp.diff_main(a, b);
  dmp.diff_cleanupSemanticLossless(diffs);
  return keepSurrogatePairsWhole(diffs);
}

/**
 * The same change as `diffs`, merged into canonical runs, slid to word boundaries and with
 * surrogate pairs whole (the server's `normalize`, for diffs that came from a delta).
 */
export function normalize(diffs) {
  const copy = diffs.map(([op, text]) => [op, text]);
  dmp.diff_cleanupMerge(copy);
  dmp.diff_cleanupSemanticLossless(copy);
  return keepSurrogatePairsWhole(copy);
}

/** The delta (diff_toDelta text) that turns `a` into `b`. */
export function makeDelta(a, b) {
  return dmp.diff_toDelta(diff(a, b));
}

/**
 * The diffs a delta describes against `base`, exactly (diff_fromDelta). A delta that does not
 * fit the base (wrong length, bad escape, unknown operation) raises DeltaMismatch: never guess.
 */
export function diffsFromDelta(base, delta) {
  try {
    return dmp.diff_fromDelta(base, delta);
  } catch (error) {
    throw new DeltaMismatch(String(error && error.message ? error.message : error));
  }
}

/** The text after diffs. */
export function textAfter(diffs) {
  return dmp.diff_text2(diffs);
}

/**
 * The smallest set of {from, to, insert} changes (positions in `a`, in ascending order) that
 * turns `a` into `b`, for an editor transaction that leaves the cursor alone where it can.
 */
export function changesBetween(a, b) {
  const changes = [];
  if (a === b) return changes;
  const diffs = dmp.diff_main(a, b, false);
  dmp.diff_cleanupEfficiency(diffs);
  const whole = keepSurrogatePairsWhole(diffs);
  let pos = 0;
  for (let i = 0; i < whole.length; i++) {
    const [op, text] = whole[i];
    if (op === DIFF_EQUAL) {
      pos += text.length;
    } else if (op === DIFF_DELETE) {
      const next = whole[i + 1];
      const insert = next && next[0] === DIFF_INSERT ? next[1] : "";
      if (insert) i++;
      changes.push({ from: pos, to: pos + text.length, insert });
      pos += text.length;
    } else {
      changes.push({ from: pos, to: pos, insert: text });
    }
  }
  return changes;
}
