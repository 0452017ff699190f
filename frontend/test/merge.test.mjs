// The port of the server's positional merge (src/merge.js); tests/text/test_merge_js.py checks
// that it gives the server's texts on hundreds of random cases.

import assert from "node:assert/strict";
import { test } from "node:test";

import { joinSplitInsertions, merge, mergeDiffs } from "../src/merge.js";
import { DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, diff } from "../src/textdiff.js";

test("insertions at one point are kept whole, theirs first, a space only between words", () => {
  const base = "Member States wo[h1s2]men act.";
  const ours = base.replace("[h1s2]", "[h7s24𝄞][h1s2]");
  const theirs = base.replace("[h1s2]", "[h9s5][h1s2]");
  assert.equal(merge(base, ours, theirs).text, "Member States wo[h9s5][h7s24𝄞][h1s2]men act.");
  assert.equal(merge("", "Ours", "Theirs").text, "Theirs Ours");
  assert.equal(merge("", "Ours.", "Theirs.").text, "Theirs.Ours.");
});

test("changes of one word meet; both sides' words are kept", () => {
  assert.equal(merge("a quick fox", "a quirk fox", "a quack fox").text, "a quack quirk fox");
  const shadow = "Access to justice for migrant women. Members agree.";
  const mine = shadow.replace("justice", "just[lucia]ice");
  const merged = merge(shadow, mine, "Access to jubers agree.");
  assert.equal(merged.text, "Access to jubers just[lucia]ice agree.");
  assert.equal(merged.conflicts.length, 1);
});

test("an insertion a diff split around base text stays whole (UTF-16 positions)", () => {
  const base = "## Commitments ✊🏽\n\n1. Member States shall act.\n";
  const theirs = [
    [DIFF_EQUAL, "## "],
    [DIFF_DELETE, "Commitments"],
    [DIFF_INSERT, "must"],
    [DIFF_EQUAL, " "],
    [DIFF_INSERT, "✊[c0r22"],
    [DIFF_EQUAL, "✊🏽"],
    [DIFF_INSERT, "]🏽"],
    [DIFF_EQUAL, "\n\n1. Member States shall act.\n"],
  ];
  const ours = diff(base, base.replace("ents ✊🏽\n\n1. Member States ", ""));
  const split = [
    { start: 15, end: 15, text: "✊[c0r22" },
    { start: 18, end: 18, text: "]🏽" },
  ];
  assert.deepEqual(joinSplitInsertions(base, split), [{ start: 16, end: 16, text: "[c0r22✊🏽]" }]);
  assert.equal(mergeDiffs(base, ours, theirs).text.split("[c0r22✊🏽]").length, 2);
});

test("an insertion slid over base text the other side deleted stays whole", () => {
  const base = "for migrant women.\n2[b14🇺🇳]. Member States";
  const ours = base.replace("[b14", "[o0𝄞][b14");
  const theirs = base.replace("\n2[b14🇺🇳]", "");
  assert.equal(merge(base, ours, theirs).text, "for migrant women.[o0𝄞][. Member States");
});
