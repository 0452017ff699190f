"""API conventions: JSON errors, status codes, Bearer tokens (API.md, *Conventions*)."""

import pytest

from tests.conftest import bearer


@pytest.fixture
def secret(factory):
    """A token of a signed-up person."""
    return factory.token(factory.user())


def test_no_credentials_is_401_in_json(client):
    """Every error has {"error": {"code", "message"}}."""
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"]


def test_unknown_api_path_is_404_in_json(client):
    """Even a path that matches no route answers in JSON."""
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_in_json(client, secret):
    """A method the path does not take."""
    response = client.put("/api/v1/me", headers=bearer(secret), json={})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_400(client, secret):
    """A body that is not JSON: 400, never 500."""
    response = client.post(
        "/api/v1/caucuses",
        data="{not json",
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_other_media_type_is_415(client, secret):
    """Writes must be JSON."""
    response = client.post(
        "/api/v1/caucuses",
        data="name=x",
        headers=bearer(secret),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        42,
        {"name": ""},
        {"name": "x", "extra": 1},
        {"name": None},
        {"name": "x" * 121},
    ],
)
def test_invalid_values_are_422_with_fields(client, secret, body):
    """Well-formed JSON with bad values: 422 naming the fields."""
    response = client.post("/api/v1/caucuses", json=body, headers=bearer(secret))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]


def test_huge_ids_are_404_not_500(client, secret):
    """Ids beyond a database integer simply do not exist."""
    response = client.get(f"/api/v1/caucuses/{10**30}", headers=bearer(secret))
    assert response.status_code == 404


def test_too_large_body_is_413(client, secret):
    """A body past the request limit: 413 in JSON."""
    response = client.post(
        "/api/v1/caucuses",
        data=b'{"name": "' + b"x" * (5 * 1024 * 1024) + b'"}',
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
