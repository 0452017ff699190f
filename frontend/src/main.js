// Drafting's live editor: the entry point of static/vendor/editor.bundle.js.
//
// The page (templates/documents/live_edit.html) provides:
//   <meta name="csrf-token" content="…">
//   <div id="live-editor" data-document-id="…" data-api-base="/api/v1" data-language="…"
//        data-strings='{…}'> (every sentence the editor shows, translated, as JSON), with the
//     toolbar, status line, presence list, preview and kept-text panels inside.
// This file wires the sync client (sync.js, the protocol) to the editor (editor.js, the page)
// and to the browser's life cycle: online/offline, visibility, leaving the page.

import { createLiveEditor } from "./editor.js";
import { Status, SyncClient } from "./sync.js";
import { changesBetween } from "./textdiff.js";
import { createApi, fetchCsrfToken } from "./transport.js";
import { ChangeSet } from "@codemirror/state";

function start() {
  const root = document.getElementById("live-editor");
  if (!root || root.dataset.started) return;
  root.dataset.started = "true";
  const strings = JSON.parse(root.dataset.strings || "{}");
  const meta = document.querySelector('meta[name="csrf-token"]');
  let csrf = meta ? meta.getAttribute("content") : "";

  const api = createApi({
    apiBase: root.dataset.apiBase || "/api/v1",
    documentId: root.dataset.documentId,
    csrfToken: () => csrf,
    refreshCsrfToken: async () => {
      const token = await fetchCsrfToken(window.location.href);
      if (token) csrf = token;
      return token;
    },
  });

  root.hidden = false; // without JavaScript the page offers the plain editor instead
  let client = null;
  const editor = createLiveEditor({
    root,
    strings,
    preview: (content) => api.preview(content),
    onLocalChange: () => {
      if (client) client.localChange();
      editor.schedulePreview();
    },
  });

  client = new SyncClient({
    api,
    host: {
      getText: editor.getText,
      replaceText: editor.replaceText,
      getCursor: editor.getCursor,
      setEditable: editor.setEditable,
      onStatus: (status) => {
        editor.showStatus(status);
        root.dataset.unsynced = String(client ? client.hasUnsyncedChanges() : false);
      },
      onSession: ({ user, first }) => {
        editor.setMe(user);
        if (first) root.removeAttribute("aria-busy");
      },
      // Other people's cursors are positions in their text, which is (roughly) the server's:
      // map them through what we typed since our shadow to land near the right words.
      onEditors: (editors, myClientId) => {
        const shadow = client.shadow;
        const text = editor.getText();
        let map = (pos) => pos;
        if (text !== shadow) {
          const changes = ChangeSet.of(changesBetween(shadow, text), shadow.length);
          map = (pos) => changes.mapPos(Math.min(Math.max(0, pos), shadow.length), 1);
        }
        editor.showEditors(editors, myClientId, map);
      },
      onLost: (text) => editor.showLost(text),
    },
  });

  // The browser's view of the network, and of the page.
  window.addEventListener("online", () => client.setOnline(true));
  window.addEventListener("offline", () => client.setOnline(false));
  client.online = navigator.onLine !== false;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") client.wake();
  });

  // Leaving with text the server does not have yet: ask first.
  window.addEventListener("beforeunload", (event) => {
    if (client.hasUnsyncedChanges()) {
      event.preventDefault();
      event.returnValue = strings.unsavedWarning || "";
    }
  });
  // Gone (or frozen in the back-forward cache): hand over what we have and say goodbye.
  window.addEventListener("pagehide", () => {
    client.leave();
    client.stop();
  });
  window.addEventListener("pageshow", (event) => {
    // Back from the back-forward cache: our session was closed, so start() opens a new one
    // and rebases whatever the page holds onto it.
    if (event.persisted) client.start();
  });

  // For tests and for people debugging in the console: read-only views of the state.
  window.draftingLiveEditor = Object.freeze({
    hasUnsyncedChanges: () => client.hasUnsyncedChanges(),
    warnsBeforeLeaving: () => client.hasUnsyncedChanges(),
    status: () => client.status,
    clientId: () => client.clientId,
    text: () => editor.getText(),
    Status,
  });

  client.start();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
