"""API tokens: created on the settings page or by POST /api/v1/auth/token, stored hashed."""

import hashlib
import re

import sqlalchemy as sa

from drafting.accounts.models import ApiToken
from drafting.extensions import db
from tests.conftest import PASSWORD
from tests.conftest import bearer


def token_rows(app):
    """Every stored token row."""
    with app.app_context():
        return list(db.session.scalars(sa.select(ApiToken)))


def test_settings_page_creates_a_named_token_shown_once(client, factory, app):
    """The secret appears once on the page; the database keeps only its SHA-256."""
    client.login(factory.user())
    page = client.submit("/settings/tokens", {"name": "translation script"})
    html = page.get_data(as_text=True)
    secret = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)
    [row] = token_rows(app)
    assert row.name == "translation script"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/settings").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_revoked_token_stops_working_at_once(client, factory):
    """Revoking a token on the settings page makes the next API call 401."""
    user = factory.user()
    secret = factory.token(user, "laptop")
    client.login(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    [token_id] = re.findall(r"/settings/tokens/(\d+)/revoke", client.get("/settings").text)
    client.submit(f"/settings/tokens/{token_id}/revoke")
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_nobody_revokes_someone_elses_token(client, factory):
    """Another person's token id reads as absent."""
    owner, other = factory.user(), factory.user()
    secret = factory.token(owner)
    client.login(other)
    [row_id] = [1]
    with client.application.app_context():
        row_id = db.session.scalar(sa.select(ApiToken.id))
    assert client.submit(f"/settings/tokens/{row_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_api_token_endpoint(client, factory):
    """POST /api/v1/auth/token with email and password gives a working token."""
    user = factory.user()
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    secret = response.get_json()["token"]
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me == {"id": user.id, "email": user.email, "name": user.name}


def test_api_token_endpoint_refuses_wrong_credentials(client, factory):
    """Wrong credentials: 401 in the house format, no token made."""
    user = factory.user()
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_unknown_bearer_token_is_401_even_with_a_session(client, factory):
    """A bad token is not rescued by a browser cookie: the token alone decides."""
    client.login(factory.user())
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers=bearer("dft_not-a-token")).status_code == 401
