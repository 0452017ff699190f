"""Fixtures for live editing: a document and clients speaking the protocol in process."""

import pytest
from diff_match_patch import diff_match_patch

from drafting.caucuses.models import Role
from drafting.text import diffs
from tests.collab.client import SyncClient
from tests.conftest import bearer


class FlaskTransport:
    """The protocol over Flask's test client, authenticated with a Bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = bearer(token)

    def post(self, path: str, body: dict):
        response = self.client.post(path, json=body, headers=self.headers)
        return response.status_code, response.get_json()

    def get(self, path: str):
        response = self.client.get(path, headers=self.headers)
        return response.status_code, response.get_json()


@pytest.fixture
def live_doc(app, factory):
    """A caucus with an owner and a document, and a way to make editing clients."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    owner_token = factory.token(owner)
    web = app.test_client()
    created = web.post(
        f"/api/v1/caucuses/{caucus.id}/documents",
        json={"title": "Live", "content": "Member States shall act.\n"},
        headers=bearer(owner_token),
    ).get_json()

    def client_for(role: Role = Role.EDITOR) -> SyncClient:
        person = factory.member(caucus, role)
        sync_client = SyncClient(
            FlaskTransport(app.test_client(), factory.token(person)), created["id"]
        )
        sync_client.person = person
        sync_client.open()
        return sync_client

    return {
        "id": created["id"],
        "client_for": client_for,
        "owner": FlaskTransport(web, owner_token),
    }


class OutOfTime(diff_match_patch):
    """diff-match-patch whose bisection has no time left, ever.

    It answers "delete all of this, insert all of that" for the part it has not finished
    when its time bound passes, as a diff of a long paper does under load.
    """

    def diff_bisect(self, text1, text2, deadline):
        return [(diffs.DELETE, text1), (diffs.INSERT, text2)]


@pytest.fixture
def coarse_diffs(monkeypatch):
    """Every diff the server makes comes out coarse (the clients' own diffs do not)."""

    def out_of_time(timeout=None):
        return OutOfTime()

    monkeypatch.setattr(diffs, "differ", out_of_time)
