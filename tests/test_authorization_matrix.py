"""Every route says who may reach it, and real requests by every kind of person agree.

Each view carries an `Access` (from `public`, `signed_in` or `member_of(role)` in
`drafting.caucuses.access`). The URL map of a freshly built app is read at collection time,
so each (endpoint, method, persona) is its own test; a route without a declaration, or with a
URL argument this module cannot fill, fails with a message that says what to add.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.routing import Rule

from drafting import create_app
from drafting.accounts import service as accounts
from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.access import Access
from drafting.caucuses.access import target_argument
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Invitation
from drafting.caucuses.models import Role
from drafting.collab import service as collab
from drafting.documents import service as documents
from drafting.documents.models import Document
from drafting.extensions import db
from drafting.extensions import utcnow
from tests.conftest import Factory
from tests.conftest import WebClient
from tests.conftest import bearer
from tests.conftest import test_config

UNCHECKED_ENDPOINTS = {"static"}  # files, not views: Flask serves them to anyone
UNCHECKED_METHODS = {"HEAD", "OPTIONS"}  # Werkzeug answers these from GET and the rule itself

MEMBER_ROLES = {
    "viewer": Role.VIEWER,
    "commenter": Role.COMMENTER,
    "editor": Role.EDITOR,
    "rapporteur": Role.RAPPORTEUR,
    "owner": Role.OWNER,
}
PERSONAS = ["anonymous", "non_member", *MEMBER_ROLES, "removed"]


@dataclass
class World:
    """A caucus and the objects a route's URL can name, seen by one persona."""

    caucus_id: int
    target_id: int  # a member who is not the persona, for routes that act on someone
    user: User | None  # the persona; None when anonymous
    token_id: int  # one of the persona's own API tokens
    token_secret: str | None
    invitation_id: int
    invitation_secret: str
    document_id: int
    revision_number: int  # a revision of that document
    client_id: str  # a live-editing session of that document, the persona's own if a member
    version_id: int  # a final, public version of that document, open to endorsements
    version_slug: str  # its public link
    endorsement_id: int  # an endorsement of that version
    comment_id: int  # a comment on that document, the persona's own if they may comment
    suggestion_id: int  # an open suggestion on it, the persona's own if they may suggest


# How to fill each URL argument. A route with an argument missing here fails the matrix:
# add the argument with a *real* object, so that a 404 can only come from authorization.
URL_VALUES: dict[str, Callable[[World], object]] = {
    "cid": lambda world: world.caucus_id,
    "uid": lambda world: world.target_id,
    "token_id": lambda world: world.token_id,
    "invitation_id": lambda world: world.invitation_id,
    "secret": lambda world: world.invitation_secret,
    "code": lambda world: "en",
    "doc_id": lambda world: world.document_id,
    "number": lambda world: world.revision_number,
    "client_id": lambda world: world.client_id,
    "vid": lambda world: world.version_id,
    "slug": lambda world: world.version_slug,
    "eid": lambda world: world.endorsement_id,
    "comment_id": lambda world: world.comment_id,
    "suggestion_id": lambda world: world.suggestion_id,
}


def checked_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(rule, endpoint, method) for every route the matrix covers."""
    return sorted(
        (rule.rule, rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED_ENDPOINTS
        for method in rule.methods - UNCHECKED_METHODS
    )


# The routes as a fresh app has them, read once when pytest collects this module.
ROUTES = checked_routes(create_app(test_config("sqlite://")))


def route_cases() -> list:
    return [
        pytest.param(rule, endpoint, method, persona, id=f"{endpoint}-{method}-{persona}")
        for rule, endpoint, method in ROUTES
        for persona in PERSONAS
    ]


def find_rule(app: Flask, rule_text: str, endpoint: str) -> Rule:
    return next(
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule == rule_text and rule.endpoint == endpoint
    )


def declared_access(app: Flask, endpoint: str, rule_text: str) -> Access:
    """The view's declaration, or a failure that names the route."""
    access = getattr(app.view_functions[endpoint], "access", None)
    if not isinstance(access, Access):
        pytest.fail(
            f"{endpoint} ({rule_text}) declares no access: decorate its view with "
            "`public`, `signed_in` or `member_of(role)` from drafting.caucuses.access.",
            pytrace=False,
        )
    return access


def url_for_rule(rule: Rule, method: str, world: World) -> str:
    """The rule's URL filled with real objects, or a failure naming the unknown argument."""
    unknown = sorted(rule.arguments - URL_VALUES.keys())
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) has URL arguments {unknown} that "
            "tests/test_authorization_matrix.py cannot fill: add them to URL_VALUES "
            "with a real object of the caucus.",
            pytrace=False,
        )
    values = {name: URL_VALUES[name](world) for name in rule.arguments}
    return rule.map.bind("localhost").build(rule.endpoint, values, method=method)


def create_token(factory: Factory, user: User) -> tuple[int, str]:
    """An API token of `user`: its id (for revoke routes) and its secret (for Bearer)."""
    with factory.context():
        token, secret = accounts.create_token(db.session.get(User, user.id), "matrix")
        db.session.commit()
        return token.id, secret


def create_invitation(factory: Factory, caucus: Caucus, email: str) -> tuple[int, str]:
    """A pending invitation for `email`, made directly: the service would add a known
    email as a member at once instead of inviting it."""
    secret = secrets.token_urlsafe(32)
    with factory.context():
        invitation = Invitation(
            caucus_id=caucus.id,
            email=email,
            role=Role.VIEWER,
            token_hash=accounts.sha256_hex(secret),
            expires_at=utcnow() + timedelta(days=7),
        )
        db.session.add(invitation)
        db.session.commit()
        return invitation.id, secret


def create_document(factory: Factory, caucus: Caucus, author: User) -> int:
    with factory.context():
        document = documents.create_document(
            db.session.get(Caucus, caucus.id),
            db.session.get(User, author.id),
            title="Position on the Global Compact",
            content="We call on states to protect the rights of migrant women.",
        )
        db.session.commit()
        return document.id


def open_edit_session(factory: Factory, document_id: int, user: User) -> str:
    with factory.context():
        session = collab.open_session(
            db.session.get(Document, document_id), db.session.get(User, user.id)
        )
        db.session.commit()
        return session.client_id


@pytest.fixture(autouse=True)
def stub_pdf_engine(monkeypatch) -> None:
    """Printing is not what this module tests: a stand-in engine keeps 1,000 requests fast."""
    from drafting.publishing import pdf

    def render(request) -> bytes:
        return b"%PDF-1.7\n%%EOF\n"

    monkeypatch.setattr(pdf, "render_pdf", render)
    monkeypatch.setattr(pdf, "render_html_pdf", lambda html, **options: render(None))


def create_version(factory: Factory, document_id: int, owner: User) -> tuple[int, str, int]:
    """A final version, public and open to endorsements, with one endorsement: (id, slug,
    endorsement id)."""
    from drafting.publishing import endorsements
    from drafting.publishing import versions

    with factory.context():
        version = versions.create_version(
            db.session.get(Document, document_id),
            db.session.get(User, owner.id),
            label="Round 1",
            final=True,
        )
        versions.update_sharing(version, public=True, endorsements_open=True)
        endorsement = endorsements.endorse_as_member(
            version, db.session.get(User, owner.id), organization="Migrant Voices"
        )
        db.session.commit()
        return version.id, version.slug, endorsement.id


def create_review_items(factory: Factory, document_id: int, author: User) -> tuple[int, int]:
    """A comment and an open suggestion by `author` on the document: (comment id, suggestion id).
    Their own, so that editing, deleting or withdrawing them is the persona's right."""
    from drafting.review import comments
    from drafting.review import suggestions
    from drafting.text.anchors import Anchor

    with factory.context():
        document = db.session.get(Document, document_id)
        person = db.session.get(User, author.id)
        comment = comments.add_comment(document, person, "A remark", anchor=Anchor("migrant women"))
        suggestion = suggestions.propose(document, person, Anchor("protect"), "uphold")
        db.session.commit()
        return comment.id, suggestion.id


def remove_member(factory: Factory, caucus: Caucus, user: User) -> None:
    with factory.context():
        caucuses.remove_member(db.session.get(Caucus, caucus.id), user.id)
        db.session.commit()


def build_world(factory: Factory, client: WebClient, persona: str, *, api: bool) -> World:
    """A caucus with an owner and a target member, and the persona signed in as they would be:
    a Bearer token on /api/ paths, a real session cookie on pages."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    target = factory.member(caucus, Role.EDITOR)
    document_id = create_document(factory, caucus, owner)
    version_id, version_slug, endorsement_id = create_version(factory, document_id, owner)
    if persona == "anonymous":
        user = None
    elif persona == "owner":
        user = owner
    elif persona in MEMBER_ROLES:
        user = factory.member(caucus, MEMBER_ROLES[persona])
    elif persona == "removed":
        user = factory.member(caucus, Role.EDITOR)
    else:
        user = factory.user()
    token_id, token_secret = create_token(factory, user or owner)
    may_comment = persona in MEMBER_ROLES and MEMBER_ROLES[persona] >= Role.COMMENTER
    comment_id, suggestion_id = create_review_items(
        factory, document_id, user if may_comment else owner
    )
    if user is not None and not api:
        client.login(user)
    if persona == "removed":
        remove_member(factory, caucus, user)  # after signing in: the open session must not help
    # Addressed to the persona, so that accepting it is theirs to do: a public route must let
    # everyone through, and accepting someone else's invitation is refused for its own reason.
    invitation_id, invitation_secret = create_invitation(
        factory, caucus, user.email if user else "invitee@example.org"
    )
    with factory.context():
        member_ids = {m.user_id for m in caucuses.members_of(db.session.get(Caucus, caucus.id))}
    assert target.id in member_ids, "the target member is missing"
    assert (persona in MEMBER_ROLES) == (user is not None and user.id in member_ids), persona
    return World(
        caucus_id=caucus.id,
        target_id=target.id,
        user=user,
        token_id=token_id,
        token_secret=token_secret if user else None,
        invitation_id=invitation_id,
        invitation_secret=invitation_secret,
        document_id=document_id,
        revision_number=1,
        client_id=open_edit_session(factory, document_id, user or owner),
        version_id=version_id,
        version_slug=version_slug,
        endorsement_id=endorsement_id,
        comment_id=comment_id,
        suggestion_id=suggestion_id,
    )


def send(client: WebClient, method: str, url: str, world: World):
    """The request as the persona's own software makes it, with an empty body.

    The API is called with the persona's Bearer token (which needs no CSRF token); pages with
    the session cookie and, on writes, a valid CSRF token, so that CSRF cannot mask the
    authorization outcome.
    """
    if url.startswith("/api/"):
        headers = bearer(world.token_secret) if world.token_secret else {}
        return client.open(url, method=method, headers=headers)
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": client.csrf()})


def expected_outcome(access: Access, persona: str) -> str:
    """What the declaration promises this persona: through, sign_in, not_found or forbidden."""
    if access.kind == "public":
        return "through"
    if persona == "anonymous":
        return "sign_in"
    if access.kind == "signed_in":
        return "through"
    assert access.kind == "member", f"unknown access kind {access.kind!r}"
    assert access.role is not None, "member_of needs a role"
    if persona not in MEMBER_ROLES:
        return "not_found"  # never 403: ids must not reveal that a caucus exists
    return "through" if MEMBER_ROLES[persona] >= access.role else "forbidden"


def is_sign_in_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and (
        urlsplit(response.headers.get("Location", "")).path == "/login"
    )


def error_code(response) -> str | None:
    body = response.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


def response_text(response) -> str:
    """The body as text; downloads (PDF, DOCX) are binary, so undecodable bytes are replaced."""
    return response.get_data().decode("utf-8", errors="replace")


def describe(response) -> str:
    location = response.headers.get("Location")
    text = response_text(response)[:300]
    return f"{response.status_code} {f'→ {location}' if location else ''} {text}"


@pytest.mark.parametrize(("rule_text", "endpoint", "method", "persona"), route_cases())
def test_access_matches_the_declaration(app, factory, client, rule_text, endpoint, method, persona):
    """The route answers each kind of person as its declaration says."""
    access = declared_access(app, endpoint, rule_text)
    rule = find_rule(app, rule_text, endpoint)
    api = rule_text.startswith("/api/")
    world = build_world(factory, client, persona, api=api)
    url = url_for_rule(rule, method, world)

    response = send(client, method, url, world)

    outcome = expected_outcome(access, persona)
    seen = f"{method} {url} as {persona} ({access}): {describe(response)}"
    assert response.status_code < 500, seen
    assert error_code(response) != "csrf_failed", seen
    assert "Your form expired" not in response_text(response), seen
    if outcome == "through" and access.kind == "public":
        assert response.status_code not in (401, 403), seen
    elif outcome == "through":
        # 400, 409 and 422 are fine: the empty body got past authorization to the view.
        assert response.status_code not in (401, 403, 404), seen
        assert not is_sign_in_redirect(response), seen
    elif outcome == "sign_in" and api:
        assert response.status_code == 401, seen
        assert error_code(response) == "unauthorized", seen
    elif outcome == "sign_in":
        assert is_sign_in_redirect(response), seen
    elif outcome == "not_found":
        assert response.status_code == 404, seen
    else:
        assert response.status_code == 403, seen


def test_every_route_declares_who_may_reach_it(app):
    """A new route without `public`, `signed_in` or `member_of` fails here, by name."""
    undeclared = sorted(
        f"{rule.endpoint} ({rule.rule})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED_ENDPOINTS
        and not isinstance(getattr(app.view_functions[rule.endpoint], "access", None), Access)
    )
    assert not undeclared, "routes without an access declaration: " + ", ".join(undeclared)


def test_every_member_route_names_its_target(app):
    """A route naming two objects (a document and its comment) says which one decides access:
    `member_of(role, via=...)`, never whichever loader happened to be registered first."""
    unclear = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        if not isinstance(access, Access) or access.kind != "member":
            continue
        try:
            target_argument(dict.fromkeys(rule.arguments, 1), view.via)
        except LookupError as error:
            unclear.append(f"{rule.endpoint} ({rule.rule}): {error}")
    assert not unclear, "; ".join(unclear)


def test_every_url_argument_can_be_filled(app):
    """A new kind of URL argument fails here until URL_VALUES knows a real object for it."""
    unknown = sorted(
        f"{rule.endpoint} ({rule.rule}): {sorted(rule.arguments - URL_VALUES.keys())}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED_ENDPOINTS and rule.arguments - URL_VALUES.keys()
    )
    assert not unknown, "add these URL arguments to URL_VALUES: " + "; ".join(unknown)


def test_the_matrix_covers_every_route(app):
    """The routes listed at collection time are exactly the app's routes."""
    assert checked_routes(app) == ROUTES


def test_a_removed_member_loses_access_at_once(app, factory, make_client):
    """An open session and a live token stop working with the very next request."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    member = factory.member(caucus, Role.EDITOR)
    owner_token = factory.token(owner)
    member_token = factory.token(member)
    browser, script = make_client(), make_client()
    browser.login(member)
    page = f"/caucuses/{caucus.id}"
    api = f"/api/v1/caucuses/{caucus.id}"
    assert browser.get(page).status_code == 200
    assert script.get(api, headers=bearer(member_token)).status_code == 200

    removal = make_client().delete(
        f"/api/v1/caucuses/{caucus.id}/members/{member.id}", headers=bearer(owner_token)
    )
    assert removal.status_code == 204, removal.get_data(as_text=True)

    assert browser.get(page).status_code == 404
    assert script.get(api, headers=bearer(member_token)).status_code == 404
    assert browser.get("/caucuses").status_code == 200  # still signed in, just not a member
    assert script.get("/api/v1/me", headers=bearer(member_token)).status_code == 200
