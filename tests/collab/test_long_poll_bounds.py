"""Long waits are bounded: no person, and no crowd, can make every server thread wait.

Every open editor long-polls for changes, and each wait holds a server thread. Before,
eight long-polls by one viewer left `/healthz` waiting 18.6 s behind them. A process now
lets at most LONG_POLLS_WAITING requests wait, LONG_POLLS_PER_PERSON of them one person's;
the others are answered at once with the version as it stands.
"""

from __future__ import annotations

import threading
import time

import pytest

from drafting.collab import notify
from drafting.documents import service as documents
from tests.conftest import fresh

WAIT = 1.5  # seconds each admitted wait lasts (nothing changes meanwhile)


@pytest.fixture
def document_id(factory):
    owner = factory.user()
    caucus = factory.caucus(owner)
    with factory.context():
        document = documents.create_document(fresh(caucus), fresh(owner), title="Paper")
        documents.db.session.commit()
        return document.id


def waits(app, document_id: int, people: list[int]) -> list[float]:
    """Start one long wait per entry of `people` at once; how long each took."""
    took = [0.0] * len(people)
    ready = threading.Barrier(len(people))

    def wait(index: int, person: int) -> None:
        with app.app_context():
            ready.wait()
            started = time.monotonic()
            notify.wait_for_change(document_id, after=10**6, timeout=WAIT, person=person)
            took[index] = time.monotonic() - started

    threads = [threading.Thread(target=wait, args=pair) for pair in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return took


@pytest.mark.committed  # each waiting thread reads through its own connection
def test_one_person_waits_in_at_most_four_requests_at_once(app, document_id):
    took = waits(app, document_id, [1] * 6 + [2])
    assert sorted(took[:6])[:2] == pytest.approx([0, 0], abs=0.5)  # answered at once
    assert sum(seconds >= WAIT * 0.9 for seconds in took[:6]) == 4
    assert took[6] >= WAIT * 0.9  # someone else still waits as usual


@pytest.mark.committed
def test_the_process_lets_at_most_its_number_of_requests_wait(app, document_id, monkeypatch):
    monkeypatch.setitem(app.config, "LONG_POLLS_WAITING", 3)
    took = waits(app, document_id, [1, 2, 3, 4, 5])
    assert sum(seconds >= WAIT * 0.9 for seconds in took) == 3
    assert sum(seconds < 0.5 for seconds in took) == 2
