// The editing page around the sync client: CodeMirror, the formatting toolbar and its
// shortcuts, the status line, who is here, the live preview, and a place for text that could
// not be merged. Everything the person reads comes from the page's translated strings.

import { history, defaultKeymap, historyKeymap } from "@codemirror/commands";
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from "@codemirror/language";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { Annotation, Compartment, EditorState, Prec, Transaction } from "@codemirror/state";
import {
  EditorView,
  dropCursor,
  highlightSpecialChars,
  keymap,
  placeholder,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";

import { formattingCommands } from "./formatting.js";
import { remoteCursors, renderPresence, setRemoteCursors } from "./presence.js";
import { changesBetween } from "./textdiff.js";

/** Marks a transaction that carries someone else's change (never the person's own typing). */
export const remoteChange = Annotation.define();

// Markdown shown as a writer expects: headings larger and bold, emphasis as emphasis.
const markdownStyle = HighlightStyle.define([
  { tag: tags.heading1, fontWeight: "700", fontSize: "1.3em" },
  { tag: tags.heading2, fontWeight: "700", fontSize: "1.15em" },
  { tag: [tags.heading3, tags.heading4, tags.heading5, tags.heading6], fontWeight: "700" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strikethrough, textDecoration: "line-through" },
  { tag: [tags.link, tags.url], color: "#2f4b7c", textDecoration: "underline" },
  { tag: tags.quote, color: "#5b6475", fontStyle: "italic" },
  { tag: tags.monospace, fontFamily: "ui-monospace, Menlo, Consolas, monospace" },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: "#6b7385" },
]);

/**
 * Build the editor inside `root` (the page's #live-editor). Returns the handle main.js gives
 * the sync client as its host, plus the page parts it drives.
 */
export function createLiveEditor({ root, strings, onLocalChange, preview }) {
  const source = root.querySelector("[data-live-source]");
  const statusLine = root.querySelector("[data-live-status]");
  const presenceList = root.querySelector("[data-live-presence]");
  const announcer = root.querySelector("[data-live-announce]");
  const toolbar = root.querySelector("[data-live-toolbar]");
  const previewToggle = root.querySelector("[data-live-preview-toggle]");
  const previewPanel = root.querySelector("[data-live-preview]");
  const previewBody = root.querySelector("[data-live-preview-body]");
  const lostPanel = root.querySelector("[data-live-lost]");
  const lostText = root.querySelector("[data-live-lost-text]");
  const language = root.dataset.language || document.documentElement.lang || "en";

  const commands = formattingCommands(strings);
  const editable = new Compartment();

  const state = EditorState.create({
    doc: "",
    extensions: [
      // The editor's text must equal the server's exactly, so lines split on "\n" only (by
      // default CodeMirror also splits on "\r" and U+2028 and would rewrite them).
      EditorState.lineSeparator.of("\n"),
      EditorState.phrases.of(strings.phrases || {}),
      history(),
      highlightSpecialChars(),
      dropCursor(),
      EditorView.lineWrapping,
      EditorView.perLineTextDirection.of(true),
      // Markdown with GitHub's tables and strikethrough. (Not lang-markdown's markdown(),
      // which brings HTML, CSS and JavaScript support for code blocks: 250 KiB we do not need.)
      new LanguageSupport(markdownLanguage),
      // Enter continues a list or quote; Backspace removes its marker.
      Prec.high(keymap.of(markdownKeymap)),
      syntaxHighlighting(markdownStyle),
      search({ top: true }),
      highlightSelectionMatches(),
      placeholder(strings.placeholder || ""),
      remoteCursors,
      editable.of([EditorState.readOnly.of(true), EditorView.editable.of(false)]),
      EditorView.contentAttributes.of({
        "data-testid": "editor",
        "aria-label": strings.editorLabel || "Text",
        lang: language,
        spellcheck: "true",
        autocapitalize: "sentences",
        autocorrect: "on",
      }),
      // Pasted text: Windows line endings become "\n"; NUL (refused by the server) goes.
      EditorView.clipboardInputFilter.of((text) => text.replace(/\r\n?/g, "\n").replace(/\0/g, "")),
      Prec.high(
        keymap.of([
          { key: "Mod-b", run: commands.bold, preventDefault: true },
          { key: "Mod-i", run: commands.italic, preventDefault: true },
          { key: "Mod-k", run: commands.link, preventDefault: true },
        ]),
      ),
      keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && update.transactions.some((tr) => !tr.annotation(remoteChange))) {
          onLocalChange();
        }
      }),
    ],
  });
  const view = new EditorView({ state, parent: source });

  // ---- Toolbar: buttons with labels, one tab stop, arrow keys between buttons -------------
  const buttons = [...toolbar.querySelectorAll("button[data-command]")];
  buttons.forEach((button, index) => {
    button.tabIndex = index === 0 ? 0 : -1;
    // Keep the editor's focus and selection when a button is pressed with the mouse.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      const command = commands[button.dataset.command];
      if (command) command(view);
      view.focus();
    });
  });
  toolbar.addEventListener("keydown", (event) => {
    const current = buttons.indexOf(document.activeElement);
    if (current < 0) return;
    const rtl = getComputedStyle(toolbar).direction === "rtl";
    const step = {
      ArrowRight: rtl ? -1 : 1,
      ArrowLeft: rtl ? 1 : -1,
      Home: -Infinity,
      End: Infinity,
    }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = Number.isFinite(step)
      ? (current + step + buttons.length) % buttons.length
      : step < 0
        ? 0
        : buttons.length - 1;
    buttons[current].tabIndex = -1;
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  });

  // ---- Status line: an aria-live region; "Syncing…" only once it has lasted a moment -----
  let shownStatus = null;
  let syncingTimer = null;
  function showStatus(status) {
    clearTimeout(syncingTimer);
    if (status === "syncing" && shownStatus !== "offline" && shownStatus !== "reconnecting") {
      // Short syncs while typing would make the line (and screen readers) chatter.
      if (shownStatus !== "syncing") syncingTimer = setTimeout(() => paintStatus("syncing"), 1000);
      return;
    }
    paintStatus(status);
  }
  function paintStatus(status) {
    if (status === shownStatus) return;
    shownStatus = status;
    statusLine.textContent = (strings.status && strings.status[status]) || status;
    statusLine.dataset.status = status;
    root.dataset.status = status;
  }

  // ---- Presence ----------------------------------------------------------------------------
  let present = new Set();
  let me = null;
  function showEditors(editors, myClientId, mapPosition) {
    const others = renderPresence(presenceList, editors, me, myClientId, strings);
    const now = new Set(others);
    for (const name of now) if (!present.has(name)) announce(strings.joined, name);
    for (const name of present) if (!now.has(name)) announce(strings.left, name);
    present = now;
    const cursors = editors
      .filter((editor) => editor.client_id !== myClientId && editor.cursor)
      .map((editor) => ({
        name: me && editor.user_id === me.id ? strings.youElsewhere || editor.name : editor.name,
        colour: editor.colour,
        anchor: mapPosition(editor.cursor.anchor),
        head: mapPosition(editor.cursor.head),
      }));
    view.dispatch({ effects: setRemoteCursors.of(cursors) });
  }
  function announce(template, name) {
    if (!template || !announcer) return;
    announcer.textContent = template.replace("{name}", name);
  }

  // ---- Preview -------------------------------------------------------------------------------
  let previewOn = false;
  let previewTimer = null;
  let previewSent = null;
  async function refreshPreview() {
    if (!previewOn) return;
    const content = view.state.doc.toString();
    if (content === previewSent) return;
    previewSent = content;
    previewBody.setAttribute("aria-busy", "true");
    try {
      const answer = await preview(content);
      if (answer.status === 200 && answer.body && typeof answer.body.html === "string") {
        // Sanitized by the server, as the reading page is.
        previewBody.innerHTML = answer.body.html || "";
        if (!answer.body.html) previewBody.textContent = strings.previewEmpty || "";
      } else {
        previewSent = null;
        previewBody.textContent =
          answer.status === 413 ? strings.status.tooLarge : strings.previewFailed || "";
      }
    } catch {
      previewSent = null; // try again after the next change
    } finally {
      previewBody.removeAttribute("aria-busy");
    }
  }
  function schedulePreview() {
    if (!previewOn) return;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 600);
  }
  previewToggle.addEventListener("click", () => {
    previewOn = !previewOn;
    previewToggle.setAttribute("aria-pressed", String(previewOn));
    previewPanel.hidden = !previewOn;
    root.classList.toggle("live-with-preview", previewOn);
    if (previewOn) refreshPreview();
  });

  // ---- The host the sync client drives -------------------------------------------------
  return {
    view,
    getText: () => view.state.doc.toString(),

    /** Someone else's change (or a rebase): minimal edits, cursor kept, not undoable. */
    replaceText(text) {
      const changes = changesBetween(view.state.doc.toString(), text);
      if (!changes.length) return;
      view.dispatch({
        changes,
        annotations: [Transaction.addToHistory.of(false), remoteChange.of(true)],
      });
      schedulePreview();
    },

    getCursor() {
      const { anchor, head } = view.state.selection.main;
      return { anchor, head };
    },

    setEditable(on) {
      view.dispatch({
        effects: editable.reconfigure([EditorState.readOnly.of(!on), EditorView.editable.of(on)]),
      });
      root.classList.toggle("live-read-only", !on);
      for (const button of buttons) button.disabled = !on;
    },

    setMe(user) {
      me = user;
    },

    showStatus,
    showEditors,
    schedulePreview,

    /** Text that could not be merged: shown whole, to copy from, so nothing is lost. */
    showLost(text) {
      lostText.value = text;
      lostPanel.hidden = false;
    },

    focus: () => view.focus(),
  };
}
