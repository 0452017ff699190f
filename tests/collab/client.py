"""A Python client of the live-editing protocol, as the browser's JavaScript behaves.

It speaks SYNC.md over any transport with `post(path, json)` and `get(path)` returning
(status, body): Flask's test client in process, or real HTTP against gunicorn. Tests
inject faults around it (lost requests, lost responses, duplicates).
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from dataclasses import field

from diff_match_patch import diff_match_patch

from drafting.text.merge import merge
from drafting.text.merge import merge_diffs

BROWSER_DIFF_TIMEOUT = 1.0  # textdiff.js
# What one sync may carry, until a session says (its `limits`): as sync.js's DEFAULTS.
DEFAULT_LIMITS = {"edits": 100, "delta_chars": 3 * 1024 * 1024}


def new_dmp() -> diff_match_patch:
    """diff-match-patch as the browser sets it up."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = BROWSER_DIFF_TIMEOUT
    return dmp


@dataclass
class SyncClient:
    """One tab: its text, shadow, versions and outgoing stack (SYNC.md, "In the client")."""

    transport: object
    document_id: int
    client_id: str = ""
    text: str = ""
    shadow: str = ""
    n: int = 0
    m: int = 0
    version: int = 0
    stack: list[dict] = field(default_factory=list)
    reopened: int = 0
    refused: int = 0  # 503 answers: the server took nothing and asked us to send again
    acked: str = ""  # the shadow as of the last answer: what the server surely has
    editors: list[dict] = field(default_factory=list)  # who is here, as last sent
    presence: str | None = None  # the tag of `editors` (None: always send the list)
    send_presence: bool = True  # False: an old client that sends no tag
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))  # per sync, as told
    dmp: diff_match_patch = field(default_factory=new_dmp)

    @property
    def base(self) -> str:
        """The document's API path."""
        return f"/api/v1/documents/{self.document_id}"

    def open(self) -> None:
        """Open a session and take the server's text."""
        status, body = self.transport.post(f"{self.base}/sessions", {})
        assert status == 201, (status, body)
        self.client_id, self.text, self.shadow = body["client_id"], body["text"], body["text"]
        self.n, self.m, self.version, self.stack = 0, 0, body["version"], []
        self.presence = None  # a new session: ask for the list
        self.acked = self.text
        self.limits = body.get("limits", DEFAULT_LIMITS)

    def edit(self, new_text: str) -> None:
        """The person types: the editor's text changes; nothing is sent yet."""
        self.text = new_text

    def local_diff(self, a: str, b: str) -> list[tuple[int, str]]:
        """A diff made here, as the browser makes its own (textdiff.js), not by the server's
        code: tests that make the server's diffs coarse leave the client's alone."""
        diffs = self.dmp.diff_main(a, b)
        self.dmp.diff_cleanupSemanticLossless(diffs)
        return diffs

    def prepare(self) -> dict:
        """Diff the text against the shadow onto the stack; the body of the next sync."""
        if self.text != self.shadow:
            diffs = self.local_diff(self.shadow, self.text)
            self.stack.append({"n": self.n, "delta": self.dmp.diff_toDelta(diffs)})
            self.n += 1
            self.shadow = self.text
        body = {"client_id": self.client_id, "m": self.m, "edits": self.outgoing()}
        if self.send_presence and self.presence is not None:
            body["presence"] = self.presence  # the list is left out while it is unchanged
        return body

    def outgoing(self) -> list[dict]:
        """The stack's oldest edits, as many as one sync may carry (the session's `limits`,
        at least one edit): a longer stack goes in parts, as sync.js sends it."""
        part, size = [], 0
        for edit in self.stack:
            size += len(edit["delta"])
            if part and (len(part) == self.limits["edits"] or size > self.limits["delta_chars"]):
                break
            part.append(edit)
        return part

    def receive(self, status: int, body: dict) -> None:
        """Apply a sync's answer; reopen and rebase on 404 or 409; keep everything on 503."""
        if status in (404, 409):
            self.reopen()
            return
        if status == 503:  # nothing was taken: the stack goes again with the next sync
            self.refused += 1
            return
        assert status == 200, (status, body)
        acknowledged = [edit for edit in self.stack if edit["n"] < body["ack"]]
        self.stack = [edit for edit in self.stack if edit["n"] >= body["ack"]]
        if self.stack:
            self.take_part_acknowledged(body, acknowledged)
            return
        shadow, text, expected = self.shadow, self.text, self.m
        try:
            for edit in body["edits"]:
                if edit["m"] < self.m:
                    continue
                if edit["m"] != expected:
                    raise ValueError(f"server edit {edit['m']}, expected {expected}")
                expected = edit["m"] + 1
                theirs = self.dmp.diff_fromDelta(shadow, edit["delta"])
                if text == shadow:  # nothing typed meanwhile: exact (as the browser does)
                    shadow = text = self.dmp.diff_text2(theirs)
                    continue
                # Typed while the sync was out: merge by position with the server's own rules
                # (frontend/src/merge.js is its port), not with a fuzzy patch, which cut words
                # typed inside a passage someone else deleted meanwhile.
                text = merge_diffs(shadow, self.local_diff(shadow, text), theirs).text
                shadow = self.dmp.diff_text2(theirs)
        except ValueError:
            # A server edit that does not fit our shadow: out of step, as a 409 (the
            # browser does the same, applying nothing of the answer).
            self.reopen()
            return
        self.shadow, self.text = shadow, text
        self.m = body["m"]
        self.acked = self.shadow
        self.take_presence(body)

    def take_part_acknowledged(self, body: dict, acknowledged: list[dict]) -> None:
        """Part of the stack is still to go (it went in parts, or the server stopped merging
        for time): the answer's edits, if any, are for the text after the part it took, which
        we have moved past. Take the acknowledgement only and keep `m`: the next sync sends
        the rest from there, and the server rolls its shadow back to that text (as sync.js)."""
        for edit in acknowledged:
            self.acked = self.dmp.diff_text2(self.dmp.diff_fromDelta(self.acked, edit["delta"]))
        self.take_presence(body)

    def take_presence(self, body: dict) -> None:
        """The live version and the editors list of an answer (kept while left out)."""
        self.version = body["version"]
        if "editors" in body:
            self.editors = body["editors"]
        self.presence = body.get("presence")

    def sync(self) -> None:
        """One full round trip."""
        status, body = self.transport.post(f"{self.base}/sync", self.prepare())
        self.receive(status, body)

    def reopen(self) -> None:
        """Start a new session and rebase onto the server's text everything typed since
        the last answer (a 404 or 409 should not happen under lost or duplicated messages;
        tests count `reopened` to prove it).

        The rebase is the same positional three-way merge as a sync's (`merge`, whose port
        the browser uses): the base is the last text both sides agreed (`acked`), theirs the
        new session's text, ours the text here. The new session knows nothing of our old
        shadow, so both diffs are taken from the texts. A fuzzy patch dropped what was typed
        inside a passage someone rewrote meanwhile, and could land in a repeated clause."""
        base, ours = self.acked, self.text
        self.open()
        self.text = merge(base, ours, self.text).text
        self.reopened += 1


class HttpTransport:
    """The protocol over real HTTP (http.client, one kept-alive connection per client),
    authenticated with a Bearer token. Counts the bytes of request and response bodies."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.connection: http.client.HTTPConnection | None = None
        self.sent = self.received = self.requests = self.reconnects = 0

    def request(self, method: str, path: str, body: dict | None = None):
        """One request; on a connection the server closed meanwhile (keep-alive timeout),
        connect again and resend once: the protocol tolerates a duplicate."""
        payload = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
        self.requests += 1
        self.sent += len(payload or b"")
        self.received += len(data)
        return response.status, (json.loads(data) if data else None)

    def post(self, path: str, body: dict):
        return self.request("POST", path, body)

    def get(self, path: str):
        return self.request("GET", path)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
