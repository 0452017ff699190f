// The sync client against a simulated server: `npm test` (node's test runner, no browser).

import assert from "node:assert/strict";
import { test } from "node:test";

import { Status } from "../src/sync.js";
import { FakeServer, makeClient, network, random, type } from "./harness.mjs";

/** Rounds until nothing is left to send and the text is settled (or give up). */
async function settle(...clients) {
  for (let i = 0; i < 6; i++) for (const { client } of clients) await client.round();
}

test("two people typing at once converge on a text with both their words", async () => {
  const server = new FakeServer("The caucus recalls the Compact.\n\nStates should act.\n");
  const a = makeClient(network(server));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  assert.equal(a.editor.text, server.text);

  type(a.client, a.editor, a.editor.text.replace("recalls", "firmly recalls"));
  type(b.client, b.editor, b.editor.text.replace("should act.", "should act now."));
  await settle(a, b);

  const expected = "The caucus firmly recalls the Compact.\n\nStates should act now.\n";
  assert.equal(server.text, expected);
  assert.equal(a.editor.text, expected);
  assert.equal(b.editor.text, expected);
  assert.equal(a.client.status, Status.SAVED);
  assert.equal(a.client.hasUnsyncedChanges(), false);
});

test("text typed while a sync is in flight is kept and sent next", async () => {
  const server = new FakeServer("alpha beta gamma");
  const a = makeClient(network(server));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  type(b.client, b.editor, "alpha beta gamma delta");
  await b.client.round();

  // A types, then while A's request is out (between send and answer) types more.
  type(a.client, a.editor, "ALPHA beta gamma");
  const api = a.client.api;
  const realSync = api.sync;
  api.sync = async (body) => {
    const answer = await realSync(body);
    a.editor.text = a.editor.text.replace("beta", "BETA");
    a.client.localChange();
    return answer;
  };
  await a.client.round();
  api.sync = realSync;
  assert.equal(a.editor.text, "ALPHA BETA gamma delta");
  assert.equal(a.client.hasUnsyncedChanges(), true);
  await settle(a, b);
  assert.equal(server.text, "ALPHA BETA gamma delta");
  assert.equal(b.editor.text, server.text);
});

test("typing in flight inside a passage deleted meanwhile merges as the server does", async () => {
  // tests/collab/test_faults.py's case: Amina deletes "stice for migrant women. Mem" while
  // Lucía, her sync out, types "[lucia]" inside "justice". The answer is merged onto her text
  // by position with the server's rules (both sides' words kept, theirs first), so her word
  // stays whole and the server, merging her next edit, agrees with her.
  const clause = "Member States shall ensure access to justice for migrant women.";
  const server = new FakeServer(`${clause} ${clause}\n`);
  const amina = makeClient(network(server));
  const lucia = makeClient(network(server));
  await amina.client.round();
  await lucia.client.round();
  const cut = "stice for migrant women. Mem";
  const at = amina.editor.text.lastIndexOf(cut);
  const aminaText = amina.editor.text;
  type(amina.client, amina.editor, aminaText.slice(0, at) + aminaText.slice(at + cut.length));
  await amina.client.round();
  const api = lucia.client.api;
  const realSync = api.sync;
  api.sync = async (body) => {
    const answer = await realSync(body);
    const text = lucia.editor.text;
    const where = text.lastIndexOf("justice for migrant women. Mem") + "just".length;
    type(lucia.client, lucia.editor, `${text.slice(0, where)}[lucia]${text.slice(where)}`);
    return answer;
  };
  await lucia.client.round();
  api.sync = realSync;
  assert.equal(
    lucia.editor.text,
    "Member States shall ensure access to juber just[lucia]ice States shall ensure access to " +
      "justice for migrant women.\n",
  );
  await settle(amina, lucia);
  assert.equal(server.text.split("[lucia]").length, 2);
  assert.equal(amina.editor.text, server.text);
  assert.equal(lucia.editor.text, server.text);
});

test("offline: everything is kept, the status says so, and it all syncs on return", async () => {
  const server = new FakeServer("Recommendations:\n");
  let offline = false;
  const a = makeClient(network(server, () => ({ dropRequest: offline })));
  await a.client.round();
  offline = true;
  type(a.client, a.editor, "Recommendations:\n- one\n");
  await a.client.round();
  type(a.client, a.editor, "Recommendations:\n- one\n- two\n");
  await a.client.round();
  assert.equal(a.client.status, Status.OFFLINE);
  assert.equal(a.client.hasUnsyncedChanges(), true);
  assert.equal(a.client.stack.length, 2);
  assert.equal(server.text, "Recommendations:\n");

  offline = false;
  a.client.setOnline(true);
  await a.client.round();
  assert.equal(server.text, "Recommendations:\n- one\n- two\n");
  assert.equal(a.client.status, Status.SAVED);
  assert.equal(a.client.stack.length, 0);
});

test("when the browser knows it is offline, no request is made and the stack does not grow", async () => {
  const server = new FakeServer("x");
  let calls = 0;
  const api = network(server);
  const sync = api.sync;
  api.sync = (body) => {
    calls += 1;
    return sync(body);
  };
  const a = makeClient(api);
  await a.client.round();
  a.client.setOnline(false);
  type(a.client, a.editor, "xy");
  await a.client.round();
  await a.client.round();
  assert.equal(calls, 0);
  assert.equal(a.client.stack.length, 0);
  assert.equal(a.client.status, Status.OFFLINE);
  a.client.setOnline(true);
  await a.client.round();
  assert.equal(server.text, "xy");
});

test("a lost answer loses nothing: the stack is resent and duplicates are skipped", async () => {
  const server = new FakeServer("one");
  let dropResponse = false;
  const a = makeClient(network(server, () => ({ dropResponse })));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  type(b.client, b.editor, "zero one");
  await b.client.round();
  dropResponse = true;
  type(a.client, a.editor, "one two");
  await a.client.round(); // applied by the server; the answer is lost
  assert.equal(server.text, "zero one two");
  assert.equal(a.client.status, Status.OFFLINE);
  type(a.client, a.editor, "one two three");
  dropResponse = false;
  await settle(a, b);
  assert.equal(server.text, "zero one two three");
  assert.equal(a.editor.text, server.text);
  assert.equal(b.editor.text, server.text);
});

test("an expired session (404) after typing offline: reconnect and rebase keep the typing", async () => {
  const server = new FakeServer("Para one.\n\nPara two.\n");
  let offline = false;
  const a = makeClient(network(server, () => ({ dropRequest: offline })));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  offline = true;
  type(a.client, a.editor, "Para one, amended.\n\nPara two.\n");
  await a.client.round(); // fails: goes on the stack
  type(a.client, a.editor, "Para one, amended.\n\nPara two.\nPara three.\n");
  await a.client.round();
  // Meanwhile B edits and A's session expires on the server.
  type(b.client, b.editor, "Para one.\n\nPara two, by B.\n");
  await b.client.round();
  server.sessions.clear();
  offline = false;
  await a.client.round(); // 404
  assert.equal(a.client.status, Status.RECONNECTING);
  await settle(a, b);
  const expected = "Para one, amended.\n\nPara two, by B.\nPara three.\n";
  assert.equal(server.text, expected);
  assert.equal(a.editor.text, expected);
  assert.equal(b.editor.text, expected);
  assert.deepEqual(a.editor.lost, []);
});

test("a reconnection rebases by position, keeping both people's words (the sync's merge)", async () => {
  // tests/collab/test_protocol.py's case. A types while her session expires; B rewrites the
  // sentence A typed into, types a word at the very point where A typed one, and edits
  // elsewhere. The old rebase (merge3) glued B's "equal" and A's "effective" into one word
  // "equaleffective"; a fuzzy patch dropped A's "final" (its context was rewritten).
  const base =
    "The caucus notes the report of the Special Rapporteur with concern.\n\n" +
    "Member States shall ensure access to justice for migrant women.\n\n" +
    "The caucus recalls the Global Compact.\n";
  const server = new FakeServer(base);
  const a = makeClient(network(server));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  type(
    a.client,
    a.editor,
    base.replace("notes the report", "notes the final report").replace("ensure access", "ensure effective access"),
  );
  server.sessions.delete(a.client.clientId); // expired before A's sync
  type(
    b.client,
    b.editor,
    base
      .replace("notes the report of the Special Rapporteur with concern", "welcomes the findings of the Rapporteur")
      .replace("ensure access", "ensure equal access")
      .replace("Global Compact", "Global Compact for Migration"),
  );
  await b.client.round();
  await a.client.round(); // 404
  assert.equal(a.client.needsReconnect, true);
  await settle(a, b);
  const expected =
    "The caucus welcomes the final findings of the Rapporteur.\n\n" +
    "Member States shall ensure equal effective access to justice for migrant women.\n\n" +
    "The caucus recalls the Global Compact for Migration.\n";
  assert.equal(server.text, expected);
  assert.equal(a.editor.text, expected);
  assert.equal(b.editor.text, expected);
  const words = expected.split(/\s+/);
  for (const word of ["final", "effective", "equal", "welcomes", "findings", "Migration."]) {
    assert.equal(words.filter((w) => w === word).length, 1, word);
  }
  assert.deepEqual(a.editor.lost, []);
});

test("409 (out of step): reconnect and rebase", async () => {
  const server = new FakeServer("abc def");
  const a = makeClient(network(server));
  await a.client.round();
  a.client.m = 7; // corrupt our state: the server answers 409
  type(a.client, a.editor, "abc def ghi");
  await a.client.round();
  assert.equal(a.client.needsReconnect, true);
  await settle(a);
  assert.equal(server.text, "abc def ghi");
  assert.equal(a.client.status, Status.SAVED);
});

test("a server delta that does not fit the shadow is treated as out of step, not guessed", async () => {
  const server = new FakeServer("hello");
  const a = makeClient(network(server));
  await a.client.round();
  const api = a.client.api;
  const realSync = api.sync;
  api.sync = async (body) => ({
    status: 200,
    body: {
      ack: body.edits.length,
      m: 1,
      edits: [{ m: 0, delta: "=99\t+x" }],
      version: 1,
      editors: [],
    },
  });
  await a.client.round();
  api.sync = realSync;
  assert.equal(a.editor.text, "hello");
  assert.equal(a.client.needsReconnect, true);
  await settle(a);
  assert.equal(a.editor.text, server.text);
});

test("413: the text stays, nothing is sent until it changes", async () => {
  const server = new FakeServer("short");
  server.maxLength = 10;
  let calls = 0;
  const api = network(server);
  const sync = api.sync;
  api.sync = (body) => {
    calls += 1;
    return sync(body);
  };
  const a = makeClient(api);
  await a.client.round();
  type(a.client, a.editor, "short and far too long");
  await a.client.round();
  assert.equal(a.client.status, Status.TOO_LARGE);
  assert.equal(a.editor.text, "short and far too long");
  const before = calls;
  await a.client.round();
  assert.equal(calls, before);
  type(a.client, a.editor, "short, ok");
  await settle(a);
  assert.equal(server.text, "short, ok");
  assert.equal(a.client.status, Status.SAVED);
});

test("403: the person's text is set aside and the editor follows read-only", async () => {
  const server = new FakeServer("text");
  const a = makeClient(network(server));
  await a.client.round();
  server.readOnly.add(a.client.clientId);
  type(a.client, a.editor, "text changed");
  await a.client.round();
  assert.equal(a.client.status, Status.READ_ONLY);
  assert.equal(a.editor.editable, false);
  assert.deepEqual(a.editor.lost, ["text changed"]);
  await a.client.round(); // a fresh session; our change is not carried over
  assert.equal(a.editor.text, "text");
  assert.equal(server.text, "text");
});

test("401: signed out, everything kept, retried", async () => {
  const server = new FakeServer("t");
  let signedOut = false;
  const api = network(server);
  const sync = api.sync;
  api.sync = async (body) => (signedOut ? { status: 401, body: {} } : sync(body));
  const a = makeClient(api);
  await a.client.round();
  signedOut = true;
  type(a.client, a.editor, "t2");
  await a.client.round();
  assert.equal(a.client.status, Status.SIGNED_OUT);
  assert.equal(a.client.hasUnsyncedChanges(), true);
  signedOut = false;
  await a.client.round();
  assert.equal(server.text, "t2");
});

test("leaving with unsynced text sends it as a last sync", async () => {
  const server = new FakeServer("a");
  const a = makeClient(network(server));
  await a.client.round();
  type(a.client, a.editor, "a b");
  a.client.leave();
  assert.equal(server.text, "a b");
});

test("emoji and other characters outside the BMP: deltas count UTF-16 units, pairs stay whole", async () => {
  const server = new FakeServer("Flags 🇺🇳 and 😀 here");
  const a = makeClient(network(server));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  type(a.client, a.editor, "Flags 🇺🇳 and 😁 here");
  type(b.client, b.editor, "Flags 🇺🇳 and 😀 here 𝒳");
  await settle(a, b);
  assert.equal(server.text, "Flags 🇺🇳 and 😁 here 𝒳");
  assert.equal(a.editor.text, server.text);
  assert.equal(b.editor.text, server.text);
});

// Requests and answers lost at random, requests delivered twice, sessions expiring, typing
// while a request is out: after the network heals, everyone has the server's text and every
// word anyone typed is in it.
//
// Not simulated: an old request arriving after a newer one from the same tab (replayOld). The
// server takes it for "the client missed my last answer" (its m equals backup_m), rolls the
// session back, and from then on its shadow and the tab's differ without either noticing until
// the tab's next edit fails to fit (409). One request in flight per tab makes this rare (a
// request abandoned after the 30 s timeout and processed later, behind the next one); a
// checksum or length of the shadow in each sync request would let the server answer 409 at
// once.
test("lost and duplicated messages at random: convergence, and no insertion lost", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = random(seed);
    const server = new FakeServer("Base text of the position paper.\n");
    let chaos = true;
    const faults = () =>
      chaos
        ? {
            dropRequest: rand() < 0.15,
            dropResponse: rand() < 0.15,
            duplicate: rand() < 0.1,
          }
        : {};
    const clients = [0, 1, 2].map(() => makeClient(network(server, faults)));
    for (const { client } of clients) {
      while (client.clientId === null) await client.round();
    }
    const tokens = [];
    for (let step = 0; step < 60; step++) {
      const who = clients[Math.floor(rand() * clients.length)];
      if (rand() < 0.6) {
        // Type a unique word at a word boundary of this person's text.
        const token = ` [s${seed}c${clients.indexOf(who)}t${step}]`;
        const words = who.editor.text.split(" ");
        const at = Math.floor(rand() * words.length);
        words[at] = words[at] + token;
        type(who.client, who.editor, words.join(" "));
        tokens.push(token.trim());
      }
      // Sometimes the person types again while the request is out.
      const typeInFlight = rand() < 0.3;
      const realSync = who.client.api.sync;
      if (typeInFlight) {
        const token = ` [s${seed}c${clients.indexOf(who)}t${step}f]`;
        who.client.api.sync = async (body) => {
          const words = who.editor.text.split(" ");
          const at = Math.floor(rand() * words.length);
          words[at] = words[at] + token;
          const answer = realSync(body);
          type(who.client, who.editor, words.join(" "));
          tokens.push(token.trim());
          return answer;
        };
      }
      await who.client.round();
      who.client.api.sync = realSync;
      if (rand() < 0.05) server.sessions.delete(who.client.clientId); // a session expires
    }
    chaos = false;
    for (let i = 0; i < 8; i++) for (const { client } of clients) await client.round();
    for (const { editor } of clients) assert.equal(editor.text, server.text, `seed ${seed}`);
    for (const token of tokens) {
      assert.ok(server.text.includes(token), `seed ${seed}: ${token} lost`);
    }
  }
});

test("the editors list comes only when it changed: the client sends the tag it holds", async () => {
  const server = new FakeServer("alpha");
  let now = 0;
  const a = makeClient(network(server), undefined, () => now);
  const amina = { client_id: "c9", user_id: 9, name: "Amina", colour: 9, last_seen: "2026-01-01T00:00:00Z", cursor: null };
  server.editors = [amina];
  await a.client.round(); // opens the session
  await a.client.round(); // first sync: no tag yet, the list comes
  assert.equal(server.presenceSent.at(-1), undefined);
  assert.deepEqual(a.client.editors, [amina]);
  const tag = a.client.presence;
  assert.equal(typeof tag, "string");
  // Nothing changed: the client sends its tag, the answer leaves the list out, the client
  // keeps its list (and shows it), and still counts Amina as present long after her
  // last_seen, since every answer vouches for the list.
  for (let i = 0; i < 3; i++) {
    now += 20000;
    await a.client.round();
    assert.equal(server.presenceSent.at(-1), tag);
    assert.deepEqual(a.client.editors, [amina]);
    assert.deepEqual(a.editor.editorsShown, [amina]);
    assert.equal(a.client.othersPresent(), true);
  }
  // Someone joins: the tag no longer matches, the list comes.
  const lucia = { ...amina, client_id: "c10", user_id: 10, name: "Lucía" };
  server.editors = [amina, lucia];
  await a.client.round();
  assert.deepEqual(a.client.editors, [amina, lucia]);
  assert.notEqual(a.client.presence, tag);
  // Everyone left: an empty list comes, and nobody is present.
  server.editors = [];
  await a.client.round();
  assert.deepEqual(a.client.editors, []);
  assert.equal(a.client.othersPresent(), false);
  // Answers stop (offline): after 30 s the list no longer counts.
  server.editors = [amina];
  await a.client.round();
  assert.equal(a.client.othersPresent(), true);
  now += 31000;
  assert.equal(a.client.othersPresent(), false);
});

test("a server without presence tags: the client sends none and takes the list each time", async () => {
  const server = new FakeServer("alpha"); // server.editors stays null: no tags
  const a = makeClient(network(server));
  await a.client.round();
  await a.client.round();
  await a.client.round();
  assert.deepEqual(server.presenceSent, [undefined, undefined]);
  assert.equal(a.client.presence, null);
  assert.deepEqual(a.client.editors, []);
});

test("a reconnection asks for the list again (no tag on the new session's first sync)", async () => {
  const server = new FakeServer("alpha");
  server.editors = [];
  const a = makeClient(network(server));
  await a.client.round();
  await a.client.round();
  await a.client.round();
  assert.equal(typeof server.presenceSent.at(-1), "string");
  server.sessions.clear();
  await a.client.round(); // 404
  await a.client.round(); // reopen
  const before = server.presenceSent.length;
  await a.client.round();
  assert.equal(server.presenceSent[before], undefined);
});

test("503 (the server's check refused the merge): nothing lost, the same edits go again", async () => {
  const server = new FakeServer("States should act.\n");
  const a = makeClient(network(server));
  await a.client.round();
  type(a.client, a.editor, "States should act now.\n");
  server.refuse = 1;
  const delay = await a.client.sync();
  assert.ok(delay >= 1000, `waits at least the Retry-After, not ${delay} ms`);
  assert.equal(server.text, "States should act.\n");
  assert.equal(a.client.status, Status.RECONNECTING);
  assert.equal(a.client.hasUnsyncedChanges(), true);
  assert.equal(a.client.needsReconnect, false); // the session is kept: it is a retry
  await settle(a);
  assert.equal(server.text, "States should act now.\n");
  assert.equal(a.editor.text, server.text);
  assert.equal(a.client.status, Status.SAVED);
});

test("joining while others type: the first sync, and typing while it is out, land once in place", async () => {
  // Issue 10: a session opened on a text that keeps moving; its first sync comes after many
  // edits of the others, and the person types again before the answer arrives.
  const paragraphs = [1, 2, 3, 4, 5, 6].map((n) => `${n}. Member States shall act.`);
  const server = new FakeServer(paragraphs.join("\n\n") + "\n");
  const others = [0, 1, 2].map(() => makeClient(network(server)));
  for (const other of others) await other.client.round();
  const typeIn = (who, paragraph, token) => {
    const at = who.editor.text.indexOf(`${paragraph}. `) + `${paragraph}. `.length;
    const text = who.editor.text;
    type(who.client, who.editor, `${text.slice(0, at)}${token} ${text.slice(at)}`);
  };
  const othersType = async (round) => {
    for (const [index, other] of others.entries()) {
      typeIn(other, 2 * index + 2, `[o${index}r${round}]`);
      await other.client.round();
    }
  };
  await othersType(0);
  const joiner = makeClient(network(server));
  await joiner.client.round(); // opens its session
  for (let round = 1; round <= 3; round++) await othersType(round);
  typeIn(joiner, 3, "[joiner]");
  const realSync = joiner.client.api.sync;
  joiner.client.api.sync = async (body) => {
    const answer = await realSync(body);
    typeIn(joiner, 5, "[meanwhile]"); // typed while the first sync is out
    return answer;
  };
  await joiner.client.round();
  joiner.client.api.sync = realSync;
  await settle(joiner, ...others);
  for (const { editor } of [joiner, ...others]) assert.equal(editor.text, server.text);
  assert.ok(server.text.includes("3. [joiner] Member States"), server.text);
  assert.ok(server.text.includes("5. [meanwhile] Member States"), server.text);
  for (const token of ["[joiner]", "[meanwhile]", "[o0r3]", "[o2r0]"]) {
    assert.equal(server.text.split(token).length - 1, 1, token);
  }
});

/** The person types a line per round while every request is lost: a stack of `count`. */
async function typeThroughFailures(a, count, drop) {
  let text = a.editor.text;
  drop.on = true;
  for (let i = 0; i < count; i++) {
    text += `- point ${i}\n`;
    type(a.client, a.editor, text);
    await a.client.round();
  }
  drop.on = false;
  a.client.setOnline(true);
  return text;
}

test("a long stack typed through failures goes in parts, within the session's limits", async () => {
  // docs/sync.md, "Limits": one sync carries at most the session's `limits.edits`. Sending
  // the whole stack was refused (422) again and again; and while part of it is still to go,
  // an answer's edits are for a text the shadow has moved past, so only its ack is taken.
  const server = new FakeServer("Points:\n");
  server.limits = { edits: 3, delta_chars: 3 * 1024 * 1024 };
  const drop = { on: false };
  const a = makeClient(network(server, () => ({ dropRequest: drop.on })));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  type(b.client, b.editor, "Our points:\n");
  await b.client.round(); // so that the answers to A's parts carry a change of the live text
  const typed = await typeThroughFailures(a, 10, drop);
  assert.equal(a.client.stack.length, 10);
  await settle(a, b);
  assert.equal(server.largestSync, 3);
  assert.equal(server.text, typed.replace("Points:", "Our points:"));
  assert.equal(a.editor.text, server.text);
  assert.equal(b.editor.text, server.text);
  assert.equal(a.client.status, Status.SAVED);
  assert.equal(server.next, 2, "nobody reconnected");
});

test("a part within the delta size limit: one edit per sync when two would pass it", async () => {
  const server = new FakeServer("Points:\n");
  server.limits = { edits: 100, delta_chars: 30 }; // each delta below is 20 to 25 characters
  const drop = { on: false };
  const a = makeClient(network(server, () => ({ dropRequest: drop.on })));
  await a.client.round();
  const typed = await typeThroughFailures(a, 4, drop);
  for (let i = 0; i < 5; i++) await a.client.round();
  assert.equal(server.text, typed);
  assert.equal(server.largestSync, 1);
  assert.equal(a.client.status, Status.SAVED);
});

test("a server that stops merging for time acknowledges a part: the rest goes next", async () => {
  const server = new FakeServer("Points:\n");
  server.mergedPerSync = 2;
  const drop = { on: false };
  const a = makeClient(network(server, () => ({ dropRequest: drop.on })));
  const b = makeClient(network(server));
  await a.client.round();
  await b.client.round();
  const typed = await typeThroughFailures(a, 5, drop);
  type(b.client, b.editor, "Our points:\n");
  await b.client.round();
  await a.client.round();
  assert.equal(a.client.stack.length, 3, "two of five acknowledged");
  assert.equal(a.client.status, Status.SYNCING);
  await settle(a, b);
  assert.equal(server.text, typed.replace("Points:", "Our points:"));
  assert.equal(a.editor.text, server.text);
  assert.equal(b.editor.text, server.text);
  assert.equal(server.next, 2, "nobody reconnected");
});
