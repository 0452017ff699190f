// A simulated server (SYNC.md's steps 1–7, in memory) and a lossy network, to test the sync
// client under node without a browser. Like the real server, it merges a client's change into
// the live text by position, never by searching for context (SYNC.md "Merging"), with the
// port of the server's merge (src/merge.js).

import { SyncClient } from "../src/sync.js";
import { merge } from "../src/merge.js";
import { diffsFromDelta, makeDelta, textAfter } from "../src/textdiff.js";

export class FakeServer {
  constructor(text = "") {
    this.text = text;
    this.version = 0;
    this.sessions = new Map();
    this.next = 0;
    this.maxLength = Infinity;
    this.readOnly = new Set(); // client ids that may not edit
    // Presence (docs/sync.md): null answers as a server before tags did (the list, always,
    // and no tag); a list answers with its tag, leaving the list out when the client has it.
    this.editors = null;
    this.presenceSent = []; // the tag of each sync request (undefined: none)
    // Syncs with edits to refuse, as the real server does when its check finds that a merge
    // would lose text (docs/sync.md): 503 with Retry-After, nothing kept.
    this.refuse = 0;
    // What one sync may carry (sent with each session, refused past it as the real server
    // does), and how many new edits one sync merges before it stops for time: the answer
    // then acknowledges those and sends nothing of the live text (docs/sync.md, "Limits").
    this.limits = { edits: 100, delta_chars: 3 * 1024 * 1024 };
    this.mergedPerSync = Infinity;
    this.largestSync = 0; // the most edits one sync request carried
  }

  openSession() {
    const clientId = `c${++this.next}`;
    this.sessions.set(clientId, {
      shadow: this.text,
      shadowN: 0,
      shadowM: 0,
      backup: this.text,
      backupM: 0,
      outgoing: [],
    });
    return {
      status: 201,
      body: {
        client_id: clientId,
        text: this.text,
        n: 0,
        m: 0,
        version: this.version,
        can_edit: true,
        user: { id: 1, name: "Test", colour: 0 },
        limits: { ...this.limits },
      },
    };
  }

  sync(body) {
    this.presenceSent.push(body.presence);
    const stored = this.sessions.get(body.client_id);
    if (!stored) return { status: 404, body: { error: { code: "not_found" } } };
    this.largestSync = Math.max(this.largestSync, body.edits.length);
    if (body.edits.length > this.limits.edits) return { status: 422, body: {} };
    const size = body.edits.reduce((sum, edit) => sum + edit.delta.length, 0);
    if (size > this.limits.delta_chars) return { status: 413, body: {} };
    if (this.refuse > 0 && body.edits.length > 0) {
      this.refuse -= 1;
      return { status: 503, body: { error: { code: "try_again" } }, retryAfter: "1" };
    }
    // One transaction: work on copies, keep them only if all goes well.
    const s = { ...stored, outgoing: stored.outgoing.slice() };
    let text = this.text;
    const conflict = { status: 409, body: { error: { code: "conflict" } } };
    if (body.m !== s.shadowM) {
      if (body.m !== s.backupM) return conflict;
      s.shadow = s.backup;
      s.shadowM = s.backupM;
      s.outgoing = [];
    }
    s.outgoing = s.outgoing.filter((edit) => edit.m >= body.m);
    let taken = 0;
    let stopped = false;
    for (const edit of body.edits) {
      if (edit.n < s.shadowN) continue;
      if (edit.n > s.shadowN) return conflict;
      if (taken >= this.mergedPerSync) {
        stopped = true;
        break;
      }
      taken += 1;
      let diffs;
      try {
        diffs = diffsFromDelta(s.shadow, edit.delta);
      } catch {
        return conflict;
      }
      const clientText = textAfter(diffs);
      if (clientText !== s.shadow) {
        if (this.readOnly.has(body.client_id)) return { status: 403, body: {} };
        const merged = merge(s.shadow, clientText, text).text; // the server's merge
        if (merged.length > this.maxLength) return { status: 413, body: {} };
        text = merged;
      }
      s.shadow = clientText;
      s.shadowN += 1;
    }
    s.backup = s.shadow;
    s.backupM = s.shadowM;
    if (!stopped && text !== s.shadow) {
      s.outgoing.push({ m: s.shadowM, delta: makeDelta(s.shadow, text) });
      s.shadow = text;
      s.shadowM += 1;
    }
    this.sessions.set(body.client_id, s);
    if (text !== this.text) {
      this.text = text;
      this.version += 1;
    }
    const answer = {
      ack: s.shadowN,
      m: s.shadowM,
      edits: s.outgoing.map((edit) => ({ ...edit })),
      version: this.version,
      editors: [],
    };
    if (this.editors !== null) {
      answer.presence = `t${JSON.stringify(this.editors).length}:${this.editors.length}`;
      if (body.presence === answer.presence) delete answer.editors;
      else answer.editors = this.editors;
    }
    return { status: 200, body: answer };
  }
}

/** A network between one client and the server, with faults chosen by `faults()`. */
export function network(server, faults = () => ({})) {
  const sent = [];
  const roundTrip = (handler) => async (body) => {
    const { dropRequest, dropResponse, duplicate, replayOld } = faults();
    // A JSON round trip, as over HTTP: the client must not share objects with the server.
    const copy = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
    if (replayOld && sent.length && body !== undefined) {
      // An old request, delayed in the network, arrives now; nobody reads its answer.
      handler(JSON.parse(sent[Math.floor(replayOld * sent.length) % sent.length]));
    }
    if (body !== undefined) sent.push(JSON.stringify(body));
    if (dropRequest) throw new TypeError("request lost");
    let answer = handler(copy);
    if (duplicate) answer = handler(JSON.parse(JSON.stringify(body)));
    if (dropResponse) throw new TypeError("response lost");
    return JSON.parse(JSON.stringify(answer));
  };
  return {
    openSession: roundTrip(() => server.openSession()),
    sync: roundTrip((body) => server.sync(body)),
    changes: () => new Promise(() => {}),
    close: () => {},
    syncBeacon: (body) => server.sync(JSON.parse(JSON.stringify(body))),
    preview: async () => ({ status: 200, body: { html: "" } }),
  };
}

/** An editor stand-in: a string, with what the client told it. */
export class FakeEditor {
  constructor() {
    this.text = "";
    this.statuses = [];
    this.lost = [];
    this.editable = null;
  }
  getText() {
    return this.text;
  }
  replaceText(text) {
    this.text = text;
  }
  getCursor() {
    return null;
  }
  setEditable(on) {
    this.editable = on;
  }
  onStatus(status) {
    this.statuses.push(status);
  }
  onEditors(editors) {
    this.editorsShown = editors;
  }
  onSession() {}
  onLost(text) {
    this.lost.push(text);
  }
}

/** A client whose rounds the test runs by hand (no timers fire on their own). */
export function makeClient(api, editor = new FakeEditor(), now = () => 0) {
  const client = new SyncClient({
    api,
    host: editor,
    clock: { now, setTimeout: () => 0, clearTimeout: () => {}, random: () => 0.5 },
  });
  client.running = true;
  client.needsReconnect = true;
  return { client, editor };
}

/** The person types: the editor's text changes and the client is told. */
export function type(client, editor, text) {
  editor.text = text;
  client.localChange();
}

/** A small deterministic random generator (mulberry32), so failures can be replayed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
