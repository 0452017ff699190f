"""Benchmark live co-editing: many editors typing into one 150,000-character paper.

Against gunicorn (4 workers, gthread, 8 threads each, as in production) on a scratch
PostgreSQL database, with Redis for change notifications:

1. Load steps of N editors (10, 20, 30, 45, 60, …), ~20 s each. Every editor types a few
   characters every second at its own place in the paper and syncs (SYNC.md, over real
   HTTP with a kept-alive connection each). One of them, the probe, types a unique token
   each second; an observer long-polls GET /changes and syncs when told, and notes when
   the token shows up in its text: that is "keystroke visible to another editor" (t1 − t0,
   t0 the moment the probe typed). Goal: p95 under 1 s. The ramp stops after the first
   step that misses it; the last step that met it is the most editors one paper sustains.
2. Per step: the sync latency as clients see it (p50/p95/p99), syncs per second achieved,
   bytes per sync (request and response bodies, and the deltas in them: no whole texts),
   and the database's write volume per sync (WAL bytes from pg_current_wal_lsn(), rows
   inserted/updated/deleted from pg_stat_user_tables, commits from pg_stat_database).
3. The server's own cost of one sync, measured in process on the same database (the API
   through Flask's test client, and the service call alone), with 30 editors' worth of
   concurrent changes between two syncs of one tab, and a cProfile of it.

Everything runs on this machine (traffic to 127.0.0.1 only); the bench client's threads
share the CPUs with gunicorn and PostgreSQL, so the figures are on the safe side. Results
are printed and written to bench/out/collab.json. Random choices are seeded.

    .venv/bin/python bench/collab.py [--steps 10,20,30,45,60] [--duration 20] [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import os
import platform
import pstats
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench._common import scratch_postgres  # noqa: E402
from drafting import create_app  # noqa: E402
from drafting.accounts.models import User  # noqa: E402
from drafting.collab import service as collab  # noqa: E402
from drafting.documents.models import Document  # noqa: E402
from drafting.extensions import db  # noqa: E402
from tests.collab.client import HttpTransport  # noqa: E402
from tests.collab.client import SyncClient  # noqa: E402
from tests.collab.server import gunicorn  # noqa: E402
from tests.collab.server import seed  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
ADMIN_POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PAPER_LENGTH = 150_000
GOAL_P95_S = 1.0
SERVER_COST_TABS = 30  # tabs typing in turn when the server cost is measured in process
# How the editors speak about presence (docs/sync.md, "Presence"): with `--no-presence-tag`
# they send no tag, as clients did before it, and every answer carries the editors list;
# with `--cursors` each sends its cursor with each sync, as the browser does.
CLIENTS = {"presence_tag": True, "cursors": False}
TYPING = ["women ", "rights ", "access ", "shall ", "justice ", "status ", "migrant ", "decent "]


# --------------------------------------------------------------------------------------
# Set-up: the database, the paper, the app
# --------------------------------------------------------------------------------------


def bench_config(uri: str) -> dict:
    """Production-like settings with cheap password hashing (sign-in is not measured)."""
    return {
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": REDIS_URL,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
    }


def migrated_app(uri: str):
    """The real app on a schema made by running every migration."""
    from flask_migrate import upgrade

    app = create_app(bench_config(uri))
    with app.app_context():
        upgrade()
    return app


def the_paper() -> str:
    """A policy paper of 150,000 characters, made by bench/history.py's generator."""
    spec = importlib.util.spec_from_file_location("bench_history", ROOT / "bench" / "history.py")
    history = importlib.util.module_from_spec(spec)
    sys.modules["bench_history"] = history  # dataclasses look their module up there
    spec.loader.exec_module(history)
    text = history.make_paper(random.Random(2026), PAPER_LENGTH).text()
    cut = text.rfind("\n\n", 0, PAPER_LENGTH)
    return text[:cut] + "\n" + "x" * max(0, PAPER_LENGTH - cut - 2) + "\n"


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Sample:
    """One sync as the client saw it."""

    at: float
    seconds: float
    status: int
    sent: int
    received: int
    delta_sent: int
    delta_received: int
    with_editors: bool  # the answer carried the editors list


@dataclass
class Step:
    """What one load step recorded."""

    editors: int
    samples: list[Sample] = field(default_factory=list)
    visible: list[float] = field(default_factory=list)
    missing: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def timed_sync(
    client: SyncClient, step: Step, measuring: threading.Event, cursor: int | None = None
) -> None:
    """One sync, timed and sized; recorded while `measuring` is set."""
    transport: HttpTransport = client.transport
    body = client.prepare()
    if cursor is not None and CLIENTS["cursors"]:
        body["cursor"] = {"anchor": cursor, "head": cursor}
    sent_before, received_before = transport.sent, transport.received
    started = time.monotonic()
    status, answer = transport.post(f"{client.base}/sync", body)
    seconds = time.monotonic() - started
    client.receive(status, answer)
    if status != 200:
        step.errors.append(f"sync answered {status}")
    if measuring.is_set():
        step.add(
            Sample(
                at=started,
                seconds=seconds,
                status=status,
                sent=transport.sent - sent_before,
                received=transport.received - received_before,
                delta_sent=sum(len(edit["delta"].encode()) for edit in body["edits"]),
                delta_received=sum(
                    len(edit["delta"].encode()) for edit in (answer or {}).get("edits", [])
                ),
                with_editors="editors" in (answer or {}),
            )
        )


def editor_loop(
    client: SyncClient,
    home: float,
    rng: random.Random,
    step: Step,
    stop: threading.Event,
    measuring: threading.Event,
) -> None:
    """Type a few characters every second near `home` (a fraction of the paper), sync."""
    next_at = time.monotonic() + rng.random()
    while not stop.is_set():
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
            if stop.is_set():
                return
        next_at += 1.0
        text = client.text
        at = text.find(" ", int(home * len(text))) + 1
        word = rng.choice(TYPING)
        client.edit(text[:at] + word + text[at:])
        try:
            timed_sync(client, step, measuring, cursor=at + len(word))
        except Exception as error:  # a timeout under overload is a result, not a crash
            step.errors.append(repr(error))


@dataclass
class Probe:
    """Tokens typed by the probe editor, waiting to be seen by the observer."""

    typed: dict[str, float] = field(default_factory=dict)  # token → t0
    lock: threading.Lock = field(default_factory=threading.Lock)


def probe_loop(
    client: SyncClient,
    probe: Probe,
    step: Step,
    stop: threading.Event,
    measuring: threading.Event,
) -> None:
    """The probe editor: each second, type a unique token (t0) and sync at once."""
    number = 0
    next_at = time.monotonic() + 0.5
    while not stop.is_set():
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
            if stop.is_set():
                return
        next_at += 1.0
        number += 1
        token = f"⟦probe{number}🌍⟧"
        text = client.text
        at = text.find(" ", len(text) // 2) + 1
        t0 = time.monotonic()
        client.edit(text[:at] + token + " " + text[at:])
        if measuring.is_set():
            with probe.lock:
                probe.typed[token] = t0
        try:
            timed_sync(client, step, measuring)
        except Exception as error:
            step.errors.append(repr(error))


def observer_loop(
    client: SyncClient, probe: Probe, step: Step, stop: threading.Event, poll: HttpTransport
) -> None:
    """Another editor's tab: long-poll /changes, sync when told, look for the tokens (t1)."""
    while not stop.is_set():
        try:
            status, body = poll.get(
                f"{client.base}/changes?after={client.version}&client_id={client.client_id}"
                "&timeout=5"
            )
            if status == 200 and body["changed"]:
                client.sync()
        except Exception as error:
            step.errors.append(repr(error))
            continue
        t1 = time.monotonic()
        with probe.lock:
            seen = [token for token in probe.typed if token in client.text]
            for token in seen:
                step.visible.append(t1 - probe.typed.pop(token))


def database_counters(engine: sa.Engine, name: str) -> dict:
    """WAL position and write counters of the bench database."""
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        wal = connection.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar()
        database = connection.execute(
            sa.text(
                "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, sessions "
                "FROM pg_stat_database WHERE datname = :name"
            ),
            {"name": name},
        ).one()
        tables = connection.execute(
            sa.text(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd "
                "FROM pg_stat_user_tables"
            )
        ).all()
    return {
        "wal": wal,
        "commits": database.xact_commit,
        "sessions": database.sessions,
        "inserted": database.tup_inserted,
        "updated": database.tup_updated,
        "deleted": database.tup_deleted,
        "tables": {row.relname: list(row[1:]) for row in tables},
    }


def wal_bytes(engine: sa.Engine, before: str, after: str) -> dict:
    """WAL written between two positions: all of it (the whole cluster: other databases
    on this server count too), and the part that is this database's own, from the records
    themselves (pg_walinspect): those touching its relations, and its transactions' commits.
    """
    with engine.connect() as connection:
        cluster = int(
            connection.execute(
                sa.text("SELECT pg_wal_lsn_diff(:after, :before)"),
                {"after": after, "before": before},
            ).scalar()
        )
        database_oid = connection.execute(
            sa.text("SELECT oid FROM pg_database WHERE datname = current_database()")
        ).scalar()
        ours = connection.execute(
            sa.text(
                """
                WITH record AS (
                    SELECT * FROM pg_get_wal_records_info(CAST(:before AS pg_lsn),
                                                          CAST(:after AS pg_lsn))
                ), touching AS (
                    SELECT * FROM record WHERE block_ref LIKE :pattern
                ), committing AS (
                    SELECT * FROM record
                    WHERE resource_manager = 'Transaction'
                      AND xid IN (SELECT xid FROM touching WHERE xid <> 0)
                )
                SELECT coalesce(sum(record_length), 0), coalesce(sum(fpi_length), 0),
                       count(*)
                FROM (SELECT * FROM touching UNION ALL SELECT * FROM committing) AS mine
                """
            ),
            {"before": before, "after": after, "pattern": f"%/{database_oid}/%"},
        ).one()
    return {"cluster": cluster, "database": int(ours[0]), "fpi": int(ours[1]), "records": ours[2]}


@contextmanager
def keep_wal(engine: sa.Engine) -> Iterator[None]:
    """Keep the WAL we want to read from being recycled by a checkpoint meanwhile: a
    temporary replication slot, which PostgreSQL drops by itself when this connection
    ends (even if the bench is killed)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            sa.text("SELECT pg_create_physical_replication_slot(:name, true, true)"),
            {"name": f"drafting_bench_{uuid.uuid4().hex[:10]}"},
        )
        yield


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU seconds of one process (0 if it is gone); with `reaped`, also
    those of its children that exited (gunicorn's recycled workers, PostgreSQL's closed
    connections)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def parent_of(pid: int) -> int:
    """A process's parent."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def backends_of(database_name: str) -> list[int]:
    """The PostgreSQL backends connected to the bench database."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres:") and f" {database_name} " in command:
                pids.append(int(entry.name))
    return pids


@dataclass
class Cpu:
    """CPU seconds so far: gunicorn (master and workers), the database's backends, us.

    Backends that exit are counted through their parent, the postmaster, which reaps
    them: that part is cluster-wide (other databases' closed connections count too).
    """

    server: float
    database: float
    client: float

    @classmethod
    def now(cls, gunicorn_pid: int, database_name: str) -> Cpu:
        backends = backends_of(database_name)
        postmaster = parent_of(backends[0]) if backends else None
        return cls(
            server=process_cpu(gunicorn_pid, reaped=True)
            + sum(map(process_cpu, children_of(gunicorn_pid))),
            database=sum(map(process_cpu, backends))
            + (process_cpu(postmaster, reaped=True) if postmaster else 0.0),
            client=time.process_time(),
        )


# Backends flush their statistics at most once a second while busy, and within
# 10 s once idle (PostgreSQL 15): wait that long before reading the counters.
STATS_FLUSH_SECONDS = 11


def run_step(
    port: int,
    gunicorn_pid: int,
    seeded,
    editors: int,
    duration: float,
    warmup: float,
    engine: sa.Engine,
    database_name: str,
) -> dict:
    """One load step: `editors` editors (the probe among them) and one observer."""
    step = Step(editors)
    clients = []
    for number in range(editors + 1):  # the last one is the observer
        transport = HttpTransport("127.0.0.1", port, seeded.editor_tokens[number], timeout=60)
        client = SyncClient(transport, seeded.document_id)
        client.send_presence = CLIENTS["presence_tag"]
        client.open()
        clients.append(client)
    observer, probe_client, typists = clients[-1], clients[0], clients[1:-1]
    poll = HttpTransport("127.0.0.1", port, seeded.editor_tokens[editors], timeout=60)
    time.sleep(STATS_FLUSH_SECONDS)  # the opens' statistics, out of the window
    before = database_counters(engine, database_name)
    cpu_before = Cpu.now(gunicorn_pid, database_name)
    load_before = os.getloadavg()[0]
    stop, measuring = threading.Event(), threading.Event()
    probe = Probe()
    threads = [
        threading.Thread(
            target=editor_loop,
            args=(client, (index + 0.5) / max(1, len(typists)), random.Random(index), step),
            kwargs={"stop": stop, "measuring": measuring},
            daemon=True,
        )
        for index, client in enumerate(typists)
    ]
    threads.append(
        threading.Thread(
            target=probe_loop, args=(probe_client, probe, step, stop, measuring), daemon=True
        )
    )
    threads.append(
        threading.Thread(
            target=observer_loop, args=(observer, probe, step, stop, poll), daemon=True
        )
    )
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    measuring.set()
    window_start = time.monotonic()
    time.sleep(duration)
    measuring.clear()
    window = time.monotonic() - window_start
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    # Tokens typed in the window and still unseen a while later never arrived in time.
    grace = time.monotonic() + 3
    while probe.typed and time.monotonic() < grace:
        observer.sync()
        with probe.lock:
            for token in [token for token in probe.typed if token in observer.text]:
                step.visible.append(time.monotonic() - probe.typed.pop(token))
    step.missing = len(probe.typed)
    # Syncs during warm-up and wind-down wrote too: count every sync since `before`.
    total_syncs = sum(client.transport.requests for client in clients[:-1]) - editors
    total_syncs += observer.transport.requests - 1
    cpu_after = Cpu.now(gunicorn_pid, database_name)
    load_after = os.getloadavg()[0]
    time.sleep(STATS_FLUSH_SECONDS)
    after = database_counters(engine, database_name)
    for client in clients:
        client.transport.post(f"{client.base}/sessions/{client.client_id}/close", {})
        client.transport.close()
    poll.close()
    result = summarize(step, window, before, after, total_syncs, engine)
    result["cpu_ms_per_sync"] = {
        part: round(1000 * (getattr(cpu_after, part) - getattr(cpu_before, part)) / total_syncs, 1)
        for part in ("server", "database", "client")
    }
    result["load_average"] = [round(load_before, 2), round(load_after, 2)]
    return result


def summarize(step: Step, window: float, before: dict, after: dict, syncs: int, engine) -> dict:
    """The figures of one step."""
    samples = step.samples
    latencies = [sample.seconds for sample in samples]
    ok = [sample for sample in samples if sample.status == 200]
    rows = {
        table: [
            after["tables"][table][i] - before["tables"].get(table, [0] * 4)[i] for i in range(4)
        ]
        for table in after["tables"]
    }
    rows = {table: counts for table, counts in rows.items() if any(counts)}
    written = sum(counts[0] + counts[1] + counts[2] for counts in rows.values())
    wal = wal_bytes(engine, before["wal"], after["wal"])
    return {
        "editors": step.editors,
        "window_s": round(window, 1),
        "syncs_measured": len(samples),
        "syncs_per_s": round(len(samples) / window, 1),
        "target_syncs_per_s": step.editors,
        "sync_ms": {
            "p50": round(1000 * percentile(latencies, 0.5), 1),
            "p95": round(1000 * percentile(latencies, 0.95), 1),
            "p99": round(1000 * percentile(latencies, 0.99), 1),
            "max": round(1000 * max(latencies, default=float("nan")), 1),
        },
        "visible_s": {
            "count": len(step.visible),
            "missing": step.missing,
            "p50": round(percentile(step.visible, 0.5), 3),
            "p95": round(percentile(step.visible, 0.95), 3),
            "max": round(max(step.visible, default=float("nan")), 3),
        },
        "bytes_per_sync": {
            "request": round(statistics.fmean(s.sent for s in ok)) if ok else None,
            "response": round(statistics.fmean(s.received for s in ok)) if ok else None,
            "responses_with_editors_list": (
                round(sum(s.with_editors for s in ok) / len(ok), 3) if ok else None
            ),
            "request_deltas": round(statistics.fmean(s.delta_sent for s in ok)) if ok else None,
            "response_deltas": round(statistics.fmean(s.delta_received for s in ok))
            if ok
            else None,
        },
        "database": {
            "syncs_counted": syncs,
            "wal_bytes_per_sync": round(wal["database"] / syncs) if syncs else None,
            "wal_full_page_bytes_per_sync": round(wal["fpi"] / syncs) if syncs else None,
            "wal_records_per_sync": round(wal["records"] / syncs, 1) if syncs else None,
            "wal_cluster_bytes_per_sync": round(wal["cluster"] / syncs) if syncs else None,
            "connections_opened": after["sessions"] - before["sessions"],
            "commits_per_sync": round((after["commits"] - before["commits"]) / syncs, 2)
            if syncs
            else None,
            "rows_written_per_sync": round(written / syncs, 2) if syncs else None,
            "rows_per_table": rows,
        },
        "errors": sorted(set(step.errors))[:10],
        "error_count": len(step.errors),
    }


# --------------------------------------------------------------------------------------
# The server's cost of one sync, in process
# --------------------------------------------------------------------------------------


def server_cost(app, seeded, editors: int, rounds: int, profile: bool) -> dict:
    """Time syncs in process on the same database: each of `editors` tabs types and syncs
    in turn, so each sync meets the other tabs' changes since its last one. Rounds
    alternate the whole request (API, Flask's test client) and the service call alone;
    then, with `profile`, a few more rounds of the service under cProfile."""
    web = app.test_client()
    clients = []
    for number in range(editors):
        client = SyncClient(
            FlaskLikeTransport(web, seeded.editor_tokens[number]), seeded.document_id
        )
        client.open()
        clients.append(client)
    rng = random.Random(7)
    api_times, service_times = [], []
    profiler = cProfile.Profile()
    profiled_rounds = 3 if profile else 0
    for round_number in range(-1, rounds + profiled_rounds):  # round -1 warms up
        profiling = round_number >= rounds
        for index, client in enumerate(clients):
            text = client.text
            at = text.find(" ", int((index + 0.5) / editors * len(text))) + 1
            client.edit(text[:at] + rng.choice(TYPING) + text[at:])
            if round_number % 2 == 0 and not profiling:  # the whole request, through the API
                started = time.perf_counter()
                client.sync()
                if round_number >= 0:
                    api_times.append(time.perf_counter() - started)
                continue
            body = client.prepare()  # the service alone, as the view calls it (and commits)
            with app.app_context():
                document = db.session.get(Document, seeded.document_id)
                user = db.session.get(User, seeded.editor_ids[index])
                if profiling:
                    profiler.enable()
                started = time.perf_counter()
                answer = collab.sync(
                    document,
                    user,
                    client_id=body["client_id"],
                    m=body["m"],
                    edits=[collab.ClientEdit(e["n"], e["delta"]) for e in body["edits"]],
                    can_edit=True,
                )
                db.session.commit()
                took = time.perf_counter() - started
                if profiling:
                    profiler.disable()
                elif round_number >= 0:
                    service_times.append(took)
                client.receive(200, {**answer.__dict__})
    for client in clients:
        client.transport.post(f"{client.base}/sessions/{client.client_id}/close", {})
    result = {
        "editors": editors,
        "api_ms": {
            "p50": round(1000 * percentile(api_times, 0.5), 1),
            "p95": round(1000 * percentile(api_times, 0.95), 1),
        },
        "service_ms": {
            "p50": round(1000 * percentile(service_times, 0.5), 1),
            "p95": round(1000 * percentile(service_times, 0.95), 1),
        },
        "samples": len(api_times) + len(service_times),
    }
    if profile:
        stats = pstats.Stats(profiler)
        result["profile_shares"] = profile_shares(stats)
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("cumulative").print_stats(25)
        result["profile_top"] = out.getvalue()
    return result


def profile_shares(stats: pstats.Stats) -> dict:
    """Where a profiled sync's time went (the service call and its commit): text diffs,
    the merge's own work, waiting for the database, everything else (ORM, JSON, …)."""

    def cumulative(path_end: str, name: str) -> tuple[float, int]:
        rows = [
            row
            for (path, _line, function), row in stats.stats.items()
            if path.endswith(path_end) and function == name
        ]
        return sum(row[3] for row in rows), sum(row[0] for row in rows)

    total = stats.total_tt
    _service, syncs = cumulative("drafting/collab/service.py", "sync")
    parts = {
        "text diffs (drafting/text/diffs.py diff)": cumulative("drafting/text/diffs.py", "diff")[0],
        "merge (drafting/text/merge.py merge_diffs)": cumulative(
            "drafting/text/merge.py", "merge_diffs"
        )[0],
        "waiting for PostgreSQL (psycopg wait)": cumulative("psycopg/connection.py", "wait")[0],
    }
    parts["everything else"] = total - sum(parts.values())
    shares = {name: f"{100 * seconds / total:.0f} %" for name, seconds in parts.items()}
    shares["ms per sync, profiled"] = round(1000 * total / max(1, syncs), 1)
    return shares


class FlaskLikeTransport:
    """The protocol over Flask's test client (as tests/collab/conftest.py, without pytest)."""

    def __init__(self, web, token: str):
        self.web = web
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: dict):
        response = self.web.post(path, json=body, headers=self.headers)
        return response.status_code, response.get_json()

    def get(self, path: str):
        response = self.web.get(path, headers=self.headers)
        return response.status_code, response.get_json()


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def table(steps: list[dict]) -> list[str]:
    """The load steps as a table."""
    lines = [
        "editors  syncs/s (goal)  sync p50/p95/p99 ms     visible p50/p95 s  missing"
        "  req/resp B (deltas)       WAL B/sync  rows/sync  commits/sync  errors"
        "  CPU ms/sync app/db/client  load",
    ]
    for s in steps:
        b, d, c = s["bytes_per_sync"], s["database"], s["cpu_ms_per_sync"]
        verdict = (
            "ok"
            if s["visible_s"]["p95"] < GOAL_P95_S and not s["visible_s"]["missing"]
            else "MISSED"
        )
        lines.append(
            f"{s['editors']:>7}  {s['syncs_per_s']:>6} ({s['target_syncs_per_s']:>3})  "
            f"{s['sync_ms']['p50']:>6}/{s['sync_ms']['p95']:>6}/{s['sync_ms']['p99']:>6}   "
            f"{s['visible_s']['p50']:>6}/{s['visible_s']['p95']:>6} {verdict:<6} "
            f"{s['visible_s']['missing']:>3}  "
            f"{b['request']:>5}/{b['response']:>5} ({b['request_deltas']}/{b['response_deltas']})"
            f"{'':>6}{d['wal_bytes_per_sync']:>8}  {d['rows_written_per_sync']:>9}  "
            f"{d['commits_per_sync']:>12}  {s['error_count']:>6}"
            f"  {c['server']:>6}/{c['database']:>5}/{c['client']:>5}"
            f"       {s['load_average'][0]:>4}→{s['load_average'][1]}"
        )
    return lines


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="10,20,30,35,40,45,60,80", help="editors per load step")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per step")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10, help="in-process rounds of 30 syncs")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--keep-going", action="store_true", help="ramp past the first miss")
    parser.add_argument("--quick", action="store_true", help="steps 10,30 of 8 s (a smoke run)")
    parser.add_argument(
        "--no-presence-tag",
        action="store_true",
        help="editors send no presence tag (as before it): every answer has the editors list",
    )
    parser.add_argument(
        "--cursors", action="store_true", help="editors send their cursor, as the browser does"
    )
    args = parser.parse_args()
    if args.quick:
        args.steps, args.duration, args.warmup, args.rounds = "10,30", 8.0, 2.0, 2
    return args


def main() -> None:
    # A plain SIGTERM (timeout, CI) unwinds like Ctrl-C: gunicorn is stopped, the scratch
    # database dropped.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    args = arguments()
    CLIENTS.update(presence_tag=not args.no_presence_tag, cursors=args.cursors)
    counts = [int(count) for count in args.steps.split(",")]
    started = time.monotonic()
    paper = the_paper()
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_before": os.getloadavg(),
        },
        "setup": {
            "paper_characters": len(paper),
            "gunicorn": f"{args.workers} workers × {args.threads} threads (gthread)",
            "redis": REDIS_URL,
            "step_seconds": args.duration,
            "goal_visible_p95_s": GOAL_P95_S,
            "clients": dict(CLIENTS),
        },
        "steps": [],
    }
    with scratch_postgres(ADMIN_POSTGRES_URL) as url, tempfile.TemporaryDirectory() as tmp:
        database_name = sa.engine.make_url(url).database
        app = migrated_app(url)
        seeded = seed(app, editors=max([*counts, SERVER_COST_TABS]) + 2, content=paper)
        with app.app_context():
            db.engine.dispose()
        engine = sa.create_engine(url)
        with engine.begin() as connection:  # to read WAL records (PostgreSQL 15 contrib)
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_walinspect"))
            results["setup"]["document_row_text_bytes"] = connection.execute(
                sa.text("SELECT pg_column_size(content) FROM documents WHERE id = :id"),
                {"id": seeded.document_id},
            ).scalar()
        log_path = Path(tmp) / "gunicorn.log"
        with (
            keep_wal(engine),
            gunicorn(
                url,
                log_path=log_path,
                workers=args.workers,
                threads=args.threads,
                redis_url=REDIS_URL,
            ) as (port, process),
        ):
            for count in counts:
                print(f"-- {count} editors …", flush=True)
                step = run_step(
                    port,
                    process.pid,
                    seeded,
                    count,
                    args.duration,
                    args.warmup,
                    engine,
                    database_name,
                )
                results["steps"].append(step)
                print("\n".join(table([step])[1:]), flush=True)
                if not args.keep_going and (
                    step["visible_s"]["p95"] >= GOAL_P95_S or step["visible_s"]["missing"]
                ):
                    break
        log = log_path.read_text(errors="replace")
        results["gunicorn_errors"] = [
            line for line in log.splitlines() if " 500 " in line or "Error" in line
        ][:20]
        print("-- the server's cost of one sync, in process …", flush=True)
        results["server_cost"] = server_cost(
            app, seeded, SERVER_COST_TABS, args.rounds, not args.no_profile
        )
        with app.app_context():
            db.engine.dispose()
        engine.dispose()
    sustained = [
        s["editors"]
        for s in results["steps"]
        if s["visible_s"]["p95"] < GOAL_P95_S and not s["visible_s"]["missing"]
    ]
    results["most_editors_within_goal"] = max(sustained, default=0)
    results["runtime_s"] = round(time.monotonic() - started, 1)

    lines = [
        "",
        f"Live co-editing: one {len(paper):,}-character paper, gunicorn "
        f"{args.workers}×{args.threads} gthread, PostgreSQL, Redis; {os.cpu_count()} CPUs "
        "shared with the bench client",
        *table(results["steps"]),
        "",
        f"most editors with keystrokes visible to another editor within {GOAL_P95_S} s (p95): "
        f"{results['most_editors_within_goal']}",
        "the paper's text as stored in its row (compressed, TOAST): "
        f"{results['setup']['document_row_text_bytes']:,} bytes, written again by every sync "
        "that changes the text",
    ]
    cost = results["server_cost"]
    lines += [
        f"server cost of one sync in process ({cost['editors']} tabs typing in turn): "
        f"API p50 {cost['api_ms']['p50']} ms, p95 {cost['api_ms']['p95']} ms; "
        f"service p50 {cost['service_ms']['p50']} ms, p95 {cost['service_ms']['p95']} ms",
        f"gunicorn errors: {len(results['gunicorn_errors'])}",
        f"(whole run {results['runtime_s']} s)",
    ]
    print("\n".join(lines))
    if "profile_top" in cost:
        print("\nWhere a sync's time goes (cProfile of the service call and its commit):")
        for name, share in cost["profile_shares"].items():
            print(f"  {name}: {share}")
        print("\ncProfile of the service's sync (cumulative):")
        print("\n".join(cost["profile_top"].splitlines()[:45]))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "collab.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
