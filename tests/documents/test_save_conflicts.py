"""Stale saves that changed the same words, compound words included, are conflicts."""

import pytest

from drafting.documents import service
from drafting.errors import Conflict
from tests.conftest import fresh

BASE = "## Commitments\n\nMember States shall adopt the alpha plan.\n"


@pytest.fixture
def doc(ctx, make_document):
    """A document in the test's session."""
    return fresh(make_document(BASE))


def test_a_stale_save_of_the_same_compound_word_is_refused(doc, team):
    """One wrote "alpha-prime", the other "omega": not saved as "omega-prime" (README)."""
    owner, editor = fresh(team["owner"]), fresh(team["editor"])
    service.save_content(
        doc, author=owner, base_revision=1, content=BASE.replace("alpha", "alpha-prime")
    )
    mine = BASE.replace("alpha", "omega")
    with pytest.raises(Conflict) as raised:
        service.save_content(doc, author=editor, base_revision=1, content=mine)
    [conflict] = raised.value.extra["conflicts"]
    assert "omega" in conflict["yours"]
    assert "alpha-prime" in conflict["theirs"]
    assert doc.content == BASE.replace("alpha", "alpha-prime")
    assert service.kept_text(doc, editor).content == mine
