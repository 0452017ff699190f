"""The review API as API.md fixes it: comments, suggestions, decisions, notifications."""

from __future__ import annotations

import pytest

from tests.conftest import bearer

QUOTE = "rights of migrant women"


@pytest.fixture
def api(app, factory, people, paper):
    """Call the API as one of the people: api("commenter").post(path, json=…)."""
    tokens = {name: factory.token(person) for name, person in people.items() if name != "caucus"}
    web = app.test_client()

    class As:
        def __init__(self, name):
            self.headers = bearer(tokens[name])

        def get(self, path, **kwargs):
            return web.get(f"/api/v1{path}", headers=self.headers, **kwargs)

        def post(self, path, **kwargs):
            return web.post(f"/api/v1{path}", headers=self.headers, **kwargs)

        def patch(self, path, **kwargs):
            return web.patch(f"/api/v1{path}", headers=self.headers, **kwargs)

        def put(self, path, **kwargs):
            return web.put(f"/api/v1{path}", headers=self.headers, **kwargs)

        def delete(self, path, **kwargs):
            return web.delete(f"/api/v1{path}", headers=self.headers, **kwargs)

    return As


def comments_path(paper) -> str:
    return f"/documents/{paper.id}/comments"


def test_comment_and_list_with_resolved_anchor(api, paper):
    created = api("commenter").post(
        comments_path(paper), json={"body": "Which **rights**?", "anchor": {"quote": QUOTE}}
    )
    assert created.status_code == 201, created.get_json()
    comment = created.get_json()
    assert comment["anchor"]["quote"] == QUOTE and "<strong>rights</strong>" in comment["html"]
    reply = api("editor").post(
        comments_path(paper), json={"body": "Labour rights.", "parent_id": comment["id"]}
    )
    assert reply.status_code == 201, reply.get_json()

    listing = api("viewer").get(comments_path(paper))
    assert listing.status_code == 200
    body = listing.get_json()
    assert body["total"] == 1 and body["next"] is None
    [thread] = body["items"]
    anchor = thread["anchor"]
    assert paper.content[anchor["start"] : anchor["end"]] == QUOTE
    assert anchor["orphaned"] is False and thread["resolved"] is False
    assert [r["body"] for r in thread["replies"]] == ["Labour rights."]


def test_the_anchor_follows_saves(api, paper):
    api("commenter").post(comments_path(paper), json={"body": "Hm", "anchor": {"quote": QUOTE}})
    content = paper.content.replace("# Bridge document", "# Bridge document\n\nNew intro. 🌍")
    saved = api("editor").put(
        f"/documents/{paper.id}/content", json={"base_revision": 1, "content": content}
    )
    assert saved.status_code == 200
    [thread] = api("viewer").get(comments_path(paper)).get_json()["items"]
    assert content[thread["anchor"]["start"] : thread["anchor"]["end"]] == QUOTE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "x", "anchor": {"quote": "not in the text"}}, "anchor"),
        ({"body": "x", "anchor": {"quote": "q" * 2001}}, "anchor.quote"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x", "anchor": {"quote": "shall ensure"}}, "anchor"),  # twice in the text
    ],
)
def test_invalid_comments_are_422(api, paper, body, field):
    response = api("commenter").post(comments_path(paper), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_roles(api, paper):
    assert api("viewer").post(comments_path(paper), json={"body": "x"}).status_code == 403
    assert api("outsider").post(comments_path(paper), json={"body": "x"}).status_code == 404
    assert api("outsider").get(comments_path(paper)).status_code == 404
    comment = api("commenter").post(comments_path(paper), json={"body": "x"}).get_json()
    assert api("outsider").get(f"/comments/{comment['id']}").status_code == 404
    assert api("outsider").post(f"/comments/{comment['id']}/resolve").status_code == 404
    assert api("viewer").post(f"/comments/{comment['id']}/resolve").status_code == 403
    assert api("commenter2").post(f"/comments/{comment['id']}/resolve").status_code == 403
    assert (
        api("commenter2").patch(f"/comments/{comment['id']}", json={"body": "y"}).status_code == 403
    )
    assert api("commenter2").delete(f"/comments/{comment['id']}").status_code == 403


def test_edit_delete_resolve_reopen(api, paper):
    comment = api("commenter").post(comments_path(paper), json={"body": "x"}).get_json()
    path = f"/comments/{comment['id']}"
    edited = api("commenter").patch(path, json={"body": "better"})
    assert edited.status_code == 200 and edited.get_json()["body"] == "better"
    resolved = api("commenter").post(f"{path}/resolve")
    assert resolved.status_code == 200 and resolved.get_json()["resolved"] is True
    listing = api("viewer").get(comments_path(paper), query_string={"status": "open"})
    assert listing.get_json()["items"] == []
    reopened = api("editor").post(f"{path}/reopen")
    assert reopened.status_code == 200 and reopened.get_json()["resolved"] is False
    assert api("commenter").delete(path).status_code == 204
    [thread] = api("viewer").get(comments_path(paper)).get_json()["items"]
    assert thread["deleted"] is True and thread["body"] == ""


def test_paging(api, paper):
    for number in range(5):
        api("commenter").post(comments_path(paper), json={"body": f"comment {number}"})
    page = (
        api("viewer").get(comments_path(paper), query_string={"limit": 2, "offset": 2}).get_json()
    )
    assert [item["body"] for item in page["items"]] == ["comment 2", "comment 3"]
    assert page["total"] == 5 and "offset=4" in page["next"]


def test_suggest_and_accept(api, paper, people):
    created = api("commenter").post(
        f"/documents/{paper.id}/suggestions",
        json={"anchor": {"quote": QUOTE}, "replacement": "human rights of migrant women"},
    )
    assert created.status_code == 201, created.get_json()
    suggestion = created.get_json()
    assert suggestion["status"] == "open" and suggestion["outdated"] is False
    path = f"/suggestions/{suggestion['id']}"
    assert api("editor").post(f"{path}/accept").status_code == 403
    assert api("outsider").post(f"{path}/accept").status_code == 404
    accepted = api("rapporteur").post(f"{path}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json() == {"status": "accepted", "revision": 2}
    document = api("viewer").get(f"/documents/{paper.id}").get_json()
    assert "the human rights of migrant women." in document["content"]
    revision = api("viewer").get(f"/documents/{paper.id}/revisions/2").get_json()
    assert revision["author"]["id"] == people["commenter"].id  # the proposer
    again = api("rapporteur").post(f"{path}/accept")
    assert again.status_code == 409
    listing = api("viewer").get(
        f"/documents/{paper.id}/suggestions", query_string={"status": "accepted"}
    )
    [item] = listing.get_json()["items"]
    assert item["revision"] == 2 and item["decided_by"]["name"]


def test_accept_with_options_and_409_when_outdated(api, paper):
    suggestion = (
        api("commenter")
        .post(
            f"/documents/{paper.id}/suggestions",
            json={
                "anchor": {"quote": QUOTE},
                "replacement": "rights of women",
                "rationale": "Short",
            },
        )
        .get_json()
    )
    content = paper.content.replace(QUOTE, "rights of migrant workers")
    api("editor").put(
        f"/documents/{paper.id}/content", json={"base_revision": 1, "content": content}
    )
    path = f"/suggestions/{suggestion['id']}"
    [listed] = api("viewer").get(f"/documents/{paper.id}/suggestions").get_json()["items"]
    assert listed["outdated"] is True and listed["current_text"] == "rights of migrant workers"
    refused = api("rapporteur").post(f"{path}/accept", json={})
    assert refused.status_code == 409
    assert api("rapporteur").post(f"{path}/accept", json={"reviewed": "maybe"}).status_code == 422
    accepted = api("rapporteur").post(
        f"{path}/accept",
        json={"reviewed": True, "replacement": "rights of all migrants", "note": "Merged both"},
    )
    assert accepted.status_code == 200, accepted.get_json()
    content = api("viewer").get(f"/documents/{paper.id}").get_json()["content"]
    assert "protect the rights of all migrants." in content


def test_orphaned_suggestion_is_409(api, paper):
    suggestion = (
        api("commenter")
        .post(
            f"/documents/{paper.id}/suggestions",
            json={"anchor": {"quote": QUOTE}, "replacement": "rights"},
        )
        .get_json()
    )
    content = paper.content.replace("Member States shall protect the rights of migrant women.", "")
    api("editor").put(
        f"/documents/{paper.id}/content", json={"base_revision": 1, "content": content}
    )
    response = api("rapporteur").post(
        f"/suggestions/{suggestion['id']}/accept", json={"reviewed": True}
    )
    assert response.status_code == 409


def test_reject_and_withdraw(api, paper):
    def propose():
        return (
            api("commenter")
            .post(
                f"/documents/{paper.id}/suggestions",
                json={"anchor": {"quote": QUOTE}, "replacement": "rights"},
            )
            .get_json()["id"]
        )

    first, second = propose(), propose()
    rejected = api("rapporteur").post(f"/suggestions/{first}/reject", json={"note": "No"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["decision_note"] == "No"
    assert api("commenter2").post(f"/suggestions/{second}/withdraw").status_code == 403
    withdrawn = api("commenter").post(f"/suggestions/{second}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert api("rapporteur").post(f"/suggestions/{second}/reject").status_code == 409


def test_invalid_suggestions_are_422(api, paper):
    path = f"/documents/{paper.id}/suggestions"
    assert (
        api("commenter")
        .post(path, json={"anchor": {"quote": "nope"}, "replacement": "x"})
        .status_code
        == 422
    )
    assert (
        api("commenter")
        .post(path, json={"anchor": {"quote": QUOTE}, "replacement": QUOTE})
        .status_code
        == 422
    )
    assert api("commenter").post(path, json={"replacement": "x"}).status_code == 422
    assert (
        api("viewer").post(path, json={"anchor": {"quote": QUOTE}, "replacement": "x"}).status_code
        == 403
    )


def test_notifications(api, paper, people):
    comment = api("commenter").post(comments_path(paper), json={"body": "Hello"}).get_json()
    api("editor").post(
        comments_path(paper),
        json={"body": f"Yes, @{people['viewer'].email} see this", "parent_id": comment["id"]},
    )
    mine = api("commenter").get("/notifications").get_json()
    assert mine["unread"] == 1 and [n["kind"] for n in mine["items"]] == ["reply"]
    assert mine["items"][0]["document"]["id"] == paper.id and mine["items"][0]["text"]
    theirs = api("viewer").get("/notifications", query_string={"unread": "true"}).get_json()
    assert [n["kind"] for n in theirs["items"]] == ["mention"]
    # Others' ids are ignored; an empty body marks everything.
    marked = api("viewer").post("/notifications/read", json={"ids": [mine["items"][0]["id"]]})
    assert marked.get_json() == {"marked": 0, "unread": 1}
    marked = api("viewer").post("/notifications/read")
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1, "unread": 0}
    assert api("commenter").get("/notifications").get_json()["unread"] == 1
