"""API: caucuses, members, invitations (API.md, *Caucuses*)."""

import pytest

from tests.conftest import bearer


@pytest.fixture
def owner(factory):
    """A person with a token."""
    person = factory.user()
    person.secret = factory.token(person)
    return person


def test_create_caucus(client, owner):
    """POST /caucuses → 201 {id, slug, name}; the creator is owner."""
    response = client.post(
        "/api/v1/caucuses", json={"name": "Bridge Caucus"}, headers=bearer(owner.secret)
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "bridge-caucus"
    assert body["name"] == "Bridge Caucus"
    assert body["role"] == "owner"
    listed = client.get("/api/v1/caucuses", headers=bearer(owner.secret)).get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]


def test_create_caucus_with_a_taken_slug_is_409(client, owner):
    """An explicit slug that is taken: 409 with the field named."""
    client.post(
        "/api/v1/caucuses", json={"name": "A", "slug": "bridge"}, headers=bearer(owner.secret)
    )
    response = client.post(
        "/api/v1/caucuses", json={"name": "B", "slug": "bridge"}, headers=bearer(owner.secret)
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["fields"] == {"slug": "taken"}


def test_list_only_your_caucuses(client, owner, factory):
    """Nobody sees the caucuses they are not in."""
    factory.caucus(factory.user(), name="Someone else's")
    mine = factory.caucus(owner, name="Mine")
    listed = client.get("/api/v1/caucuses", headers=bearer(owner.secret)).get_json()
    assert [c["name"] for c in listed["items"]] == ["Mine"]
    assert listed["total"] == 1
    assert listed["next"] is None
    assert (
        client.get(f"/api/v1/caucuses/{mine.id}", headers=bearer(owner.secret)).status_code == 200
    )


def test_paging_says_how_to_get_the_next_page(client, owner, factory):
    """limit/offset, a total, and the URL of the next page."""
    for n in range(5):
        factory.caucus(owner, name=f"Caucus {n}")
    first = client.get("/api/v1/caucuses?limit=2", headers=bearer(owner.secret)).get_json()
    assert [c["name"] for c in first["items"]] == ["Caucus 0", "Caucus 1"]
    assert first["total"] == 5
    second = client.get(first["next"], headers=bearer(owner.secret)).get_json()
    assert [c["name"] for c in second["items"]] == ["Caucus 2", "Caucus 3"]
    last = client.get(second["next"], headers=bearer(owner.secret)).get_json()
    assert [c["name"] for c in last["items"]] == ["Caucus 4"]
    assert last["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=100000", "offset=-1", "limit=abc"])
def test_bad_paging_numbers_are_422(client, owner, query):
    """Bad numbers are refused with the field named, never a 500."""
    response = client.get(f"/api/v1/caucuses?{query}", headers=bearer(owner.secret))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"


def test_add_a_known_member(client, owner, factory):
    """A known email: 201 and the member is in."""
    caucus = factory.caucus(owner)
    factory.user("known@example.org")
    response = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": "known@example.org", "role": "rapporteur"},
        headers=bearer(owner.secret),
    )
    assert response.status_code == 201
    assert response.get_json()["role"] == "rapporteur"
    members = client.get(
        f"/api/v1/caucuses/{caucus.id}/members", headers=bearer(owner.secret)
    ).get_json()
    assert [m["role"] for m in members["items"]] == ["owner", "rapporteur"]


def test_invite_an_unknown_email(client, owner, factory):
    """An unknown email: 202 with an invitation URL; listed as pending; revocable."""
    caucus = factory.caucus(owner)
    response = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": "new@example.org", "role": "viewer"},
        headers=bearer(owner.secret),
    )
    assert response.status_code == 202
    url = response.get_json()["invitation_url"]
    assert "/invitations/" in url
    pending = client.get(
        f"/api/v1/caucuses/{caucus.id}/invitations", headers=bearer(owner.secret)
    ).get_json()["items"]
    assert [(i["email"], i["invitation_url"]) for i in pending] == [("new@example.org", None)]
    revoked = client.delete(
        f"/api/v1/caucuses/{caucus.id}/invitations/{pending[0]['id']}", headers=bearer(owner.secret)
    )
    assert revoked.status_code == 204
    assert client.get(url.split("localhost", 1)[1]).status_code == 404


def test_change_role_and_last_owner_rule(client, owner, factory):
    """PATCH changes a role; demoting the last owner is 409."""
    from drafting.caucuses.models import Role

    caucus = factory.caucus(owner)
    member = factory.member(caucus, Role.VIEWER)
    url = f"/api/v1/caucuses/{caucus.id}/members"
    changed = client.patch(
        f"{url}/{member.id}", json={"role": "editor"}, headers=bearer(owner.secret)
    )
    assert changed.get_json()["role"] == "editor"
    refused = client.patch(
        f"{url}/{owner.id}", json={"role": "viewer"}, headers=bearer(owner.secret)
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "conflict"


def test_unknown_role_is_422(client, owner, factory):
    """Only the five roles exist."""
    caucus = factory.caucus(owner)
    response = client.post(
        f"/api/v1/caucuses/{caucus.id}/members",
        json={"email": "x@example.org", "role": "queen"},
        headers=bearer(owner.secret),
    )
    assert response.status_code == 422
    assert "role" in response.get_json()["error"]["fields"]


def test_removed_member_loses_token_access_at_once(client, owner, factory):
    """DELETE a member: their token's next request is 404 for the caucus."""
    from drafting.caucuses.models import Role

    caucus = factory.caucus(owner)
    member = factory.member(caucus, Role.EDITOR)
    member_secret = factory.token(member)
    url = f"/api/v1/caucuses/{caucus.id}"
    assert client.get(url, headers=bearer(member_secret)).status_code == 200
    removed = client.delete(f"{url}/members/{member.id}", headers=bearer(owner.secret))
    assert removed.status_code == 204
    response = client.get(url, headers=bearer(member_secret))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_members_below_owner_get_403_and_non_members_404(client, owner, factory):
    """An editor may not add members (403); an outsider learns nothing (404)."""
    from drafting.caucuses.models import Role

    caucus = factory.caucus(owner)
    editor_secret = factory.token(factory.member(caucus, Role.EDITOR))
    outsider_secret = factory.token(factory.user())
    body = {"email": "x@example.org", "role": "viewer"}
    url = f"/api/v1/caucuses/{caucus.id}/members"
    assert client.post(url, json=body, headers=bearer(editor_secret)).status_code == 403
    assert client.post(url, json=body, headers=bearer(outsider_secret)).status_code == 404
    assert client.get(url, headers=bearer(outsider_secret)).status_code == 404


def test_leave(client, owner, factory):
    """A member leaves; the last owner may not."""
    from drafting.caucuses.models import Role

    caucus = factory.caucus(owner)
    member_secret = factory.token(factory.member(caucus, Role.VIEWER))
    assert (
        client.post(
            f"/api/v1/caucuses/{caucus.id}/leave", headers=bearer(member_secret)
        ).status_code
        == 204
    )
    assert (
        client.post(f"/api/v1/caucuses/{caucus.id}/leave", headers=bearer(owner.secret)).status_code
        == 409
    )
