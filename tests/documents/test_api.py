"""API: documents and revisions (API.md, *Documents and revisions*)."""

import threading

import pytest

from drafting.caucuses.models import Role
from tests.conftest import bearer
from tests.documents.conftest import PAPER


@pytest.fixture
def tokens(factory, team):
    """Bearer tokens of the team."""
    return {role: factory.token(person) for role, person in team.items() if role != "caucus"}


@pytest.fixture
def doc_id(client, team, tokens):
    """A document created through the API."""
    response = client.post(
        f"/api/v1/caucuses/{team['caucus'].id}/documents",
        json={"title": "Bridge document", "content": PAPER},
        headers=bearer(tokens["owner"]),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["revision"], body["content"], body["title"]) == (1, PAPER, "Bridge document")
    return body["id"]


def put(client, doc_id, token, base, content, summary=""):
    """PUT /documents/{id}/content."""
    return client.put(
        f"/api/v1/documents/{doc_id}/content",
        json={"base_revision": base, "content": content, "summary": summary},
        headers=bearer(token),
    )


def test_get_document(client, doc_id, tokens, team):
    """GET /documents/{id} → id, title, caucus_id, revision, content, updated_at."""
    body = client.get(f"/api/v1/documents/{doc_id}", headers=bearer(tokens["viewer"])).get_json()
    assert body["caucus_id"] == team["caucus"].id
    assert body["content"] == PAPER
    assert body["revision"] == 1
    assert body["updated_at"].endswith("+00:00")


def test_list_documents(client, doc_id, tokens, team):
    """The caucus's documents."""
    listed = client.get(
        f"/api/v1/caucuses/{team['caucus'].id}/documents", headers=bearer(tokens["viewer"])
    ).get_json()
    assert [d["id"] for d in listed["items"]] == [doc_id]


def test_save_merge_and_conflict(client, doc_id, tokens):
    """A stale save merges (merged: true); a clashing one is 409 with the conflicts."""
    first = put(client, doc_id, tokens["owner"], 1, PAPER.replace("Preamble", "Foreword"))
    assert first.get_json() == {
        "revision": 2,
        "content": PAPER.replace("Preamble", "Foreword"),
        "merged": False,
    }
    merged = put(client, doc_id, tokens["editor"], 1, PAPER.replace("health care", "health"))
    assert merged.status_code == 200
    assert merged.get_json()["merged"] is True
    assert "## Foreword" in merged.get_json()["content"]
    clash = put(client, doc_id, tokens["editor"], 1, PAPER.replace("Preamble", "Introduction"))
    assert clash.status_code == 409
    body = clash.get_json()
    assert body["error"]["code"] == "conflict"
    assert body["head_revision"] == 3
    assert body["conflicts"][0]["yours"] == "Introduction"


def test_viewers_cannot_save(client, doc_id, tokens):
    """Editing is for editors and up: a viewer gets 403 and nothing changes."""
    response = put(client, doc_id, tokens["viewer"], 1, "vandalised")
    assert response.status_code == 403
    assert (
        client.get(f"/api/v1/documents/{doc_id}", headers=bearer(tokens["owner"])).get_json()[
            "content"
        ]
        == PAPER
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"base_revision": "one", "content": "x"}, 422),
        ({"base_revision": 0, "content": "x"}, 422),
        ({"base_revision": 99, "content": "x"}, 422),
        ({"content": "x"}, 422),
        ({"base_revision": 1, "content": "x", "summary": "s" * 501}, 422),
        ({"base_revision": 1, "content": 5}, 422),
        ({"base_revision": 1, "content": "x" * (2 * 1024 * 1024 + 1)}, 413),
    ],
)
def test_bad_saves_are_refused_clearly(client, doc_id, tokens, body, status):
    """Bad numbers, missing fields, too long: 4xx with a message; the text is unharmed."""
    response = client.put(
        f"/api/v1/documents/{doc_id}/content", json=body, headers=bearer(tokens["editor"])
    )
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    current = client.get(f"/api/v1/documents/{doc_id}", headers=bearer(tokens["owner"]))
    assert current.get_json()["revision"] == 1


def test_revisions_newest_first_with_paging(client, doc_id, tokens):
    """Revisions list with number, author, created_at, summary, added, removed."""
    text = PAPER
    for n in range(4):
        text += f"\nPoint {n}.\n"
        put(client, doc_id, tokens["editor"], n + 1, text, summary=f"point {n}")
    page = client.get(
        f"/api/v1/documents/{doc_id}/revisions?limit=2", headers=bearer(tokens["viewer"])
    ).get_json()
    assert [r["number"] for r in page["items"]] == [5, 4]
    assert page["items"][0]["summary"] == "point 3"
    assert page["items"][0]["added"] == len("\nPoint 3.\n")
    older = client.get(page["next"], headers=bearer(tokens["viewer"])).get_json()
    assert [r["number"] for r in older["items"]] == [3, 2]


def test_revision_diff_and_restore(client, doc_id, tokens):
    """Any revision's text; the diff from A turns A into B; restore appends a head."""
    changed = PAPER.replace("migrant women", "all migrant women and girls")
    put(client, doc_id, tokens["editor"], 1, changed)
    old = client.get(f"/api/v1/documents/{doc_id}/revisions/1", headers=bearer(tokens["viewer"]))
    assert old.get_json()["content"] == PAPER
    diff = client.get(
        f"/api/v1/documents/{doc_id}/diff?from=1&to=2", headers=bearer(tokens["viewer"])
    ).get_json()
    assert "".join(t for op, t in diff["diffs"] if op != 1) == PAPER
    assert "".join(t for op, t in diff["diffs"] if op != -1) == changed
    restored = client.post(
        f"/api/v1/documents/{doc_id}/revisions/1/restore", headers=bearer(tokens["editor"])
    )
    assert restored.status_code == 201
    assert restored.get_json()["revision"] == 3
    assert restored.get_json()["content"] == PAPER


@pytest.mark.parametrize(
    "query", ["from=1&to=9", "from=0&to=1", "from=a&to=1", "to=1", f"from={10**12}&to=1"]
)
def test_bad_diff_ranges_are_4xx(client, doc_id, tokens, query):
    """Unknown or malformed revision numbers: 404 or 422, never 500."""
    response = client.get(
        f"/api/v1/documents/{doc_id}/diff?{query}", headers=bearer(tokens["viewer"])
    )
    assert response.status_code in (404, 422)


def test_authorship(client, doc_id, tokens, team):
    """Who wrote what, with counts per person."""
    put(client, doc_id, tokens["editor"], 1, PAPER + "\nEditor's addition.\n")
    body = client.get(
        f"/api/v1/documents/{doc_id}/authorship", headers=bearer(tokens["viewer"])
    ).get_json()
    counts = {a["id"]: a["characters"] for a in body["authors"]}
    assert counts == {
        team["owner"].id: len(PAPER),
        team["editor"].id: len("\nEditor's addition.\n"),
    }
    assert body["runs"][-1]["author_id"] == team["editor"].id


def test_non_members_get_404_for_documents(client, doc_id, factory):
    """A document of another caucus does not exist for you."""
    outsider = factory.token(factory.user())
    assert client.get(f"/api/v1/documents/{doc_id}", headers=bearer(outsider)).status_code == 404
    assert put(client, doc_id, outsider, 1, "x").status_code == 404


def test_patch_renames_and_archives(client, doc_id, tokens):
    """Rename and archive; archived documents refuse saves with 409."""
    renamed = client.patch(
        f"/api/v1/documents/{doc_id}",
        json={"title": "Platform", "archived": True},
        headers=bearer(tokens["editor"]),
    ).get_json()
    assert (renamed["title"], renamed["archived"]) == ("Platform", True)
    assert put(client, doc_id, tokens["editor"], 1, "x").status_code == 409


@pytest.mark.postgres_only
@pytest.mark.committed
def test_concurrent_saves_lose_nobody_s_words(app, factory):
    """Eight people save at once from the same base, each adding a line in their own place:
    every line ends up in the head, each exactly once (PostgreSQL, real row locks)."""
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    owner = factory.user()
    caucus = factory.caucus(owner)
    writers = [factory.member(caucus, Role.EDITOR) for _n in range(8)]
    secrets = [factory.token(person) for person in writers]
    sections = "".join(f"## Section {n}\n\nText of section {n}.\n\n" for n in range(8))
    web = app.test_client()
    created = web.post(
        f"/api/v1/caucuses/{caucus.id}/documents",
        json={"title": "Concurrent", "content": sections},
        headers=bearer(factory.token(owner)),
    ).get_json()
    barrier = threading.Barrier(len(writers))
    statuses = []

    def save(n: int) -> None:
        content = sections.replace(f"Text of section {n}.", f"Text of section {n}. [writer-{n}]")
        barrier.wait()
        with app.test_client() as own_client:
            statuses.append(put(own_client, created["id"], secrets[n], 1, content).status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    head = web.get(f"/api/v1/documents/{created['id']}", headers=bearer(secrets[0])).get_json()
    assert statuses == [200] * 8
    for n in range(8):
        assert head["content"].count(f"[writer-{n}]") == 1
    assert head["revision"] == 9
