// Who else is editing: the list by the toolbar, and their cursors in the text.
//
// Colours come from the server as a palette index (0–11, the same for a person in every tab);
// the stylesheet defines `.live-colour-N`. No inline styles: the page's CSP forbids them.

import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType } from "@codemirror/view";

const PALETTE_SIZE = 12;

/** The class for a colour index, or "" for anything else. */
export function colourClass(colour) {
  const index = Number(colour);
  return Number.isInteger(index) && index >= 0 ? `live-colour-${index % PALETTE_SIZE}` : "";
}

// ---- Cursors in the text ----------------------------------------------------------------

/** Replace the remote cursors: [{clientId, name, colour, anchor, head}] in this editor's text. */
export const setRemoteCursors = StateEffect.define();

class CaretWidget extends WidgetType {
  constructor(name, colour) {
    super();
    this.name = name;
    this.colour = colour;
  }

  eq(other) {
    return other.name === this.name && other.colour === this.colour;
  }

  toDOM() {
    const caret = document.createElement("span");
    caret.className = `live-remote-caret ${colourClass(this.colour)}`;
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "live-remote-name";
    label.textContent = this.name;
    caret.appendChild(label);
    return caret;
  }

  ignoreEvent() {
    return true;
  }
}

function decorationsFor(cursors, doc) {
  const ranges = [];
  const clamp = (pos) => Math.max(0, Math.min(doc.length, Math.round(Number(pos) || 0)));
  for (const cursor of cursors) {
    const head = clamp(cursor.head);
    const anchor = clamp(cursor.anchor);
    const from = Math.min(head, anchor);
    const to = Math.max(head, anchor);
    if (from < to) {
      ranges.push(
        Decoration.mark({ class: `live-remote-selection ${colourClass(cursor.colour)}` }).range(
          from,
          to,
        ),
      );
    }
    ranges.push(
      Decoration.widget({ widget: new CaretWidget(cursor.name, cursor.colour), side: 1 }).range(
        head,
      ),
    );
  }
  return Decoration.set(ranges, true);
}

/** The editor extension that draws other people's cursors and keeps them mapped. */
export const remoteCursors = StateField.define({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setRemoteCursors)) next = decorationsFor(effect.value, tr.state.doc);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// ---- The list of people ------------------------------------------------------------------

/**
 * Render the editors into `list` (a <ul>): you first, then each other person once (a person
 * with several tabs counts once). Returns the names of the other people, for announcements.
 */
export function renderPresence(list, editors, me, myClientId, strings) {
  const people = new Map();
  for (const editor of editors) {
    if (editor.client_id === myClientId) continue;
    const key = me && editor.user_id === me.id ? "me-elsewhere" : `user-${editor.user_id}`;
    if (!people.has(key)) people.set(key, editor);
  }
  const items = [];
  if (me) items.push({ label: strings.you || "You", colour: me.colour, self: true });
  for (const [key, editor] of people) {
    const label =
      key === "me-elsewhere" ? strings.youElsewhere || "You, in another window" : editor.name;
    items.push({ label, colour: editor.colour, self: false });
  }
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.className = item.self ? "live-person live-self" : "live-person";
      const dot = document.createElement("span");
      dot.className = `live-dot ${colourClass(item.colour)}`;
      dot.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.textContent = item.label;
      li.append(dot, name);
      return li;
    }),
  );
  return [...people.entries()].filter(([key]) => key !== "me-elsewhere").map(([, e]) => e.name);
}
