// The reading page's comments and suggestions (src/review/), their parts that need no browser:
// anchors from the text, placing the margin's cards and the toolbar, the API requests and
// answers, @mentions. The DOM wiring is covered by tests/browser/test_review.py.

import assert from "node:assert/strict";
import { test } from "node:test";

import { anchorAt, anchorsToTry, CONTEXT, locate, MAX_QUOTE, normalized, sameBlock } from "../src/review/anchor.js";
import { composedRequest, createdHash, failureMessage, isAnchorProblem, sendWithAnchors } from "../src/review/api.js";
import { withCardId } from "../src/review/cardforms.js";
import { CARD_SPACING, gapAbove, placeCards } from "../src/review/margin.js";
import { mentionQuery, withMention } from "../src/review/mentions.js";
import { toolbarPosition } from "../src/review/selection.js";
import { joinText, piecesOf } from "../src/review/textindex.js";

// ---- The rendered text as one string --------------------------------------------------------

/** Text "nodes" ({data}) in blocks: [["In ", "bold", " words."], ["Next."]] is two paragraphs. */
function pieces(blocks) {
  return blocks.flatMap((texts, i) => texts.map((data) => ({ node: { data }, block: `block-${i}` })));
}

test("text nodes join into one string, blocks separated by a blank line as in the source", () => {
  const index = joinText(pieces([["The caucus ", "recalls", " the Compact."], ["States should act."]]));
  assert.equal(index.text, "The caucus recalls the Compact.\n\nStates should act.");
  assert.deepEqual(
    index.nodes.map(({ node, start }) => [node.data, start]),
    [
      ["The caucus ", 0],
      ["recalls", 11],
      [" the Compact.", 18],
      ["States should act.", 33],
    ],
  );
});

test("whitespace between blocks (list items, table cells) adds no second break", () => {
  const index = joinText([
    { node: { data: "One." }, block: "li-1" },
    { node: { data: "\n" }, block: "ul" },
    { node: { data: "Two." }, block: "li-2" },
  ]);
  assert.equal(index.text, "One.\n\n\nTwo.");
  assert.equal(index.nodes[2].start, 7);
});

test("a passage across bold words is wrapped node by node, whitespace between blocks skipped", () => {
  const index = joinText(pieces([["In ", "bold", " words."], ["\n"], ["Next."]]));
  const text = index.text;
  const start = text.indexOf("old");
  assert.deepEqual(
    piecesOf(index, start, text.indexOf("Next") + 2).map(({ node, from, to }) => [node.data, from, to]),
    [
      ["bold", 1, 4],
      [" words.", 0, 7],
      ["Next.", 0, 2],
    ],
  );
  assert.deepEqual(piecesOf(index, 3, 3), []);
});

// ---- Anchors --------------------------------------------------------------------------------

test("normalizing collapses whitespace, drops Markdown punctuation and maps back", () => {
  const { text, map } = normalized("  **Access**  to\n_justice_");
  assert.equal(text, "Access to justice");
  assert.equal(map[0], 4); // "A"
  assert.equal(map[6], 12); // the one space for "  "
  assert.equal(map[text.length - 1], 24);
});

test("a quote written in Markdown is found in the rendered text", () => {
  const text = "States shall ensure access to justice for all.";
  const where = locate(text, "access to **justice**", "", "");
  assert.deepEqual(where, { start: 20, end: 37 });
  assert.equal(text.slice(where.start, where.end), "access to justice");
});

test("of several occurrences, the one whose prefix and suffix match best is chosen", () => {
  const text = "The State shall act. Each State may act. The State shall report.";
  const second = locate(text, "State", "Each ", " may");
  assert.equal(second.start, text.indexOf("Each State") + 5);
  const third = locate(text, "State", "act. The ", " shall report");
  assert.equal(third.start, text.lastIndexOf("State"));
  assert.equal(locate(text, "State", "", "").start, 4, "on a tie, the first");
});

test("a quote that is not in the text, or is only punctuation, is not located", () => {
  assert.equal(locate("Some words.", "other words", "", ""), null);
  assert.equal(locate("Some words.", "**", "", ""), null);
});

test("a selection becomes a trimmed quote with up to 32 characters of context each side", () => {
  const text = `${"a".repeat(40)} the passage chosen ${"b".repeat(40)}`;
  const start = text.indexOf(" the");
  const anchor = anchorAt(text, start, text.indexOf("chosen") + "chosen ".length);
  assert.equal(anchor.quote, "the passage chosen");
  assert.equal(anchor.prefix, `${"a".repeat(CONTEXT - 1)} `);
  assert.equal(anchor.suffix, ` ${"b".repeat(CONTEXT - 1)}`);
  assert.deepEqual(anchorAt("short text", 0, 5), { quote: "short", prefix: "", suffix: " text" });
});

test("only whitespace, or more than the API takes, is no anchor", () => {
  assert.equal(anchorAt("one  \n\n two", 3, 8), null);
  assert.equal(anchorAt("same", 2, 2), null);
  const long = "x".repeat(MAX_QUOTE + 1);
  assert.equal(anchorAt(long, 0, long.length), null);
  assert.equal(anchorAt(long, 0, MAX_QUOTE).quote.length, MAX_QUOTE);
});

test("context is cut at the paragraph break, the source having Markdown there", () => {
  assert.equal(sameBlock("end of one.\n\nStart of two, ", true), "Start of two, ");
  assert.equal(sameBlock(" and more.\n\nNext paragraph", false), " and more.");
  assert.equal(sameBlock("no break", true), "no break");
});

test("anchors are tried with the paragraph's context, then 8 characters of it, then bare", () => {
  const anchor = { quote: "act", prefix: "Heading\n\nStates should ", suffix: " now, and report.\n\nMore", rect: {} };
  assert.deepEqual(anchorsToTry(anchor), [
    { quote: "act", prefix: "States should ", suffix: " now, and report." },
    { quote: "act", prefix: " should ", suffix: " now, an" },
    { quote: "act" },
  ]);
});

test("an anchor whose context is short already is not sent twice", () => {
  assert.deepEqual(anchorsToTry({ quote: "act", prefix: "to ", suffix: "." }), [
    { quote: "act", prefix: "to ", suffix: "." },
    { quote: "act" },
  ]);
  assert.deepEqual(anchorsToTry({ quote: "Title", prefix: "", suffix: "" }), [
    { quote: "Title", prefix: "", suffix: "" },
    { quote: "Title" },
  ]);
});

// ---- The margin and the toolbar -------------------------------------------------------------

/** Cards stacked in a column from `columnTop` (as the margin's list in a browser, without
 * margin collapsing): each {height, passage (its top, or null)}; setGap moves it and all
 * below. Measures are taken live, as placeCards expects. */
function column(columnTop, specs) {
  const gaps = specs.map(() => 0);
  const log = [];
  const topOf = (i) =>
    specs.slice(0, i).reduce((top, spec, j) => top + gaps[j] + spec.height + CARD_SPACING, columnTop) + gaps[i];
  const cards = specs.map((spec, i) => ({
    top: () => topOf(i),
    bottom: () => topOf(i) + spec.height,
    passageTop: () => spec.passage,
    setGap: (gap) => {
      log.push([i, gap]);
      gaps[i] = gap;
    },
  }));
  return { cards, tops: () => specs.map((_, i) => topOf(i)), log };
}

test("each card is pushed down level with its passage", () => {
  const margin = column(100, [
    { height: 50, passage: 300 },
    { height: 40, passage: 500 },
  ]);
  placeCards(margin.cards);
  assert.deepEqual(margin.tops(), [300, 500]);
});

test("a card is never pushed up, nor over the card before it", () => {
  const margin = column(100, [
    { height: 50, passage: 40 }, // passage above the list: the card stays
    { height: 50, passage: 120 }, // passage behind the first card: just below it
    { height: 30, passage: 400 },
  ]);
  placeCards(margin.cards);
  assert.deepEqual(margin.tops(), [100, 150 + CARD_SPACING, 400]);
  assert.deepEqual(margin.log, [
    [0, 0],
    [1, 0],
    [2, 400 - (150 + CARD_SPACING + 50 + CARD_SPACING)],
  ]);
});

test("a card whose passage is not in the text keeps its place after the one before", () => {
  const margin = column(0, [
    { height: 20, passage: 200 },
    { height: 20, passage: null },
    { height: 20, passage: 210 },
  ]);
  placeCards(margin.cards);
  assert.deepEqual(margin.tops(), [200, 228, 256]);
  assert.deepEqual(
    margin.log.map(([i]) => i),
    [0, 2],
  );
});

test("the gap above a card counts from the lower of its top and the card before's bottom", () => {
  assert.equal(gapAbove(300, 100, -Infinity), 200);
  assert.equal(gapAbove(300, 100, 250), 50);
  assert.equal(gapAbove(300, 280, 250), 20);
  assert.equal(gapAbove(100, 280, 250), 0);
});

test("the toolbar is centred under the selection, in page coordinates, inside the screen", () => {
  const view = { innerWidth: 1000, scrollX: 0, scrollY: 500 };
  const rect = { left: 400, width: 200, bottom: 120 };
  assert.deepEqual(toolbarPosition(rect, 180, view), { top: 628, left: 410 });
  assert.deepEqual(toolbarPosition({ left: 0, width: 20, bottom: 10 }, 180, view).left, 8);
  assert.deepEqual(toolbarPosition({ left: 980, width: 20, bottom: 10 }, 180, view).left, 812);
  assert.deepEqual(toolbarPosition(rect, 180, { ...view, scrollX: 30 }).left, 440);
});

// ---- Requests and answers -------------------------------------------------------------------

function formData(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

test("a comment posts its body with the anchor to the document's comments", () => {
  const anchor = { quote: "act", prefix: "should ", suffix: " now" };
  assert.deepEqual(composedRequest("comment", "7", formData({ body: "Say how." }), anchor), [
    "/documents/7/comments",
    { anchor, body: "Say how." },
    "comment",
  ]);
});

test("a suggestion posts its wording and an empty rationale when there is none", () => {
  const anchor = { quote: "act" };
  assert.deepEqual(composedRequest("suggest", "7", formData({ replacement: "act now" }), anchor), [
    "/documents/7/suggestions",
    { anchor, replacement: "act now", rationale: "" },
    "suggestion",
  ]);
  const [, payload] = composedRequest("suggest", "7", formData({ replacement: "x", rationale: "Why" }), anchor);
  assert.equal(payload.rationale, "Why");
});

test("only a 422 about an anchor field is worth another anchor", () => {
  const error = (fields) => ({ error: { message: "No.", fields } });
  assert.equal(isAnchorProblem(422, error({ "anchor.prefix": ["not found"] })), true);
  assert.equal(isAnchorProblem(422, error({ anchor: ["not found"] })), true);
  assert.equal(isAnchorProblem(422, error({ body: ["required"] })), false);
  assert.equal(isAnchorProblem(400, error({ anchor: ["bad"] })), false);
  assert.equal(isAnchorProblem(422, null), false);
  assert.equal(isAnchorProblem(422, { error: { message: "No." } }), false);
});

/** A post() answering with `answers` in turn, recording what it was sent. */
function poster(answers) {
  const sent = [];
  const post = async (path, payload) => {
    sent.push([path, payload]);
    return answers[sent.length - 1];
  };
  return { post, sent };
}

const request = (anchor) => ["/documents/1/comments", { anchor, body: "Hi" }, "comment"];
const notFound = [422, { error: { message: "Passage not found.", fields: { "anchor.quote": ["x"] } } }];

test("anchors are sent one after another while the server cannot find the passage", async () => {
  const anchor = { quote: "act", prefix: "Title\n\nStates should ", suffix: " now, and report." };
  const { post, sent } = poster([notFound, [201, { id: 9 }]]);
  assert.deepEqual(await sendWithAnchors(anchor, request, post), [201, { id: 9 }, "comment"]);
  assert.deepEqual(
    sent.map(([, payload]) => payload.anchor),
    [
      { quote: "act", prefix: "States should ", suffix: " now, and report." },
      { quote: "act", prefix: " should ", suffix: " now, an" },
    ],
  );
});

test("any other answer ends the tries, and the last answer is returned when none is found", async () => {
  const anchor = { quote: "act", prefix: "States should ", suffix: " now, and report." };
  const refused = [403, { error: { message: "Not allowed." } }];
  const first = poster([refused]);
  assert.deepEqual(await sendWithAnchors(anchor, request, first.post), [...refused, "comment"]);
  assert.equal(first.sent.length, 1);

  const all = poster([notFound, notFound, notFound]);
  assert.deepEqual(await sendWithAnchors(anchor, request, all.post), [...notFound, "comment"]);
  assert.equal(all.sent.length, 3);
});

test("a refusal shows the server's message, anything else the page's own sentence", () => {
  const strings = { failed: "Could not send." };
  const body = { error: { message: "The comment is too long." } };
  assert.equal(failureMessage(422, body, strings), "The comment is too long.");
  assert.equal(failureMessage(403, body, strings), "The comment is too long.");
  assert.equal(failureMessage(400, null, strings), "Could not send.");
  assert.equal(failureMessage(500, body, strings), "Could not send.");
  assert.equal(failureMessage(201, null, strings), "Could not send.");
});

test("after posting, the page goes to the new card", () => {
  assert.equal(createdHash("comment", 12), "thread-12");
  assert.equal(createdHash("suggestion", 3), "suggestion-3");
});

// ---- @mentions and the cards' forms ---------------------------------------------------------

const members = ["Amina Diallo", "Amir Haddad", "Ben Okafor", "ana lópez"];

test("an @ and the start of a name offers the members whose name starts so", () => {
  assert.deepEqual(mentionQuery("Ask @am", 7, members), { typed: "am", found: ["Amina Diallo", "Amir Haddad"] });
  assert.deepEqual(mentionQuery("(@AN", 4, members).found, ["ana lópez"]);
  assert.deepEqual(mentionQuery("@Amina D", 8, members).found, ["Amina Diallo"]);
  assert.equal(mentionQuery("@", 1, members).found.length, 4);
});

test("no names are offered without an @ before the caret, after a word, or when none fits", () => {
  assert.equal(mentionQuery("Ask am", 6, members), null);
  assert.equal(mentionQuery("mail@am", 7, members), null);
  assert.equal(mentionQuery("Ask @zed", 8, members), null);
  assert.equal(mentionQuery("Ask @am later", 13, members), null, "the caret moved past two words");
  assert.deepEqual(mentionQuery("Ask @am later", 7, members).typed, "am");
});

test("at most six names are offered", () => {
  const many = Array.from({ length: 9 }, (_, i) => `Member ${i}`);
  assert.equal(mentionQuery("@Mem", 4, many).found.length, 6);
});

test("choosing a name replaces what was typed and puts the caret after a space", () => {
  assert.deepEqual(withMention("Ask @am, please", 7, "am", "Amina Diallo"), {
    value: "Ask @Amina Diallo , please",
    caret: 18,
  });
  assert.deepEqual(withMention("@", 1, "", "Ben Okafor"), { value: "@Ben Okafor ", caret: 12 });
});

test("a template's {id} becomes the card's number, other attributes are left as they are", () => {
  assert.equal(withCardId("reply-{id}", "12"), "reply-12");
  assert.equal(withCardId("/documents/1/suggestions/{id}/accept", "3"), "/documents/1/suggestions/3/accept");
  assert.equal(withCardId("{id}-{id}", "5"), "5-5");
  assert.equal(withCardId("compose-body", "5"), null);
  assert.equal(withCardId(null, "5"), null);
  assert.equal(withCardId("", "5"), null);
});
