"""Benchmark review: comments with anchors that follow their passages on a long paper.

A ~150,000-character paper (bench/history.py's generator) gets 2,000 revisions of realistic
edits by ~20 people: most are saves through the service, every tenth a burst of live edits
(LiveEdit rows, flushed into a revision), and a few are accepted suggestions. Along the
way, 500 comment threads (a third with a reply, a fifth resolved) and 300 suggestions (some
decided) are made on passages of the text as it stood then, so their stored spans are
scattered over the whole live history. Then, on SQLite and on PostgreSQL:

1. the first listing of the comments (GET /api/v1/documents/<id>/comments), which maps
   every span through the live edits since it was made and stores the result (cold);
2. listing again, 500 threads in three pages of 200 (warm: spans already current);
3. listing after each of a few live edits (the usual case: people type between readings);
4. the service alone (`threads_of`, all 500 resolved), and the suggestions listing;
5. the document's reading page (GET /documents/<id>), signed in, with whatever margin
   comments it renders at the time.

Goal: p95 under 200 ms for listing and for the page. Results are printed as a table and
written to bench/out/review.json. Random choices are seeded.

    .venv/bin/python bench/review.py [--db sqlite|postgresql|both] [--revisions 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.history import AUTHORS  # noqa: E402
from bench.history import PASSWORD  # noqa: E402
from bench.history import database  # noqa: E402
from bench.history import load_average  # noqa: E402
from bench.history import migrated_app  # noqa: E402
from bench.history import postgres_unreachable  # noqa: E402
from bench.history import revisions  # noqa: E402
from bench.history import signed_in_client  # noqa: E402
from bench.history import summary_of  # noqa: E402
from bench.history import timed  # noqa: E402
from drafting.accounts import service as accounts  # noqa: E402
from drafting.accounts.models import User  # noqa: E402
from drafting.caucuses import service as caucuses  # noqa: E402
from drafting.caucuses.models import Role  # noqa: E402
from drafting.documents import live  # noqa: E402
from drafting.documents import service as documents  # noqa: E402
from drafting.documents.models import Document  # noqa: E402
from drafting.errors import Conflict  # noqa: E402
from drafting.extensions import db  # noqa: E402
from drafting.review import comments  # noqa: E402
from drafting.review import suggestions  # noqa: E402
from drafting.text.anchors import Anchor  # noqa: E402
from drafting.text.anchors import occurrences  # noqa: E402

OUT = ROOT / "bench" / "out" / "review.json"
GOAL_MS = 200.0
LIVE_EVERY = 10  # every tenth step is live typing rather than a save


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--revisions", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--suggestions", type=int, default=300)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def a_passage(text: str, rng: random.Random) -> Anchor:
    """A random passage of 20–80 characters that occurs once (with a little context)."""
    while True:
        start = rng.randrange(0, max(1, len(text) - 100))
        quote = text[start : start + rng.randint(20, 80)]
        anchor = Anchor(quote, prefix=text[max(0, start - 16) : start])
        if quote.strip() and len(occurrences(text, anchor)) == 1:
            return anchor


def type_live(document: Document, person: User, rng: random.Random, count: int = 3) -> None:
    """A few live keystroke bursts at random places, as the editor sends them."""
    for _ in range(count):
        text = document.content
        at = rng.randrange(0, len(text))
        word = rng.choice(["very ", "all ", "migrant ", "and girls ", "urgently "])
        live.change_live_text(document, text[:at] + word + text[at:], person)


def build(app, args: argparse.Namespace) -> dict:
    """Make the people, the paper and its history, and the review on it; return ids."""
    rng = random.Random(args.seed + 7)
    with app.app_context():
        people = [
            accounts.create_user(f"author{i}@example.org", name=name, password=PASSWORD)
            for i, name in enumerate(AUTHORS)
        ]
        caucus = caucuses.create_caucus(people[0], name="Women in Migration Caucus")
        caucuses.add_member(caucus, people[1], Role.RAPPORTEUR)
        for index, person in enumerate(people[2:], start=2):
            membership = caucuses.add_member(
                caucus, person, Role.EDITOR if index < 10 else Role.COMMENTER
            )
            membership.organization = f"Organization {index}"
        db.session.commit()
        rapporteur, editors = people[1], people[2:10]
        comment_steps = sorted(rng.randrange(2, args.revisions) for _ in range(args.comments))
        suggestion_steps = sorted(rng.randrange(2, args.revisions) for _ in range(args.suggestions))
        document, threads, suggestions, accepted = None, [], [], 0
        started = time.perf_counter()
        for step in revisions(args.seed, args.revisions):
            if document is None:
                document = documents.create_document(
                    caucus, people[0], title="Women on the Move", content=step.text
                )
                db.session.commit()
                continue
            author = people[step.author]
            if step.number % LIVE_EVERY == 0:
                live.change_live_text(document, step.text, author)
                type_live(document, rng.choice(editors), rng)
                live.flush_live_edits(document, force=True)
            else:
                documents.save_content(
                    document, author=author, base_revision=document.head_revision, content=step.text
                )
            while comment_steps and comment_steps[0] <= step.number:
                comment_steps.pop(0)
                threads.append(add_thread(document, people, rng))
            while suggestion_steps and suggestion_steps[0] <= step.number:
                suggestion_steps.pop(0)
                suggestions.append(
                    suggestions.propose(
                        document,
                        rng.choice(people[2:]),
                        a_passage(document.content, rng),
                        "proposed wording",
                        "Closer to the Compact.",
                    )
                )
                if rng.random() < 0.1:
                    accepted += decide(suggestions[-1], rapporteur, rng)
            if step.number % 50 == 0:
                db.session.commit()
        db.session.commit()
        for root in rng.sample(threads, len(threads) // 5):
            comments.resolve_thread(root, rapporteur)
        db.session.commit()
        return {
            "document_id": document.id,
            "email": people[0].email,
            "editor_id": editors[0].id,
            "build_s": round(time.perf_counter() - started, 1),
            "length": len(document.content),
            "head_revision": document.head_revision,
            "live_version": document.live_version,
            "accepted": accepted,
        }


def add_thread(document: Document, people: list[User], rng: random.Random):
    """A comment on a passage of the text as it stands, with a reply one time in three."""
    root = comments.add_comment(
        document,
        rng.choice(people[2:]),
        "Could this say *which* obligations apply? See the caucus survey.",
        anchor=a_passage(document.content, rng),
    )
    if rng.random() < 1 / 3:
        comments.add_comment(document, rng.choice(people[2:]), "Agreed, see annex II.", parent=root)
    return root


def decide(suggestion, rapporteur: User, rng: random.Random) -> int:
    """Accept (or reject) a fresh suggestion; 1 when accepted."""
    if rng.random() < 0.5:
        suggestions.reject(suggestion, rapporteur, note="Not now.")
        return 0
    try:
        suggestions.accept(suggestion, rapporteur, note="Yes.")
    except Conflict:
        return 0
    return 1


def api_headers(app, email: str) -> dict:
    """A Bearer token for the person."""
    with app.app_context():
        user = accounts.user_by_email(email)
        _token, secret = accounts.create_token(user, "bench")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def list_all(client, headers: dict, document_id: int) -> int:
    """All threads through the API, 200 at a time; how many there were."""
    url = f"/api/v1/documents/{document_id}/comments?limit=200"
    seen = 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        seen += len(body["items"])
        url = body["next"]
    return seen


def measure(app, built: dict, args: argparse.Namespace) -> dict:
    """Time the listings and the page."""
    client = app.test_client()
    headers = api_headers(app, built["email"])
    document_id = built["document_id"]
    page_url = f"/api/v1/documents/{document_id}/comments?limit=200"
    results: dict = {}
    cold, response = timed(lambda: client.get(page_url, headers=headers))
    assert response.status_code == 200
    results["api_first_listing_cold_ms"] = round(cold.wall, 1)
    results["api_page_of_200"] = summary_of(
        [timed(lambda: client.get(page_url, headers=headers))[0] for _ in range(args.requests)]
    )
    samples = []
    for _ in range(max(3, args.requests // 3)):
        took, seen = timed(lambda: list_all(client, headers, document_id))
        samples.append(took)
    results["api_all_threads_3_pages"] = {**summary_of(samples), "threads": seen}
    rng = random.Random(args.seed + 11)
    after_typing = []
    for _ in range(args.requests):
        with app.app_context():
            document = db.session.get(Document, document_id)
            type_live(document, db.session.get(User, built["editor_id"]), rng, count=2)
            db.session.commit()
        took, response = timed(lambda: client.get(page_url, headers=headers))
        assert response.status_code == 200
        after_typing.append(took)
    results["api_page_after_live_typing"] = summary_of(after_typing)
    with app.app_context():
        document = db.session.get(Document, document_id)
        service_samples = []
        for _ in range(args.requests):
            took, threads = timed(lambda: comments.threads_of(document))
            db.session.commit()
            service_samples.append(took)
        results["service_threads_of_all"] = {**summary_of(service_samples), "threads": len(threads)}
        orphaned = sum(1 for thread in threads if thread.anchor and thread.anchor.orphaned)
        results["orphaned_threads"] = orphaned
    suggestions_url = f"/api/v1/documents/{document_id}/suggestions?limit=200"
    results["api_suggestions_page_of_200"] = summary_of(
        [
            timed(lambda: client.get(suggestions_url, headers=headers))[0]
            for _ in range(args.requests)
        ]
    )
    results["document_page"] = measure_page(app, built, args)
    results["load"] = load_average()
    return results


def measure_page(app, built: dict, args: argparse.Namespace) -> dict:
    """The reading page with its margin, as a signed-in member gets it (whatever it renders
    now: the margin is built alongside); an error is recorded, not fatal."""
    browser = signed_in_client(app, built["email"])
    url = f"/documents/{built['document_id']}"
    first, response = timed(lambda: browser.get(url))
    if response.status_code != 200:
        return {"error": response.status_code}
    samples = [timed(lambda: browser.get(url))[0] for _ in range(args.requests)]
    return {
        **summary_of(samples),
        "bytes": len(response.get_data()),
        "first_request_ms": round(first.wall, 1),
    }


def report(kind: str, built: dict, measured: dict) -> list[str]:
    """The table for one database."""
    lines = [
        f"\n== {kind}: {built['length']:,} characters, revision {built['head_revision']:,}, "
        f"live version {built['live_version']:,}, built in {built['build_s']} s "
        f"(load {measured['load']})",
        f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'cpu p95':>8}  goal",
    ]
    for name in (
        "api_page_of_200",
        "api_all_threads_3_pages",
        "api_page_after_live_typing",
        "service_threads_of_all",
        "api_suggestions_page_of_200",
        "document_page",
    ):
        row = measured[name]
        if "error" in row:
            lines.append(f"{name:<40} answered {row['error']}: not measured")
            continue
        goal = (
            ""
            if name == "api_all_threads_3_pages"
            else ("met" if row["p95_ms"] < GOAL_MS else "MISSED")
        )
        lines.append(
            f"{name:<40} {row['median_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row.get('cpu_p95_ms', 0):>8.1f}  {goal}"
        )
    lines.append(
        f"first listing (cold: maps every span through the live history and stores it): "
        f"{measured['api_first_listing_cold_ms']} ms; orphaned threads: "
        f"{measured['orphaned_threads']}; page size {measured['document_page'].get('bytes', 0):,} B"
    )
    return lines


def main() -> None:
    args = arguments()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and (unreachable := postgres_unreachable()):
        print(f"-- PostgreSQL skipped, unreachable: {unreachable}")
        kinds.remove("postgresql")
    tmp = Path(tempfile.mkdtemp(prefix="drafting-bench-review-"))
    results: dict = {"config": vars(args), "goal_ms": GOAL_MS}
    lines: list[str] = []
    try:
        for kind in kinds:
            with database(kind, tmp) as uri:
                app = migrated_app(uri)
                print(f"-- {kind}: building {args.revisions:,} revisions …", flush=True)
                built = build(app, args)
                # A server worker does not carry the build's millions of objects: without
                # this, the collector's full passes over them landed inside the timings.
                gc.collect()
                gc.freeze()
                measured = measure(app, built, args)
                results[kind] = {"built": built, "measured": measured}
                lines += report(kind, built, measured)
                with app.app_context():
                    db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print("\n".join(lines))
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
