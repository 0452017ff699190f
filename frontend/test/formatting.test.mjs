// The toolbar's Markdown commands, on CodeMirror's editor state (no DOM needed).

import assert from "node:assert/strict";
import { test } from "node:test";

import { EditorSelection, EditorState } from "@codemirror/state";

import { formattingCommands } from "../src/formatting.js";

const commands = formattingCommands({});

/** Run a command on `doc` with the selection marked by « and » (or ‸ for a cursor). */
function run(name, marked) {
  const from = marked.includes("‸") ? marked.indexOf("‸") : marked.indexOf("«");
  const doc = marked.replace(/[«»‸]/g, "");
  const to = marked.includes("‸") ? from : marked.indexOf("»") - 1;
  const view = {
    state: EditorState.create({ doc, selection: EditorSelection.range(from, to) }),
    dispatch(tr) {
      this.state = tr.state;
    },
  };
  assert.equal(commands[name](view), true);
  const { main } = view.state.selection;
  return { text: view.state.doc.toString(), selected: view.state.sliceDoc(main.from, main.to) };
}

test("bold wraps the selection, keeps spaces outside, and unwraps again", () => {
  assert.deepEqual(run("bold", "We «urge» States"), {
    text: "We **urge** States",
    selected: "urge",
  });
  assert.deepEqual(run("bold", "We« urge »States"), {
    text: "We **urge** States",
    selected: "urge",
  });
  assert.deepEqual(run("bold", "We **«urge»** States"), {
    text: "We urge States",
    selected: "urge",
  });
  assert.deepEqual(run("bold", "We «**urge**» States"), {
    text: "We urge States",
    selected: "urge",
  });
  assert.deepEqual(run("bold", "We ‸ States"), {
    text: "We **bold text** States",
    selected: "bold text",
  });
});

test("italic uses single stars and does not mistake bold for italics", () => {
  assert.deepEqual(run("italic", "«note»"), { text: "*note*", selected: "note" });
  assert.deepEqual(run("italic", "*«note»*"), { text: "note", selected: "note" });
  assert.equal(run("italic", "**«note»**").text, "***note***");
});

test("lists and quotes prefix every selected line, and toggle off", () => {
  assert.equal(run("bulletList", "«one\ntwo»").text, "- one\n- two");
  assert.equal(run("bulletList", "«- one\n- two»").text, "one\ntwo");
  assert.equal(run("numberedList", "«one\n\ntwo»").text, "1. one\n\n2. two");
  assert.equal(run("numberedList", "«- one\n- two»").text, "1. one\n2. two");
  assert.equal(run("quote", "«said»").text, "> said");
  assert.equal(run("quote", "> «said»").text, "said");
  assert.equal(run("heading", "Pre‸amble").text, "## Preamble");
  assert.equal(run("heading", "### Pre‸amble").text, "Preamble");
});

test("link, footnote and table", () => {
  assert.deepEqual(run("link", "see «the report»"), {
    text: "see [the report](https://)",
    selected: "https://",
  });
  assert.deepEqual(run("link", "see «https://ilo.org»"), {
    text: "see [link text](https://ilo.org)",
    selected: "link text",
  });
  assert.deepEqual(run("footnote", "Fees.‸\n\n[^1]: Old.\n"), {
    text: "Fees.[^2]\n\n[^1]: Old.\n[^2]: Source of the note.\n",
    selected: "Source of the note.",
  });
  assert.deepEqual(run("table", "Intro.‸\nNext."), {
    text: "Intro.\n\n| Column 1 | Column 2 |\n| --- | --- |\n| Text | Text |\n\nNext.",
    selected: "Column 1",
  });
});
