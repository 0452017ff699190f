// The positional three-way merge of the server (drafting/text/merge.py), ported line for line
// so that the browser merges exactly as the server does. Pure functions: no DOM.
//
// `theirs` is the text whose changes are already accepted (the server's, here: the new
// shadow), `ours` the text that moved on meanwhile (the editor's, with what the person typed
// while the sync was out). Both diffs start from the same `base` (the shadow), so every change
// has an exact place in it and lands there, never where similar text happens to be.
//
// Each change is widened to the whole words it changes, the changes of both sides are grouped
// where they meet, and each group is resolved by the same fixed rules as the server's
// "keep_both": a change only one side made is applied as is; the same change on both sides
// once; insertions at one point all kept, theirs first; deletions only: the union goes;
// anything else keeps both sides' words, theirs first.
//
// Positions are UTF-16 code units (JavaScript strings); words are judged on whole code points
// (letters, digits and combining marks of any script), as Python does on its characters, so
// both sides produce the same text.

import { DIFF_DELETE, DIFF_EQUAL, diff, dmp, normalize } from "./textdiff.js";

const WORD = /^[\p{L}\p{N}\p{M}]/u;

/** Whether a character (a whole code point, or "" past either end) belongs to a word. */
export function isWord(character) {
  return character !== "" && WORD.test(character);
}

/** The length of a text in code points (Python's len). */
function codePoints(text) {
  let count = text.length;
  for (let i = 1; i < text.length; i++) {
    if (isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1))) count -= 1;
  }
  return count;
}

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/** The code point that ends at `pos` ("" at the start). */
function before(text, pos) {
  if (pos <= 0) return "";
  if (pos >= 2 && isLow(text.charCodeAt(pos - 1)) && isHigh(text.charCodeAt(pos - 2))) {
    return text.slice(pos - 2, pos);
  }
  return text[pos - 1];
}

/** The code point that starts at `pos` ("" at the end). */
function after(text, pos) {
  if (pos >= text.length) return "";
  if (isHigh(text.charCodeAt(pos)) && isLow(text.charCodeAt(pos + 1))) {
    return text.slice(pos, pos + 2);
  }
  return text[pos];
}

/** Merge the change base → ours into theirs, another edit of base: {text, conflicts}. */
export function merge(base, ours, theirs) {
  // Not only faster: two descriptions of one change must not both apply.
  if (ours === base || ours === theirs) return { text: theirs, conflicts: [] };
  if (theirs === base) return { text: ours, conflicts: [] };
  return mergeEdits(
    base,
    joinSplitInsertions(base, editsFromDiffs(diff(base, ours))),
    joinSplitInsertions(base, editsFromDiffs(diff(base, theirs))),
  );
}

/** Merge two diffs of `base` (normalized first, as the server does with a client's delta). */
export function mergeDiffs(base, oursDiffs, theirsDiffs) {
  return mergeEdits(
    base,
    joinSplitInsertions(base, editsFromDiffs(normalize(oursDiffs))),
    joinSplitInsertions(base, editsFromDiffs(normalize(theirsDiffs))),
  );
}

/** The diffs as edits {start, end, text} of their old text: one per run between equalities. */
export function editsFromDiffs(diffs) {
  const edits = [];
  let position = 0;
  let runStart = null;
  let inserted = "";
  for (const [op, text] of diffs) {
    if (op === DIFF_EQUAL && text) {
      if (runStart !== null) {
        edits.push({ start: runStart, end: position, text: inserted });
        runStart = null;
        inserted = "";
      }
      position += text.length;
    } else if (op !== DIFF_EQUAL) {
      if (runStart === null) runStart = position;
      if (op === DIFF_DELETE) position += text.length;
      else inserted += text;
    }
  }
  if (runStart !== null) edits.push({ start: runStart, end: position, text: inserted });
  return edits.filter((edit) => edit.start < edit.end || edit.text);
}

/**
 * The same change, with each insertion that a diff split around base text made whole: "✊[t"
 * before a base "✊🏽" and "]🏽" after it become "[t✊🏽]" between its "✊" and "🏽", so that
 * someone's deletion of that "✊🏽" cannot take the middle of the typed text with it.
 */
export function joinSplitInsertions(base, edits) {
  const joined = [];
  for (const edit of edits) {
    const previous = joined[joined.length - 1];
    if (previous && previous.start === previous.end && edit.start === edit.end) {
      const whole = asOneInsertion(base.slice(previous.end, edit.start), previous.text, edit.text);
      if (whole !== null) {
        const at = previous.end + whole.offset;
        joined[joined.length - 1] = { start: at, end: at, text: whole.text };
        continue;
      }
    }
    joined.push(edit);
  }
  return joined;
}

// Where in `between` one insertion gives first + between + second, and its text; null if
// nowhere. The offsets that work run from where the common suffix starts to the end of the
// common prefix (two binary searches); the first that does not split a surrogate pair is
// taken (Python's offsets are whole code points).
function asOneInsertion(between, first, second) {
  // Only where the typed text could hold `between`, counted in code points as Python does
  // (the first test spares counting a long paper: it has at least half as many).
  if (between.length > 2 * (first.length + second.length)) return null;
  if (codePoints(between) > codePoints(first) + codePoints(second)) return null;
  const whole = first + between + second;
  const highest = dmp.diff_commonPrefix(whole, between);
  let offset = between.length - dmp.diff_commonSuffix(whole, between);
  if (offset > 0 && offset < between.length && isLow(between.charCodeAt(offset))) offset += 1;
  if (offset > highest) return null;
  return { offset, text: whole.slice(offset, whole.length - (between.length - offset)) };
}

/** Merge two lists of edits of `base` by position (keep-both rules, see the top). */
export function mergeEdits(base, oursEdits, theirsEdits) {
  checkEdits(base, oursEdits, "ours");
  checkEdits(base, theirsEdits, "theirs");
  const ours = widenToWords(base, oursEdits);
  const theirs = widenToWords(base, theirsEdits);
  const pieces = [];
  const conflicts = [];
  let length = 0;
  let position = 0; // the base is copied up to here
  for (const group of groups(base, ours, theirs)) {
    const untouched = base.slice(position, group.start);
    const [resolution, conflicting] = resolve(base, group);
    if (conflicting) {
      const textStart = length + untouched.length;
      conflicts.push({
        baseStart: group.start,
        baseEnd: group.end,
        oursText: splice(base, group.start, group.end, group.ours),
        theirsText: splice(base, group.start, group.end, group.theirs),
        textStart,
        textEnd: textStart + resolution.length,
      });
    }
    pieces.push(untouched, resolution);
    length += untouched.length + resolution.length;
    position = group.end;
  }
  pieces.push(base.slice(position));
  return { text: pieces.join(""), conflicts };
}

/** The same change, each edit widened to the whole words it changes (merge.py's rule). */
export function widenToWords(base, edits) {
  const widened = [];
  let run = [];
  let runStart = 0;
  let runEnd = 0;
  for (const edit of edits) {
    const [start, end] = wordSpan(base, edit);
    if (run.length && start < runEnd) {
      run.push(edit);
      runStart = Math.min(runStart, start);
      runEnd = Math.max(runEnd, end);
      continue;
    }
    if (run.length) {
      widened.push({ start: runStart, end: runEnd, text: splice(base, runStart, runEnd, run) });
    }
    run = [edit];
    runStart = start;
    runEnd = end;
  }
  if (run.length) {
    widened.push({ start: runStart, end: runEnd, text: splice(base, runStart, runEnd, run) });
  }
  return widened;
}

function wordSpan(base, edit) {
  let { start, end } = edit;
  if (changesWordBefore(base, edit)) {
    while (start > 0 && isWord(before(base, start))) start -= before(base, start).length;
  }
  if (changesWordAfter(base, edit)) {
    while (end < base.length && isWord(after(base, end))) end += after(base, end).length;
  }
  return [start, end];
}

// Whether the edit starts inside a word, or glues something onto the word before it.
function changesWordBefore(base, edit) {
  const nextInBase = after(base, edit.start);
  const nextOnceApplied = after(edit.text, 0) || after(base, edit.end);
  return isWord(before(base, edit.start)) && (isWord(nextInBase) || isWord(nextOnceApplied));
}

// Whether the edit ends inside a word, or glues something onto the word after it.
function changesWordAfter(base, edit) {
  const previousInBase = before(base, edit.end);
  const previousOnceApplied = before(edit.text, edit.text.length) || before(base, edit.start);
  return (
    isWord(after(base, edit.end)) && (isWord(previousInBase) || isWord(previousOnceApplied))
  );
}

// The edits of both sides, gathered where they meet, in base order; theirs first on a tie.
function* groups(base, oursEdits, theirsEdits) {
  const tagged = [
    ...theirsEdits.map((edit) => ({ edit, ours: false })),
    ...oursEdits.map((edit) => ({ edit, ours: true })),
  ];
  tagged.sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end); // stable
  let group = null;
  for (const { edit, ours } of tagged) {
    if (group !== null && !meet([group.start, group.end], [edit.start, edit.end])) {
      yield group;
      group = null;
    }
    if (group === null) group = { start: edit.start, end: edit.end, ours: [], theirs: [] };
    (ours ? group.ours : group.theirs).push(edit);
    group.start = Math.min(group.start, edit.start);
    group.end = Math.max(group.end, edit.end);
  }
  if (group !== null) yield group;
}

// Whether two ranges are "the same place": points when equal, a point strictly inside a
// region, regions sharing a character. Ranges that only touch do not meet.
function meet([aStart, aEnd], [bStart, bEnd]) {
  if (aStart === aEnd && bStart === bEnd) return aStart === bStart;
  if (aStart === aEnd) return bStart < aStart && aStart < bEnd;
  if (bStart === bEnd) return aStart < bStart && bStart < aEnd;
  return aStart < bEnd && bStart < aEnd;
}

// The merged text of a group, and whether the sides conflict there.
function resolve(base, group) {
  const theirsVersion = splice(base, group.start, group.end, group.theirs);
  const oursVersion = splice(base, group.start, group.end, group.ours);
  if (!group.ours.length || oursVersion === theirsVersion) return [theirsVersion, false];
  if (!group.theirs.length) return [oursVersion, false];
  if (group.start === group.end) return [sideBySide(theirsVersion, oursVersion), false];
  if (![...group.ours, ...group.theirs].some((edit) => edit.text)) return ["", false];
  // Each base character here is inside an edit of one side or the other.
  const theirsText = group.theirs.map((edit) => wholeInsertion(base, group, edit)).join("");
  const oursText = group.ours.map((edit) => wholeInsertion(base, group, edit)).join("");
  return [sideBySide(theirsText, oursText), true];
}

// What an edit wrote, and for an insertion the base text it may have been typed over: slid as
// far left as it goes, followed by the base text it can slide over within the group ("t][" after
// the "[" of a deleted "[b]" gives "[t][", which holds the typed "[t]" whichever it was).
function wholeInsertion(base, group, edit) {
  if (edit.start !== edit.end) return edit.text;
  let text = edit.text;
  let start = edit.start;
  while (start > group.start) {
    const character = before(base, start);
    if (!text.endsWith(character)) break;
    text = character + text.slice(0, text.length - character.length);
    start -= character.length;
  }
  let rest = edit.text;
  let end = edit.start;
  while (end < group.end) {
    const character = after(base, end);
    if (!rest.startsWith(character)) break;
    rest = rest.slice(character.length) + character;
    end += character.length;
  }
  return text + base.slice(start, end);
}

// Two alternatives one after the other, with a space only where they would form one word.
function sideBySide(first, second) {
  if (first && second && isWord(before(first, first.length)) && isWord(after(second, 0))) {
    return `${first} ${second}`;
  }
  return first + second;
}

// base[start, end) with the edits (in order, inside it) applied.
function splice(base, start, end, edits) {
  let out = "";
  let position = start;
  for (const edit of edits) {
    out += base.slice(position, edit.start) + edit.text;
    position = edit.end;
  }
  return out + base.slice(position, end);
}

function checkEdits(base, edits, side) {
  let previous = null;
  for (const edit of edits) {
    if (!(0 <= edit.start && edit.start <= edit.end && edit.end <= base.length)) {
      throw new RangeError(`${side} edit lies outside the base text`);
    }
    const twoInsertionsAtOnePoint =
      previous !== null &&
      edit.start === edit.end &&
      previous.start === previous.end &&
      edit.start === previous.start;
    if (previous !== null && (edit.start < previous.end || twoInsertionsAtOnePoint)) {
      throw new RangeError(`${side} edits overlap or are out of order`);
    }
    previous = edit;
  }
}
