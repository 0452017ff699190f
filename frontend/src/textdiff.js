// Text differences for the sync protocol, on top of diff-match-patch (the JavaScript port of
// the library the server uses in Python). Pure functions: no DOM, no CodeMirror.
//
// The client changes its editor's text in two ways, both by position (merge3), never with
// diff-match-patch's fuzzy patch_apply, which searches for context and, as SYNC.md measured,
// puts edits in the wrong place in repetitive text and cuts words typed inside a passage that
// someone else deleted: applying the server's edits to a text the person typed into while the
// sync was out, and rebasing unsynced text onto a new session's text.
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
 * The hunks of a → b for merging: [{from, to, insert}], positions in `a`, ascending, none
 * touching another, each made of whole words (see wordDiff). Where someone typed several
 * similar words, a character-level diff interleaves them ("[c0t" kept, "5] [c0t17" inserted…),
 * and a merge would then thread another person's words through the middle of a word.
 */
export function hunks(a, b) {
  const diffs = wordDiff(a, b) || widenedCharDiff(a, b);
  const out = [];
  let pos = 0;
  for (const [op, text] of diffs) {
    if (op === DIFF_EQUAL) {
      pos += text.length;
      continue;
    }
    const last = out[out.length - 1];
    const hunk = last && last.to === pos ? last : { from: pos, to: pos, insert: "" };
    if (hunk !== last) out.push(hunk);
    if (op === DIFF_DELETE) {
      hunk.to += text.length;
      pos += text.length;
    } else {
      hunk.insert += text;
    }
  }
  return out;
}

/**
 * A diff whose units are words and runs of white space (diff-match-patch's line-mode trick,
 * with words for lines). Null when the texts have too many
 * distinct words for one character each.
 */
export function wordDiff(a, b) {
  const codes = new Map();
  const words = [""];
  let next = 1;
  let full = false;
  const encode = (text) =>
    text.replace(/\s+|\S+/g, (word) => {
      let code = codes.get(word);
      if (code === undefined) {
        if (next === 0xd800) next = 0xe000; // no surrogate code units
        if (next > 0xffff) {
          full = true;
          return "";
        }
        code = String.fromCharCode(next++);
        codes.set(word, code);
        words.push(word);
      }
      return code;
    });
  const codedA = encode(a);
  const codedB = encode(b);
  if (full) return null;
  const diffs = dmp.diff_main(codedA, codedB, false);
  const decode = (coded) => {
    let text = "";
    for (let i = 0; i < coded.length; i++) {
      const code = coded.charCodeAt(i);
      text += words[code >= 0xe000 ? code - 0x800 : code];
    }
    return text;
  };
  return diffs.map(([op, coded]) => [op, decode(coded)]);
}

// The fallback: a character diff, its replacements and its insertions inside a word widened
// to whole words (at most WORD_REACH characters each way).
function widenedCharDiff(a, b) {
  const diffs = dmp.diff_main(a, b);
  dmp.diff_cleanupSemantic(diffs);
  const raw = [];
  let pos = 0;
  for (const [op, text] of keepSurrogatePairsWhole(diffs)) {
    if (op === DIFF_EQUAL) {
      pos += text.length;
      continue;
    }
    const last = raw[raw.length - 1];
    const hunk = last && last.to === pos ? last : { from: pos, to: pos, insert: "" };
    if (hunk !== last) raw.push(hunk);
    if (op === DIFF_DELETE) {
      hunk.to += text.length;
      pos += text.length;
    } else {
      hunk.insert += text;
    }
  }
  const groups = [];
  for (const hunk of raw) {
    let from = hunk.from;
    let to = hunk.to;
    const midWord = /\S/.test(a[from - 1] || " ") && /\S/.test(a[to] || " ");
    if (from < to || midWord) {
      from = widen(a, from, -1);
      to = widen(a, to, 1);
    }
    const last = groups[groups.length - 1];
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.members.push(hunk);
    } else {
      groups.push({ from, to, members: [hunk] });
    }
  }
  const out = [];
  let at = 0;
  for (const { from, to, members } of groups) {
    if (from > at) out.push([DIFF_EQUAL, a.slice(at, from)]);
    if (to > from) out.push([DIFF_DELETE, a.slice(from, to)]);
    const insert = applyHunks(a, from, to, members);
    if (insert) out.push([DIFF_INSERT, insert]);
    at = to;
  }
  if (at < a.length) out.push([DIFF_EQUAL, a.slice(at)]);
  return out;
}

const WORD_REACH = 24;

function widen(text, pos, direction) {
  for (let step = 0; step < WORD_REACH; step++) {
    const next = direction < 0 ? text[pos - 1] : text[pos];
    if (next === undefined || /\s/.test(next)) return pos;
    pos += direction;
  }
  return direction < 0 ? pos + WORD_REACH : pos - WORD_REACH; // no boundary near: as it was
}

// base[from, to) with the hunks (inside it, ascending) applied.
function applyHunks(base, from, to, list) {
  let out = "";
  let pos = from;
  for (const hunk of list) {
    out += base.slice(pos, hunk.from) + hunk.insert;
    pos = hunk.to;
  }
  return out + base.slice(pos, to);
}

// A position of the base text, in the text after `theirs` (hunks of base → theirs). `after`:
// whether a position where they inserted text lands after their insertion (or before it).
// A position strictly inside a passage they replaced lands after their version of it.
function mapThrough(pos, theirs, after) {
  let offset = 0;
  for (const hunk of theirs) {
    if (hunk.from > pos) break;
    if (hunk.from === hunk.to) {
      if (hunk.from < pos || after) offset += hunk.insert.length;
    } else if (hunk.to <= pos) {
      offset += hunk.insert.length - (hunk.to - hunk.from);
    } else if (hunk.from === pos) {
      return pos + offset;
    } else {
      return hunk.from + offset + hunk.insert.length;
    }
  }
  return pos + offset;
}

/**
 * Three-way merge by position: the change base → mine carried onto `theirs` (base → theirs),
 * each of my edits placed exactly where it was made, never by searching for context (which
 * SYNC.md measured landing edits in the wrong section of repetitive text).
 *   * An edit of mine in a place they left alone goes in as it is (where we both inserted at
 *     the same point, theirs comes first).
 *   * The same edit made on both sides is kept once: this is how an edit the server applied,
 *     but whose answer was lost, is not doubled when we rebase it after a reconnection.
 *   * Where they changed the passage my edit touches, their version stays and my inserted
 *     words follow it (unless their version contains them already); my deletion there is
 *     dropped. Nobody's words are lost.
 */
export function merge3(base, mine, theirs) {
  if (mine === base || mine === theirs) return theirs;
  if (theirs === base) return mine;
  const ours = hunks(base, mine);
  const others = hunks(base, theirs);
  const edits = []; // {from, to, insert} in positions of `theirs`
  const unions = new Map(); // their insertion → it with my words added
  const place = (hunk) => {
    const from = mapThrough(hunk.from, others, true);
    const to = hunk.from === hunk.to ? from : mapThrough(hunk.to, others, false);
    edits.push({ from, to: Math.max(from, to), insert: hunk.insert });
  };
  for (const hunk of ours) {
    if (others.some((o) => o.from === hunk.from && o.to === hunk.to && o.insert === hunk.insert)) {
      continue; // the same change on both sides
    }
    const overlapping = others.filter((other) =>
      hunk.from === hunk.to
        ? other.from < hunk.from && hunk.from < other.to
        : (other.from < hunk.to && hunk.from < other.to) ||
          (other.from === other.to && hunk.from < other.from && other.from < hunk.to),
    );
    if (overlapping.length > 0) {
      // They changed this passage too: keep their version, then the words I added that it
      // does not have already (my hunk may hold words of the base). My deletion is dropped.
      const theirWords = overlapping.map((other) => other.insert).join(" ");
      const added = insertedParts(base.slice(hunk.from, hunk.to), hunk.insert).filter(
        (part) => part.trim() && !containsWords(theirWords, part),
      );
      if (!added.length) continue;
      const end = Math.max(hunk.to, overlapping[overlapping.length - 1].to);
      const at = mapThrough(end, others, false);
      const insert = added.map((part) => (/^\s/.test(part) ? part : ` ${part}`)).join("");
      edits.push({ from: at, to: at, insert });
      continue;
    }
    if (hunk.from === hunk.to) {
      // Words inserted where they inserted words too (a space between does not count: its
      // words may have gone on either side of it): theirs, with mine added that it lacks.
      const p = hunk.from;
      const near = others.find(
        (o) =>
          (o.from === o.to && /^\s*$/.test(base.slice(Math.min(p, o.from), Math.max(p, o.from)))) ||
          o.from === p ||
          o.to === p,
      );
      if (near && containsWords(unions.get(near) ?? near.insert, hunk.insert)) continue;
      if (near && near.from === near.to) {
        unions.set(near, unionWords(unions.get(near) ?? near.insert, hunk.insert));
        continue;
      }
    }
    place(hunk);
  }
  for (const [other, union] of unions) {
    const from = mapThrough(other.from, others, false);
    edits.push({ from, to: from + other.insert.length, insert: union });
  }
  edits.sort((a, b) => a.from - b.from || a.to - b.to);
  let out = "";
  let pos = 0;
  for (const edit of edits) {
    const from = Math.max(pos, edit.from);
    out += theirs.slice(pos, from) + edit.insert;
    pos = Math.max(from, edit.to);
  }
  return out + theirs.slice(pos);
}

const wordsOf = (text) => text.split(/\s+/).filter(Boolean);

// Whether every word of `text` is in `container` (as many times as in `text`).
function containsWords(container, text) {
  const counts = new Map();
  for (const word of wordsOf(container)) counts.set(word, (counts.get(word) || 0) + 1);
  return wordsOf(text).every((word) => {
    const left = counts.get(word) || 0;
    counts.set(word, left - 1);
    return left > 0;
  });
}

// Their text with the words of mine added where mine has them; none of theirs removed.
function unionWords(theirs, mine) {
  let out = "";
  let pos = 0;
  for (const hunk of hunks(theirs, mine)) {
    out += theirs.slice(pos, hunk.to) + hunk.insert;
    pos = hunk.to;
  }
  return out + theirs.slice(pos);
}

// The stretches of `after` that are not in `before`, in whole words.
function insertedParts(before, after) {
  return hunks(before, after).map((hunk) => hunk.insert);
}

/**
 * Rebase after a reconnection: carry the change base → mine onto `theirs`, the new session's
 * text, by position (merge3). `theirs` may have moved far from `base` while we were away.
 */
export function rebase(base, mine, theirs) {
  return merge3(base, mine, theirs);
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
