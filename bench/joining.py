"""Editors joining a 150,000-character paper while others type (issue 10): is anything lost?

Against gunicorn (4 workers, gthread, 8 threads, as in production) on a scratch PostgreSQL
database with Redis. Per run: `typing` editors type a unique token about once a second at
their own place in the paper; `joining` more open their sessions one by one while the others
type (tests/collab/joining.py). Afterwards everyone syncs twice and the final text is read
back: a run is lost if any token is not there exactly once, or an editor's text differs from
the server's. Each size runs `--runs` times in a row against one server, each run on a new
copy of the paper.

Besides, the server's log is searched for the invariant check of docs/sync.md ("live edit
NOT acknowledged"): how often a merge would have lost text and was refused instead.

    .venv/bin/python bench/joining.py [--sizes 10,30,50] [--runs 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import scratch_postgres  # noqa: E402
from drafting.extensions import db  # noqa: E402
from tests.collab.joining import run_joining  # noqa: E402
from tests.collab.server import copy_document  # noqa: E402
from tests.collab.server import gunicorn  # noqa: E402
from tests.collab.server import seed  # noqa: E402

REFUSED = "live edit NOT acknowledged"  # the server's log line when its check refuses a merge


def load_collab_bench():
    """bench/collab.py, for its paper, its app set-up and its addresses (the same for both)."""
    spec = importlib.util.spec_from_file_location("bench_collab", ROOT / "bench" / "collab.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_collab"] = module
    spec.loader.exec_module(module)
    return module


def one_size(collab, paper: str, editors: int, runs: int, seconds: float) -> list[dict]:
    """`runs` runs in a row against one server: each on a new copy of the paper, a third
    of the editors typing from the start and the rest joining."""
    typing = max(1, editors // 3)
    results = []
    with scratch_postgres(collab.ADMIN_POSTGRES_URL) as url, tempfile.TemporaryDirectory() as tmp:
        app = collab.migrated_app(url)
        seeded = seed(app, editors=editors, content=paper)
        log_path = Path(tmp) / "gunicorn.log"
        with gunicorn(url, log_path=log_path, workers=4, threads=8, redis_url=collab.REDIS_URL) as (
            port,
            _process,
        ):
            for number in range(runs):
                refused_before = log_path.read_text(errors="replace").count(REFUSED)
                run = run_joining(
                    port,
                    copy_document(app, seeded.document_id, paper, f"Run {number + 1}"),
                    seeded.editor_tokens,
                    seeded.owner_token,
                    typing=typing,
                    joining=editors - typing,
                    seconds=seconds,
                    seed=number,
                )
                refused = log_path.read_text(errors="replace").count(REFUSED) - refused_before
                results.append(summary(editors, number, run, refused))
        with app.app_context():
            db.engine.dispose()
    return results


def summary(editors: int, number: int, run, refused: int) -> dict:
    """One run's figures, printed as it ends."""
    statuses: dict[int, int] = {}
    for typist in run.typists:
        for status, count in typist.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    result = {
        "editors": editors,
        "tokens": len(run.tokens),
        "miscounted": run.miscounted(),
        "diverged": run.diverged(),
        "statuses": statuses,
        "reopened": sum(typist.client.reopened for typist in run.typists),
        "refused": refused,
        "errors": sum(len(typist.errors) for typist in run.typists),
        "seconds": round(run.seconds, 1),
    }
    lost = bool(result["miscounted"] or result["diverged"])
    print(
        f"{editors} editors, run {number + 1}: {result['tokens']} tokens, "
        f"{'LOST ' + str(result['miscounted']) if lost else 'nothing lost'}, "
        f"statuses {statuses}, reopened {result['reopened']}, refused {refused}, "
        f"{result['seconds']} s",
        flush=True,
    )
    return result


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,30,50", help="editors per run, by size")
    parser.add_argument("--runs", type=int, default=20, help="runs in a row per size")
    parser.add_argument("--seconds", type=float, default=30.0, help="typing time per run")
    parser.add_argument("--quick", action="store_true", help="sizes 10,30, 2 runs of 15 s")
    return parser.parse_args()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    args = arguments()
    if args.quick:
        args.sizes, args.runs, args.seconds = "10,30", 2, 15.0
    collab = load_collab_bench()
    paper = collab.the_paper()
    results = {"paper_characters": len(paper), "seconds_per_run": args.seconds, "runs": []}
    for editors in [int(size) for size in args.sizes.split(",")]:
        results["runs"] += one_size(collab, paper, editors, args.runs, args.seconds)
    print("\nsize  runs  lost  tokens  refused")
    for editors in sorted({run["editors"] for run in results["runs"]}):
        runs = [run for run in results["runs"] if run["editors"] == editors]
        lost = sum(1 for run in runs if run["miscounted"] or run["diverged"])
        tokens = sum(run["tokens"] for run in runs)
        refused = sum(run["refused"] for run in runs)
        print(f"{editors:>4}  {len(runs):>4}  {lost:>4}  {tokens:>6}  {refused:>7}")
    collab.OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = collab.OUT_DIR / "joining.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out} at {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
