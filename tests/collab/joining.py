"""Editors joining a paper while others type: the load of issue 10, over real HTTP.

Shared by tests/collab/test_gunicorn.py and bench/joining.py; no pytest here. Each editor
types a unique token (`[t{k}n{n}]`, a space on each side) about once a second at its own
place in the paper and syncs; `typing` editors start at once, the `joining` ones open their
session one after another while the others type, so that a session opens on a live text
that keeps moving and its first syncs arrive after many live edits. Traffic only goes to
127.0.0.1, every loop is bounded in time.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from dataclasses import field

from tests.collab.client import HttpTransport
from tests.collab.client import SyncClient

SENTENCES = [
    "Member States shall ensure access to justice for migrant women.",
    "يجب على الدول الأعضاء ضمان وصول النساء المهاجرات إلى العدالة.",
    "Pedimos que los Estados garanticen la atención médica sin condiciones de estatus.",
    "Les travailleuses domestiques restent exclues du droit du travail. ✊🏽",
    "Relevant agencies shall promote alternatives to immigration detention. 🌍",
]


def make_paper(length: int) -> str:
    """A paper of numbered paragraphs of repeated clauses in four languages, `length` long."""
    paragraphs, size, number = [], 0, 1
    while size < length:
        sentences = [SENTENCES[(number + k) % len(SENTENCES)] for k in range(number % 4 + 2)]
        paragraph = f"{number}. " + " ".join(sentences) + "\n\n"
        paragraphs.append(paragraph)
        size += len(paragraph)
        number += 1
    return "".join(paragraphs)[:length]


@dataclass
class Typist:
    """One simulated editor: a client, where in the paper it types, what it typed."""

    number: int
    client: SyncClient
    home: float  # a fraction of the paper's length
    rng: random.Random
    tokens: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def type_token(self) -> None:
        """Type the next token just after a space near home (never inside a token)."""
        text = self.client.text
        at = text.find(" ", int(self.home * len(text))) + 1
        token = f"[t{self.number}n{len(self.tokens)}]"
        self.tokens.append(token)
        self.client.edit(text[:at] + f" {token} " + text[at:])

    def sync(self) -> None:
        """One round trip, counting its status."""
        client = self.client
        status, answer = client.transport.post(f"{client.base}/sync", client.prepare())
        self.statuses[status] = self.statuses.get(status, 0) + 1
        client.receive(status, answer)

    def run(self, until: float, period: float) -> None:
        """Type and sync every `period` seconds (with jitter) until the monotonic `until`."""
        next_at = time.monotonic() + self.rng.random() * period
        while (now := time.monotonic()) < until:
            if next_at > now:
                time.sleep(min(next_at - now, until - now))
                continue
            next_at += period * (0.75 + self.rng.random() / 2)
            try:
                self.type_token()
                self.sync()
            except Exception as error:  # a timeout under overload is a result, not a crash
                self.errors.append(repr(error))


@dataclass
class JoiningRun:
    """What a run gave: every typist, the final text, and how long it took."""

    typists: list[Typist]
    final: str
    seconds: float

    @property
    def tokens(self) -> list[str]:
        return [token for typist in self.typists for token in typist.tokens]

    def miscounted(self) -> dict[str, int]:
        """Tokens not in the final text exactly once (the empty dict: nothing lost)."""
        counts = {token: self.final.count(token) for token in self.tokens}
        return {token: count for token, count in counts.items() if count != 1}

    def diverged(self) -> list[int]:
        """Typists whose text is not the final text after the last syncs."""
        return [typist.number for typist in self.typists if typist.client.text != self.final]


def run_joining(
    port: int,
    document_id: int,
    tokens: list[str],
    owner_token: str,
    *,
    typing: int,
    joining: int,
    seconds: float,
    period: float = 1.0,
    seed: int = 0,
) -> JoiningRun:
    """`typing` editors type for `seconds`; `joining` more join one by one in the first half.

    Needs `typing + joining` editor tokens. Afterwards everyone syncs twice without typing,
    and the final text is read back through the API as the document's owner.
    """
    started = time.monotonic()
    until = started + seconds
    rng = random.Random(seed)
    typists = [
        Typist(
            number,
            SyncClient(HttpTransport("127.0.0.1", port, tokens[number], timeout=60), document_id),
            home=rng.random(),
            rng=random.Random(seed * 1000 + number),
        )
        for number in range(typing + joining)
    ]
    threads: list[threading.Thread] = []

    def start(typist: Typist) -> None:
        typist.client.open()
        thread = threading.Thread(target=typist.run, args=(until, period), daemon=True)
        thread.start()
        threads.append(thread)

    for typist in typists[:typing]:
        start(typist)
    # The joiners open their sessions while the others type, spread over the first half.
    for typist in typists[typing:]:
        time.sleep(seconds / 2 / max(1, joining) * (0.5 + rng.random()))
        start(typist)
    for thread in threads:
        thread.join(timeout=max(1.0, until - time.monotonic()) + 90)
    for _round in range(2):
        for typist in typists:
            typist.sync()
    owner = HttpTransport("127.0.0.1", port, owner_token, timeout=60)
    status, document = owner.get(f"/api/v1/documents/{document_id}")
    if status != 200:
        raise RuntimeError(f"reading the document answered {status}: {document}")
    for typist in typists:
        typist.client.transport.close()
    owner.close()
    return JoiningRun(typists, document["content"], time.monotonic() - started)
