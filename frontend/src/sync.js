// The client half of differential synchronization, guaranteed-delivery form (SYNC.md,
// N. Fraser 2009, section 4.2). No DOM and no CodeMirror here: the page gives this module
//   * `api`:  the HTTP calls (see transport.js), each resolving to {status, body} and
//             rejecting only when the network failed (no answer at all);
//   * `host`: the editor, as getText(), replaceText(text) (a remote change: keep the
//             cursor, stay out of undo), getCursor(), setEditable(bool), and callbacks;
// so the protocol can be read, and tested under node with a simulated server, on its own.
//
// State (SYNC.md "In the client"): the editor's `text`, our `shadow` of the server's copy,
// `n` (our next edit number), `m` (the next server edit we expect) and the outgoing `stack`
// of {n, delta} edits the server has not acknowledged.
//
// One more text, `confirmed`, is what a reconnection rebases from: the shadow without the
// edits the server has not acknowledged. Edits are only pushed at the start of a sync and an
// answer acknowledges the oldest edits of the stack (all it was sent, or the first of them),
// so the stack's edits always follow each other starting from `confirmed`; each
// acknowledgement moves `confirmed` past the edits it covers.
//
// A sync carries at most the session's `limits` (edits and delta characters): a long stack,
// typed offline or through failures, goes in parts, oldest first. The server may also stop
// merging for time and acknowledge only the first edits it was sent. Either way, while some of
// the stack is still to go, the answer's edits are for a text our shadow has moved past: we
// keep only its acknowledgement and our `m`, and the next sync sends the rest from there (the
// server rolls its shadow back to that text, SYNC.md's step 2; docs/sync.md, "Limits").
// Rebasing from `confirmed` (not from the shadow) is what keeps text typed offline when the
// session expired meanwhile. Its one cost: if the server did apply an edit whose answer was
// lost, and then the session was lost too, that edit is on both sides of the rebase: the merge
// keeps it once, unless someone else changed the same words meanwhile, where it comes back
// twice (never lost).

import { merge, mergeDiffs } from "./merge.js";
import { DeltaMismatch, diff, diffsFromDelta, makeDelta, textAfter } from "./textdiff.js";

/** What the page shows; the editor maps each to a translated sentence. */
export const Status = Object.freeze({
  CONNECTING: "connecting", // opening the first session
  SAVED: "saved", // the server has every keystroke
  SYNCING: "syncing", // changes not yet acknowledged, or a sync in flight
  OFFLINE: "offline", // no network: everything is kept and will sync
  RECONNECTING: "reconnecting", // reopening a session, or the server is failing (5xx, 429)
  SIGNED_OUT: "signedOut", // 401: sign in again (in another tab); everything is kept
  TOO_LARGE: "tooLarge", // 413: the text is over the limit; kept here, not synced
  READ_ONLY: "readOnly", // 403 or can_edit false: following along, not editing
});

/** What one sync may carry until a session says (its `limits`): the server's bounds. */
export const SYNC_LIMITS = Object.freeze({ edits: 100, deltaChars: 3 * 1024 * 1024 });

export const DEFAULTS = Object.freeze({
  busyInterval: 1000, // poll while others edit or the person typed recently
  idleInterval: 4500, // poll when alone
  typingDebounce: 300, // sync this long after typing stops
  recentTyping: 5000, // "typed recently" for the busy interval
  presenceWindow: 30000, // someone seen this recently is present
  backoffFirst: 1000, // the first retry after a failure…
  backoffMax: 15000, // …doubling up to this
  signedOutRetry: 15000, // after a 401, try again this often (they may sign in elsewhere)
  longPollPause: 1000, // the shortest gap between two long-polls that found nothing
});

export class SyncClient {
  /**
   * @param {object} options
   * @param {object} options.api      openSession(), sync(body), changes(after, clientId,
   *                                  registerAbort), close(clientId), syncBeacon(body)
   * @param {object} options.host     getText(), replaceText(text), getCursor(), setEditable(bool),
   *                                  onStatus(status), onEditors(editors, myClientId, unlisted),
   *                                  onSession({user, canEdit, first}), onLost(text) (the
   *                                  person's text we could not keep in the editor: shown whole)
   * @param {object} [options.clock]  now(), setTimeout(fn, ms), clearTimeout(id), random(): for tests
   * @param {object} [options.settings] overrides of DEFAULTS
   */
  constructor({ api, host, clock, settings } = {}) {
    this.api = api;
    this.host = host;
    this.clock = clock || {
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (id) => clearTimeout(id),
      random: () => Math.random(),
    };
    this.settings = { ...DEFAULTS, ...(settings || {}) };

    // Protocol state.
    this.clientId = null;
    this.shadow = "";
    this.confirmed = "";
    this.n = 0;
    this.m = 0;
    this.stack = [];
    this.version = 0; // the document's live version as we last heard it
    this.limits = { ...SYNC_LIMITS }; // what one sync may carry (the session says)

    // Who we are and what we may do.
    this.me = null;
    this.canEdit = false;
    this.editors = [];
    this.editorsUnlisted = 0; // tabs present beyond the list (the server names a bounded few)
    // The server's tag of that list (docs/sync.md, "Presence"): sent with each sync, so that
    // the answer leaves the list out while it is unchanged. Null: ask for the list.
    this.presence = null;
    this.editorsConfirmed = -Infinity; // when an answer last vouched for the list

    // Scheduling.
    this.running = false;
    this.inFlight = false; // a sync or a reconnect is under way (only one at a time)
    this.again = false; // another sync was asked for meanwhile
    this.dirty = false; // the editor may differ from the shadow
    this.needsReconnect = false; // the next round reopens a session and rebases
    this.heldBack = false; // after 413: do not send until the text changes
    this.timers = { poll: null, debounce: null };
    this.generation = 0; // one long-poll loop per start()
    this.discardLocal = false; // after 403: the next session replaces our text
    this.failures = 0;
    this.lastTyped = -Infinity;
    this.status = Status.CONNECTING;
    this.longPollAbort = null;
    this.online = true;
  }

  // ---- Life cycle ------------------------------------------------------------------------

  /** Open the first session, then keep in step until stop(). */
  start() {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    if (this.clientId === null) this.setStatus(Status.CONNECTING);
    this.needsReconnect = true; // the first round opens the session (or a new one)
    this.schedule("poll", 0);
    this.longPollLoop(this.generation);
  }

  /** Stop every timer and the long-poll (the page is going away, or a test ends). */
  stop() {
    this.running = false;
    this.clearTimers();
    if (this.longPollAbort) this.longPollAbort();
  }

  /**
   * The page is being hidden for good (pagehide): hand the server what we have. A request
   * sent now must not wait for its answer, so: unsynced text goes as one last sync (keepalive,
   * a duplicate is harmless); otherwise the session is closed so others see us leave.
   */
  leave() {
    if (!this.clientId) return;
    if (this.hasUnsyncedChanges() && this.canEdit && !this.heldBack && !this.needsReconnect) {
      this.snapshot();
      this.api.syncBeacon(this.requestBody());
    } else {
      this.api.close(this.clientId);
    }
  }

  // ---- What the page tells us -----------------------------------------------------------

  /** The person changed the text (not a remote change): sync soon after they pause. */
  localChange() {
    this.dirty = true;
    this.lastTyped = this.clock.now();
    if (this.heldBack) {
      // The text was too large; a change may have shortened it: reconnect and try again.
      this.heldBack = false;
      this.needsReconnect = true;
    }
    if (this.status === Status.SAVED) this.setStatus(Status.SYNCING);
    // Offline (or signed out), typing does not make a request per pause: the retry timer and
    // the browser's "online" event will. That keeps the outgoing stack short.
    if (!this.running || this.status === Status.OFFLINE || this.status === Status.SIGNED_OUT) {
      return;
    }
    this.schedule("debounce", this.settings.typingDebounce, { replace: true });
    // While the person keeps typing, still sync every second.
    this.schedule("poll", this.settings.busyInterval);
  }

  /** The browser says the network is back (or gone). */
  setOnline(online) {
    this.online = online;
    if (online) {
      this.failures = 0;
      this.wake();
    } else if (this.running) {
      this.setStatus(Status.OFFLINE);
    }
  }

  /** Sync right now (the tab became visible again, a change was announced, …). */
  wake() {
    if (this.running) this.schedule("poll", 0);
  }

  /** True while some of the person's text may not be on the server yet. */
  hasUnsyncedChanges() {
    if (this.stack.length > 0) return true;
    if (!this.clientId) return this.dirty;
    return this.host.getText() !== this.shadow;
  }

  // ---- Scheduling ------------------------------------------------------------------------
  // Two timers start rounds: "poll" (the regular interval, retries, wake-ups) and "debounce"
  // (a short wait after each keystroke). A round started while another is under way runs
  // again as soon as that one ends: only one request is ever in flight.

  /**
   * Start a round after `delay` ms on timer `name`. Without `replace`, a timer already due
   * sooner is kept (a poll is never pushed back); with it, the timer restarts (debounce).
   */
  schedule(name, delay, { replace = false } = {}) {
    if (!this.running) return;
    const due = this.clock.now() + delay;
    const timer = this.timers[name];
    if (timer) {
      if (!replace && timer.due <= due) return;
      this.clock.clearTimeout(timer.id);
    }
    const id = this.clock.setTimeout(() => {
      if (this.timers[name] && this.timers[name].id === id) this.timers[name] = null;
      this.round();
    }, delay);
    this.timers[name] = { id, due };
  }

  cancel(name) {
    const timer = this.timers[name];
    if (timer) this.clock.clearTimeout(timer.id);
    this.timers[name] = null;
  }

  clearTimers() {
    this.cancel("poll");
    this.cancel("debounce");
  }

  /** How long to wait before the next poll when all is well. */
  pollInterval() {
    const now = this.clock.now();
    const typedRecently = now - this.lastTyped < this.settings.recentTyping;
    return typedRecently || this.othersPresent()
      ? this.settings.busyInterval
      : this.settings.idleInterval;
  }

  /**
   * Someone else (another person, or another tab) was seen in the last 30 s. The server's
   * list holds only such tabs, and an answer that leaves it out says it still holds: so the
   * list counts as long as an answer vouched for it recently (its `last_seen` times are as
   * of when it was last sent, which may be long ago).
   */
  othersPresent() {
    if (this.clock.now() - this.editorsConfirmed >= this.settings.presenceWindow) return false;
    return this.editors.some((editor) => editor.client_id !== this.clientId);
  }

  /** The wait after the failures so far: doubling, capped, with some jitter. */
  backoff() {
    const base = Math.min(
      this.settings.backoffMax,
      this.settings.backoffFirst * 2 ** Math.max(0, this.failures - 1),
    );
    return Math.round(base * (0.8 + 0.4 * this.clock.random()));
  }

  // ---- One round: reconnect if needed, then sync ----------------------------------------

  async round() {
    if (!this.running) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    if (this.heldBack && !this.needsReconnect) return;
    this.cancel("debounce"); // this round takes whatever was typed
    if (!this.online) {
      // The browser knows it is offline: do not even try (nor grow the stack).
      this.failures += 1;
      this.setStatus(Status.OFFLINE);
      this.schedule("poll", this.backoff(), { replace: true });
      return;
    }
    this.inFlight = true;
    this.again = false;
    let next;
    try {
      next = this.needsReconnect ? await this.reconnect() : await this.sync();
    } catch (error) {
      // A bug of ours must not stop syncing for good: reconnect next time.
      this.needsReconnect = true;
      this.failures += 1;
      next = this.backoff();
      if (typeof console !== "undefined") console.warn("Live editing:", error);
    } finally {
      this.inFlight = false;
    }
    if (!this.running) return;
    if (next === null) {
      this.cancel("poll");
      return;
    }
    if (this.again && this.failures === 0) next = 0;
    this.schedule("poll", next, { replace: true });
  }

  /**
   * Open a session; if we had one, rebase our unsynced text onto the new session's text.
   * Returns the delay before the next round (null: wait for the person to do something).
   */
  async reconnect() {
    if (this.clientId) this.setStatus(Status.RECONNECTING);
    let response;
    try {
      response = await this.api.openSession();
    } catch {
      return this.networkFailed();
    }
    const { status, body } = response;
    if (status === 403) {
      this.host.setEditable(false);
      this.setStatus(Status.READ_ONLY);
      return null;
    }
    if (status !== 201 && status !== 200) return this.failed(status, response);
    const first = this.clientId === null;

    // Carry over what the server may not have: everything since the last text it confirmed
    // (the unacknowledged stack included, so nothing typed offline is lost). After a 403
    // there is nothing to carry: the person's text was kept aside (onLost) already.
    // The rebase is the sync's own positional merge (merge.js, the server's rules): base the
    // text both sides last agreed (`confirmed`), theirs the new session's text, ours the
    // editor's. The new session knows nothing of our old shadow, so both diffs come from the
    // texts (diff(confirmed → server text), diff(confirmed → editor text)).
    const current = this.host.getText();
    let text = body.text;
    if (!first && !this.discardLocal) {
      text = merge(this.confirmed, current, body.text).text;
    }
    this.discardLocal = false;
    this.clientId = body.client_id;
    this.shadow = this.confirmed = body.text;
    this.n = body.n || 0;
    this.m = body.m || 0;
    this.stack = [];
    this.version = body.version || 0;
    this.me = body.user || null;
    this.limits = limitsOf(body.limits);
    this.presence = null; // the list we hold names our old session: ask for it again
    this.canEdit = body.can_edit !== false;
    this.needsReconnect = false;
    this.failures = 0;
    if (text !== current) this.host.replaceText(text);
    this.host.setEditable(this.canEdit);
    this.host.onSession({ user: this.me, canEdit: this.canEdit, first });
    this.dirty = text !== this.shadow;
    this.setStatus(this.settledStatus());
    if (this.longPollWake) this.longPollWake();
    // Send the rebased difference (or poll for presence) straight away.
    return 0;
  }

  /** Take the editor's text into the shadow as a new outgoing edit, if it changed. */
  snapshot() {
    if (!this.dirty) return;
    const text = this.host.getText();
    this.dirty = false;
    if (text === this.shadow || !this.canEdit) return;
    this.stack.push({ n: this.n, delta: makeDelta(this.shadow, text) });
    this.n += 1;
    this.shadow = text;
  }

  /**
   * The stack's oldest edits, as many as one sync may carry (the session's limits, and at
   * least one edit: one larger than the limit alone is the server's to refuse, 413).
   */
  outgoing() {
    const part = [];
    let size = 0;
    for (const edit of this.stack) {
      size += edit.delta.length;
      const full = part.length >= this.limits.edits || size > this.limits.deltaChars;
      if (part.length > 0 && full) break;
      part.push(edit);
    }
    return part;
  }

  requestBody() {
    const body = {
      client_id: this.clientId,
      m: this.m,
      edits: this.outgoing(),
      cursor: this.host.getCursor(),
    };
    if (this.presence !== null) body.presence = this.presence;
    return body;
  }

  /** One sync exchange. Returns the delay before the next round. */
  async sync() {
    this.snapshot();
    if (this.stack.length > 0) this.setStatus(Status.SYNCING);
    let response;
    try {
      response = await this.api.sync(this.requestBody());
    } catch {
      return this.networkFailed();
    }
    if (response.status !== 200) return this.failed(response.status, response);
    const body = response.body;

    // The server has every edit below `ack`: drop them, and move `confirmed` past them (the
    // stack's edits follow each other from `confirmed`, see the class comment).
    const acked = this.stack.filter((edit) => edit.n < body.ack);
    this.stack = this.stack.filter((edit) => edit.n >= body.ack);
    try {
      for (const edit of acked) {
        this.confirmed = textAfter(diffsFromDelta(this.confirmed, edit.delta));
      }
    } catch {
      this.confirmed = this.stack.length === 0 ? this.shadow : this.confirmed;
    }
    if (this.stack.length > 0) {
      // Some of the stack is still to go (see the class comment): the rest goes next.
      this.takePresence(body);
      this.setStatus(Status.SYNCING);
      return this.settings.typingDebounce;
    }

    // Its edits, in order: exactly onto the shadow; onto the editor's text, which may have
    // moved on while the request was out, by the server's own positional merge (merge.js:
    // the shadow as the base, the server's edit as theirs, diff(shadow → editor text) as
    // ours, the same keep-both rules), not by a fuzzy patch, which cut words typed inside a
    // passage someone else deleted. With nothing typed meanwhile, the editor simply takes
    // the new shadow. The editor maps the cursor through the change (replaceText).
    const serverEdits = (body.edits || []).filter((edit) => edit.m >= this.m);
    if (serverEdits.length > 0) {
      const before = this.host.getText();
      let text = before;
      let shadow = this.shadow;
      let expected = this.m;
      try {
        for (const edit of serverEdits) {
          if (edit.m !== expected) {
            throw new DeltaMismatch(`server edit ${edit.m}, expected ${expected}`);
          }
          const theirs = diffsFromDelta(shadow, edit.delta);
          const next = textAfter(theirs);
          text = text === shadow ? next : mergeDiffs(shadow, diff(shadow, text), theirs).text;
          shadow = next;
          expected = edit.m + 1;
        }
      } catch (error) {
        if (!(error instanceof DeltaMismatch)) throw error;
        // Out of step: the same recovery as a 409 (nothing of theirs was applied).
        this.needsReconnect = true;
        this.setStatus(Status.RECONNECTING);
        return 0;
      }
      this.shadow = shadow;
      this.m = expected;
      if (text !== before) this.host.replaceText(text);
      if (text !== shadow) this.dirty = true;
    }
    this.m = body.m;
    this.confirmed = this.shadow;
    this.takePresence(body);
    this.setStatus(this.settledStatus());
    // Text typed while the request was out goes soon; otherwise the regular poll.
    return this.status === Status.SYNCING ? this.settings.typingDebounce : this.pollInterval();
  }

  /** The live version and the editors list of a successful answer. */
  takePresence(body) {
    if (typeof body.version === "number") this.version = Math.max(this.version, body.version);
    this.failures = 0;
    // The list comes only when it changed since the tag we sent (or when we sent none, or
    // the server predates tags); otherwise the one we hold is still the list.
    if (Array.isArray(body.editors)) this.editors = body.editors;
    this.editorsUnlisted = Number.isInteger(body.editors_unlisted) ? body.editors_unlisted : 0;
    this.presence = typeof body.presence === "string" ? body.presence : null;
    this.editorsConfirmed = this.clock.now();
    this.host.onEditors(this.editors, this.clientId, this.editorsUnlisted);
  }

  /** The status when nothing is failing: saved, still syncing, or read-only. */
  settledStatus() {
    if (!this.canEdit) return Status.READ_ONLY;
    if (this.stack.length === 0 && this.host.getText() === this.shadow) {
      this.dirty = false;
      return Status.SAVED;
    }
    this.dirty = true;
    return Status.SYNCING;
  }

  /** No answer at all: keep everything, say we are offline, try again later. */
  networkFailed() {
    this.failures += 1;
    this.setStatus(Status.OFFLINE);
    return this.backoff();
  }

  /** The server answered with an error status. Returns the delay before the next round. */
  failed(status, response) {
    switch (status) {
      case 404: // the session is unknown or expired
      case 409: // out of step, or an edit that does not fit
        this.needsReconnect = true;
        this.failures += 1;
        this.setStatus(Status.RECONNECTING);
        // Reconnect at once the first time; if it keeps happening, slow down.
        return this.failures <= 1 ? 0 : this.backoff();
      case 401:
        this.setStatus(Status.SIGNED_OUT);
        return this.settings.signedOutRetry;
      case 403:
        // No right to edit (any more): the person's unsynced text is set aside for them to
        // copy, and the editor follows the document read-only from a fresh session.
        if (this.hasUnsyncedChanges()) this.host.onLost(this.host.getText());
        this.canEdit = false;
        this.host.setEditable(false);
        this.discardLocal = true;
        this.needsReconnect = true;
        this.failures += 1;
        this.setStatus(Status.READ_ONLY);
        return this.backoff();
      case 413:
        // Too large: keep the text here, send nothing until the person changes it.
        this.heldBack = true;
        this.setStatus(Status.TOO_LARGE);
        return null;
      default: {
        // 429, 5xx, a proxy's error page…: the server is struggling; back off and retry.
        this.failures += 1;
        this.setStatus(Status.RECONNECTING);
        const retryAfter = Number(response && response.retryAfter);
        const wait = this.backoff();
        return retryAfter > 0 ? Math.max(wait, retryAfter * 1000) : wait;
      }
    }
  }

  setStatus(status) {
    this.status = status;
    this.host.onStatus(status);
  }

  // ---- Long-poll: sync as soon as someone else changes the text -------------------------

  async longPollLoop(generation) {
    let after = -1;
    const current = () => this.running && this.generation === generation;
    while (current()) {
      if (!this.clientId || this.needsReconnect || !this.online || this.heldBack) {
        await this.pause(this.settings.longPollPause * 2, true);
        continue;
      }
      after = Math.max(after, this.version);
      const started = this.clock.now();
      let response;
      try {
        response = await this.api.changes(after, this.clientId, (abort) => {
          this.longPollAbort = abort;
        });
      } catch {
        // Offline, or aborted: the sync loop reports the state; just wait a little.
        await this.pause(Math.max(this.backoff(), this.settings.longPollPause));
        continue;
      } finally {
        this.longPollAbort = null;
      }
      if (!current()) return;
      if (response.status === 200 && response.body) {
        const { version, changed } = response.body;
        if (changed && version > this.version) {
          after = version;
          this.wake();
        }
        if (!changed && this.clock.now() - started < this.settings.longPollPause) {
          await this.pause(this.settings.longPollPause);
        }
      } else {
        // The sync loop deals with errors (401, 404, …); poll again later.
        await this.pause(5 * this.settings.longPollPause);
      }
    }
  }

  /** Wait `ms` (or, if `wakeable`, until a session opens). */
  pause(ms, wakeable = false) {
    return new Promise((resolve) => {
      const id = this.clock.setTimeout(done, ms);
      const self = this;
      function done() {
        self.clock.clearTimeout(id);
        if (self.longPollWake === done) self.longPollWake = null;
        resolve();
      }
      if (wakeable) this.longPollWake = done;
    });
  }
}

/** A session's `limits`, or the defaults where it says nothing usable (an older server). */
function limitsOf(limits) {
  const count = (value, fallback) => (Number.isInteger(value) && value > 0 ? value : fallback);
  return {
    edits: count(limits && limits.edits, SYNC_LIMITS.edits),
    deltaChars: count(limits && limits.delta_chars, SYNC_LIMITS.deltaChars),
  };
}
