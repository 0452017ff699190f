// Deltas, and the merge (merge.js) as a reconnection's rebase uses it.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DeltaMismatch,
  changesBetween,
  diffsFromDelta,
  makeDelta,
  textAfter,
} from "../src/textdiff.js";
import { merge } from "../src/merge.js";

const roundTrip = (a, b) => textAfter(diffsFromDelta(a, makeDelta(a, b)));

test("deltas count UTF-16 units and never split a surrogate pair", () => {
  // diff-match-patch alone diffs "😀" → "😁" as one shared half plus two halves, and its
  // diff_toDelta then throws URIError on the lone half.
  assert.equal(makeDelta("😀", "😁"), "-2\t+%F0%9F%98%81");
  for (const [a, b] of [
    ["😀", "😁"],
    ["a😀b", "a😁b"],
    ["🇺🇳 flag", "🇺🇸 flag"],
    ["x𝒳y", "x𝒴y"],
    ["", "😀"],
    ["😀😀", "😀"],
    ["tab\there", "tab\there %25 + # é"],
  ]) {
    assert.equal(roundTrip(a, b), b);
  }
});

test("a delta that does not fit its base is refused, not guessed", () => {
  assert.throws(() => diffsFromDelta("short", "=10"), DeltaMismatch);
  assert.throws(() => diffsFromDelta("short", "=2\t+%E0%A4%A"), DeltaMismatch);
  assert.throws(() => diffsFromDelta("short", "?5"), DeltaMismatch);
});

test("edits are word-aligned before they become deltas", () => {
  // Typing " [c3r18]" after "[c3r1]" must not be diffed as inserting "8] [c3r1" (SYNC.md).
  const base = "[c3r1] [c3r2]";
  const typed = "[c3r1] [c3r18] [c3r2]";
  const delta = makeDelta(base, typed);
  assert.match(decodeURI(delta), /\+ \[c3r18\]|\+\[c3r18\] /);
});

test("the merge carries a remote change onto text the person typed into meanwhile", () => {
  const shadow = "States should act.\n\nThe caucus recalls the Compact.\n";
  const remote = "States should act now.\n\nThe caucus recalls the Compact.\n";
  const mine = "States should act.\n\nThe caucus firmly recalls the Compact.\n";
  assert.equal(
    merge(shadow, mine, remote).text,
    "States should act now.\n\nThe caucus firmly recalls the Compact.\n",
  );
});

test("words typed inside a passage someone else deleted meanwhile are kept whole", () => {
  // The case tests/collab/test_faults.py found in diff-match-patch's fuzzy patch_apply, which
  // deletes as many characters as the hunk says and cut the word typed inside "justice".
  const shadow = "Access to justice for migrant women. Members agree.";
  const theirs = "Access to jubers agree.";
  const mine = "Access to just[lucia]ice for migrant women. Members agree.";
  const merged = merge(shadow, mine, theirs).text;
  assert.equal(merged.split("[lucia]").length, 2);
  assert.match(merged, /just\[lucia\]ice/);
  assert.match(merged, /^Access to jubers/);
});

test("the merge places both sides' edits by position, repeated clauses or not", () => {
  const clause = "States shall protect workers. ";
  const base = clause.repeat(3);
  const mine = clause + clause.replace("protect", "protect all") + clause;
  const theirs = clause.replace("States", "All States") + clause + clause;
  assert.equal(
    merge(base, mine, theirs).text,
    clause.replace("States", "All States") + clause.replace("protect", "protect all") + clause,
  );
});

test("the merge keeps an edit made on both sides once", () => {
  const base = "one two three";
  assert.equal(merge(base, "one two 2b three", "zero one two 2b three").text, "zero one two 2b three");
  assert.equal(merge(base, "one three", "one three").text, "one three");
});

test("the merge keeps both people's words where they changed the same passage", () => {
  const merged = merge("We note the report.", "We welcome the report.", "We regret the report.").text;
  assert.match(merged, /regret/);
  assert.match(merged, /welcome/);
  assert.ok(merged.endsWith("the report."));
});

test("the merge never threads words through the middle of a word", () => {
  const base = "[s1] [s25] position";
  const mine = "[s1] [s25] [s28] position";
  const theirs = "[s1] [s2x] [s25] position";
  const merged = merge(base, mine, theirs).text;
  assert.equal(merged, "[s1] [s2x] [s25] [s28] position");
});

test("changesBetween describes the minimal edits in ascending order", () => {
  const a = "alpha beta gamma";
  const b = "alpha BETA gamma delta";
  let text = a;
  for (const change of [...changesBetween(a, b)].reverse()) {
    text = text.slice(0, change.from) + change.insert + text.slice(change.to);
  }
  assert.equal(text, b);
  assert.deepEqual(changesBetween(a, a), []);
});
