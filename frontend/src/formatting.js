// The formatting toolbar's commands, for people who do not know Markdown: each one writes the
// Markdown around the selection (or a placeholder to type over) and toggles it off again when
// the selection already has it. CodeMirror commands: (view) => boolean.

import { EditorSelection } from "@codemirror/state";

/** The commands by name; `strings` supplies the placeholders in the page's language. */
export function formattingCommands(strings) {
  const text = (key, fallback) => (strings && strings[key]) || fallback;
  return {
    heading: (view) => toggleLinePrefix(view, /^#{1,6}[ \t]+/, () => "## "),
    bold: (view) => wrap(view, "**", text("placeholderBold", "bold text")),
    italic: (view) => wrap(view, "*", text("placeholderItalic", "italic text")),
    bulletList: (view) => toggleLinePrefix(view, /^[-*+][ \t]+/, () => "- ", LIST_MARKER),
    numberedList: (view) =>
      toggleLinePrefix(view, /^\d+[.)][ \t]+/, (index) => `${index + 1}. `, LIST_MARKER),
    link: (view) => link(view, text("placeholderLink", "link text")),
    quote: (view) => toggleLinePrefix(view, /^>[ \t]?/, () => "> "),
    footnote: (view) => footnote(view, text("placeholderFootnote", "Source of the note.")),
    table: (view) =>
      table(view, text("placeholderColumn", "Column"), text("placeholderCell", "Text")),
  };
}

// Any list marker, so that switching a bulleted list to a numbered one replaces the marker.
const LIST_MARKER = /^([-*+]|\d+[.)])[ \t]+/;

function dispatch(view, spec) {
  view.dispatch(view.state.update(spec, { scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

/**
 * Wrap each selection in `mark` (** or *), or unwrap it when it is wrapped already. An empty
 * selection gets the placeholder, selected, so typing replaces it.
 */
function wrap(view, mark, placeholder) {
  const { state } = view;
  if (state.readOnly) return false;
  const size = mark.length;
  // "*" must not mistake the inside of "**bold**" for italics.
  const isMark = (from, to) =>
    state.sliceDoc(from, to) === mark &&
    (size > 1 || (state.sliceDoc(from - 1, from) !== "*" && state.sliceDoc(to, to + 1) !== "*"));
  return dispatch(
    view,
    state.changeByRange((range) => {
      const { from, to } = range;
      // The selection sits just inside the marks: remove them.
      if (from >= size && isMark(from - size, from) && isMark(to, to + size)) {
        return {
          changes: [
            { from: from - size, to: from },
            { from: to, to: to + size },
          ],
          range: EditorSelection.range(from - size, to - size),
        };
      }
      const selected = state.sliceDoc(from, to);
      // The selection includes the marks: remove them.
      if (
        selected.length >= 2 * size + 1 &&
        selected.startsWith(mark) &&
        selected.endsWith(mark) &&
        (size > 1 || !selected.startsWith("**"))
      ) {
        return {
          changes: [
            { from, to: from + size },
            { from: to - size, to },
          ],
          range: EditorSelection.range(from, to - 2 * size),
        };
      }
      if (range.empty) {
        return {
          changes: { from, insert: mark + placeholder + mark },
          range: EditorSelection.range(from + size, from + size + placeholder.length),
        };
      }
      // Spaces stay outside the marks: "** word**" is not bold in Markdown.
      const lead = selected.length - selected.trimStart().length;
      const trail = selected.length - selected.trimEnd().length;
      const start = from + lead;
      const end = Math.max(start, to - trail);
      return {
        changes: [
          { from: start, insert: mark },
          { from: end, insert: mark },
        ],
        range: EditorSelection.range(start + size, end + size),
      };
    }),
  );
}

/**
 * Toggle a prefix on every line the selection touches: remove it where all the non-blank
 * lines have it, otherwise add it (replacing `replaces`, e.g. another kind of list marker).
 */
function toggleLinePrefix(view, has, prefixFor, replaces = has) {
  const { state } = view;
  if (state.readOnly) return false;
  const lines = [];
  const seen = new Set();
  for (const range of state.selection.ranges) {
    const last = state.doc.lineAt(range.to);
    for (let line = state.doc.lineAt(range.from); ; line = state.doc.line(line.number + 1)) {
      if (!seen.has(line.number) && (line.text.trim() || range.empty)) {
        seen.add(line.number);
        lines.push(line);
      }
      if (line.number >= last.number) break;
    }
  }
  const indent = (line) => /^[ \t]*/.exec(line.text)[0].length;
  const body = (line) => line.text.slice(indent(line));
  const allHave = lines.length > 0 && lines.every((line) => has.test(body(line)));
  const changes = lines.map((line, index) => {
    const from = line.from + indent(line);
    if (allHave) return { from, to: from + has.exec(body(line))[0].length };
    const existing = replaces.exec(body(line));
    return { from, to: from + (existing ? existing[0].length : 0), insert: prefixFor(index) };
  });
  return dispatch(view, { changes });
}

/** [text](https://): the address is selected to type or paste; an empty selection gets text. */
function link(view, placeholder) {
  const { state } = view;
  if (state.readOnly) return false;
  return dispatch(
    view,
    state.changeByRange((range) => {
      const selected = state.sliceDoc(range.from, range.to);
      if (/^https?:\/\/\S+$/.test(selected)) {
        // A bare address: it becomes the target, and the words to show are typed.
        const insert = `[${placeholder}](${selected})`;
        return {
          changes: { from: range.from, to: range.to, insert },
          range: EditorSelection.range(range.from + 1, range.from + 1 + placeholder.length),
        };
      }
      const words = selected || placeholder;
      const insert = `[${words}](https://)`;
      const url = range.from + words.length + 3;
      return {
        changes: { from: range.from, to: range.to, insert },
        range: selected
          ? EditorSelection.range(url, url + "https://".length)
          : EditorSelection.range(range.from + 1, range.from + 1 + words.length),
      };
    }),
  );
}

/** A numbered footnote: [^n] at the cursor, its note at the end of the text, selected. */
function footnote(view, placeholder) {
  const { state } = view;
  if (state.readOnly) return false;
  const doc = state.doc.toString();
  let number = 1;
  for (const match of doc.matchAll(/\[\^(\d+)\]/g)) number = Math.max(number, Number(match[1]) + 1);
  const reference = `[^${number}]`;
  const at = state.selection.main.to;
  // Notes go together at the end: right after the last note, or after a blank line.
  const lastLine = doc.trimEnd().split("\n").pop();
  const ending = /^\[\^[^\]]+\]:/.test(lastLine)
    ? doc.endsWith("\n")
      ? ""
      : "\n"
    : doc.endsWith("\n\n")
      ? ""
      : doc.endsWith("\n")
        ? "\n"
        : "\n\n";
  const note = `${ending}[^${number}]: ${placeholder}\n`;
  const changes = [
    { from: at, insert: reference },
    { from: doc.length, insert: note },
  ];
  const end = doc.length + reference.length + note.length - 1; // before the final newline
  return dispatch(view, {
    changes,
    selection: EditorSelection.range(end - placeholder.length, end),
  });
}

/** A two-column table, on lines of its own, the first heading selected. */
function table(view, column, cell) {
  const { state } = view;
  if (state.readOnly) return false;
  const { doc } = state;
  const line = doc.lineAt(state.selection.main.head);
  let at;
  let before;
  if (line.text.trim()) {
    // After the current line, a blank line between.
    at = line.to;
    before = "\n\n";
  } else {
    // On the current (blank) line, after a blank line if the one above has text.
    at = line.from;
    before = line.number > 1 && doc.line(line.number - 1).text.trim() ? "\n" : "";
  }
  const rows = [`| ${column} 1 | ${column} 2 |`, "| --- | --- |", `| ${cell} | ${cell} |`];
  // A blank line after the table too, or the next paragraph would become one of its rows.
  const rest = doc.sliceString(at, at + 2);
  const after = rest === "" ? "\n" : rest.startsWith("\n\n") ? "" : "\n";
  const start = at + before.length + 2;
  return dispatch(view, {
    changes: { from: at, insert: before + rows.join("\n") + after },
    selection: EditorSelection.range(start, start + column.length + 2),
  });
}
