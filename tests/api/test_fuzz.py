"""The API against its own OpenAPI document: Schemathesis in-process, and the document itself.

Schemathesis reads /api/v1/openapi.json from the app (WSGI, no server) and generates requests
for each operation: valid ones and invalid ones, half of them with the ids of a real caucus
and its members so that they get past authorization into the views. Whatever it sends, the
API must not answer 5xx and must answer as the document says. Generation is derandomized, so
CI sees the same requests on every run.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance

from drafting import create_app
from drafting.accounts.models import User
from drafting.caucuses import service as caucuses
from drafting.caucuses.models import Caucus
from drafting.caucuses.models import Role
from drafting.collab import service as collab
from drafting.documents import service as documents
from drafting.extensions import db
from drafting.publishing import endorsements
from drafting.publishing import versions
from tests.conftest import bearer
from tests.conftest import test_config

OPENAPI_PATH = "/api/v1/openapi.json"
MAX_EXAMPLES = 40  # per operation; about 10 s for the whole API on SQLite
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            # The owner's token is sent with every request: generating Authorization headers
            # would mostly test 401s, which tests/test_authorization_matrix.py covers.
            "with-security-parameters": False,
            "database": "none",
        }
    }
)
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same requests on every run: CI is not flaky
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Body fields that name existing things: valid bodies get real values for them, half the time.
REAL_BODY_FIELDS = ("base_revision", "parent_id")
# Statuses that mean the request stopped before the view did anything with it.
STOPPED_BEFORE_THE_VIEW = {401, 403, 404, 405, 429}


def api_document(app) -> dict[str, Any]:
    response = app.test_client().get(OPENAPI_PATH)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def documented_operations() -> list:
    """(method, path) of every operation, read from a fresh app when pytest collects."""
    try:
        document = api_document(create_app(test_config("sqlite://")))
    except Exception as error:  # a failing test below, rather than a collection error for all
        return [pytest.param(None, repr(error), id="no-openapi-document")]
    return [
        pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
        for path, operations in document["paths"].items()
        for method in operations
    ]


@pytest.fixture
def stub_pdf_engine(monkeypatch) -> None:
    """Input handling is what is fuzzed here, not printing: a stand-in engine keeps it fast
    (the engine's own tests print for real)."""
    from drafting.publishing import pdf

    def render(request) -> bytes:
        return b"%PDF-1.7\n%%EOF\n"

    monkeypatch.setattr(pdf, "render_pdf", render)


@pytest.fixture
def caucus_world(factory, stub_pdf_engine) -> dict[str, Any]:
    """A caucus whose owner calls the API, with members, an invitation, a document of two
    revisions and a final version with an endorsement; and a stranger's caucus and document,
    which the owner must not reach."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    editor = factory.member(caucus, Role.EDITOR)
    viewer = factory.member(caucus, Role.VIEWER)
    stranger = factory.user()
    strangers_caucus = factory.caucus(stranger, name="Someone else's caucus")
    with factory.context():
        outcome = caucuses.invite(
            db.session.get(Caucus, caucus.id),
            inviter=db.session.get(User, owner.id),
            email="invitee@example.org",
            role=Role.COMMENTER,
            days=7,
        )
        db.session.commit()
        invitation_id = outcome.invitation.id
        assert caucuses.count_members(db.session.get(Caucus, caucus.id)) == 3
        document = documents.create_document(
            db.session.get(Caucus, caucus.id),
            db.session.get(User, owner.id),
            title="Position on the Global Compact",
            content="We call on states to protect the rights of migrant women.",
        )
        documents.save_content(
            document,
            author=db.session.get(User, editor.id),
            base_revision=1,
            content="We call on all states to protect the rights of migrant women and girls.",
        )
        strangers_document = documents.create_document(
            db.session.get(Caucus, strangers_caucus.id),
            db.session.get(User, stranger.id),
            title="Not yours",
        )
        db.session.commit()
        document_ids = [document.id, strangers_document.id]
        client_id = collab.open_session(document, db.session.get(User, owner.id)).client_id
        db.session.commit()
        version = versions.create_version(
            document, db.session.get(User, owner.id), label="Round 1", final=True
        )
        endorsement = endorsements.endorse_as_member(
            version, db.session.get(User, editor.id), organization="Migrant Voices"
        )
        strangers_version = versions.create_version(
            strangers_document, db.session.get(User, stranger.id), label="Theirs"
        )
        db.session.commit()
        version_ids = [version.id, strangers_version.id]
        endorsement_id = endorsement.id
        comment_ids, suggestion_ids = review_items(document, strangers_document, owner, stranger)
    return {
        "token": factory.token(owner),
        # Real values: every path parameter must be here (a new one fails the test until it
        # is added); query parameters and body fields that name revisions may be.
        "real_values": {
            "cid": [caucus.id, strangers_caucus.id],
            "uid": [editor.id, viewer.id, owner.id, stranger.id],
            "invitation_id": [invitation_id],
            "doc_id": document_ids,
            "number": [1, 2],
            "from": [1, 2],
            "to": [1, 2],
            "revision": [1, 2],
            "base_revision": [1, 2],
            "client_id": [client_id],
            "after": [0, 1],
            "vid": version_ids,
            "eid": [endorsement_id],
            "comment_id": comment_ids,
            "suggestion_id": suggestion_ids,
            "parent_id": comment_ids,
        },
    }


def review_items(document, strangers_document, owner, stranger) -> tuple[list[int], list[int]]:
    """A comment and two suggestions on the owner's document and one of each on the
    stranger's: (comment ids, suggestion ids), committed."""
    from drafting.review import comments
    from drafting.review import suggestions
    from drafting.text.anchors import Anchor

    owner, stranger = db.session.get(User, owner.id), db.session.get(User, stranger.id)
    made = [comments.add_comment(document, owner, "Which states?", anchor=Anchor("all states"))]
    proposed = [
        suggestions.propose(document, owner, Anchor("protect"), "uphold"),
        suggestions.propose(document, owner, Anchor("and girls"), "and children"),
    ]
    comments.add_comment(strangers_document, stranger, "Not yours either")
    made.append(comments.add_comment(strangers_document, stranger, "Nor this"))
    db.session.commit()
    return [c.id for c in made], [s.id for s in proposed]


def case_strategy(operation, real_values: dict[str, list[int]]):
    """Valid and invalid requests; half of them with real values where `real_values` names a
    path or query parameter, or (in valid bodies) a field, so that they get into the views."""
    path_names = [parameter.name for parameter in operation.path_parameters]
    query_names = [parameter.name for parameter in operation.query if parameter.name in real_values]
    unknown = sorted(set(path_names) - real_values.keys())
    if unknown:
        pytest.fail(
            f"{operation.label} has path parameters {unknown} without real values: "
            "add them to caucus_world in tests/api/test_fuzz.py.",
            pytrace=False,
        )

    def real(names) -> st.SearchStrategy[dict[str, int]]:
        return st.fixed_dictionaries({name: st.sampled_from(real_values[name]) for name in names})

    def generated(mode: GenerationMode, chosen: tuple[dict, dict]):
        path_parameters, query = chosen
        return operation.as_strategy(mode, path_parameters=path_parameters, query=query or None)

    def with_real_fields(case, fields: dict[str, int]):
        if isinstance(case.body, dict) and fields.keys() & case.body.keys():
            case.body = {**case.body, **{k: v for k, v in fields.items() if k in case.body}}
        return case

    real_parameters = st.tuples(real(path_names), real(query_names))
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        st.tuples(
            real_parameters.flatmap(lambda chosen: generated(GenerationMode.POSITIVE, chosen)),
            real(name for name in REAL_BODY_FIELDS if name in real_values),
        ).map(lambda pair: with_real_fields(*pair)),
        real_parameters.flatmap(lambda chosen: generated(GenerationMode.NEGATIVE, chosen)),
    )


def without_tuples(node: Any) -> Any:
    """A copy of the document where each `prefixItems` tuple is an array of its item kinds.

    Schemathesis 4.32.5 rewrites an OpenAPI 3.1 `prefixItems` as draft-4 `items: [...]` and
    then refuses its own rewrite when it checks a response ("Invalid Schema Object in response
    definition"; its issues #3842 and #4099 are the same family). The served document is
    right; only the fuzzer's copy is loosened, and only for tuples (the diff's `[op, text]`).
    """
    if isinstance(node, list):
        return [without_tuples(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: without_tuples(value) for key, value in node.items()}
    if isinstance(node.get("prefixItems"), list):
        kinds = node.pop("prefixItems")
        if isinstance(node.get("items"), dict):
            kinds.append(node["items"])
        node["items"] = {"anyOf": kinds}
    return node


@pytest.mark.parametrize(("method", "path"), documented_operations())
def test_no_input_breaks_the_api(app, caucus_world, method, path):
    """No 5xx for any input, responses as documented, and some requests reach the view."""
    if method is None:
        pytest.fail(f"GET {OPENAPI_PATH} failed: {path}", pytrace=False)
    schema = schemathesis.openapi.from_dict(without_tuples(api_document(app)), config=CONFIG)
    schema.app = app  # as schemathesis.openapi.from_wsgi does: requests go to the app in-process
    operation = schema[path][method]
    headers = bearer(caucus_world["token"])
    statuses: Counter[int] = Counter()

    @FUZZ_SETTINGS
    @given(case=case_strategy(operation, caucus_world["real_values"]))
    def call(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    call()
    reached = sum(n for status, n in statuses.items() if status not in STOPPED_BEFORE_THE_VIEW)
    assert reached, f"no request got into {method} {path}; statuses: {dict(statuses)}"


# The OpenAPI document itself.


def rule_to_openapi_path(rule: str) -> str:
    """`/caucuses/<int:cid>` as OpenAPI writes it: `/caucuses/{cid}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_routes(app) -> dict[tuple[str, str], Any]:
    """(METHOD, OpenAPI path) → Access of every /api/v1 route, except the document itself."""
    return {
        (method, rule_to_openapi_path(rule.rule)): getattr(
            app.view_functions[rule.endpoint], "access", None
        )
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != OPENAPI_PATH
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def resolve(document: dict, schema: dict) -> dict:
    """Follow a local `$ref` (the document's own `#/components/...`)."""
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def is_house_error(document: dict, schema: dict) -> bool:
    """True for the house format: {"error": {"code", "message", "fields"?}}."""
    body = resolve(document, schema)
    if "error" not in body.get("properties", {}) or "error" not in body.get("required", []):
        return False
    error = resolve(document, body["properties"]["error"])
    return {"code", "message"} <= set(error.get("properties", {})) and {"code", "message"} <= set(
        error.get("required", [])
    )


def test_openapi_document_lists_every_api_route(app):
    """An OpenAPI 3.1 document with each /api/v1 route and its methods, and nothing else."""
    document = api_document(app)
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    routes = api_routes(app)
    assert sorted(set(routes) - documented) == [], "routes missing from the document"
    assert sorted(documented - set(routes)) == [], "documented operations that are no route"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"


def test_openapi_document_says_who_may_call(app):
    """Bearer tokens by default; 401 wherever one is needed, 403 and 404 for caucus routes."""
    document = api_document(app)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearer": []}]
    for (method, path), access in api_routes(app).items():
        assert access is not None, f"{method} {path} declares no access"
        operation = document["paths"][path][method.lower()]
        label = f"{method} {path} ({access})"
        if access.kind == "public":
            assert operation.get("security") == [], label
            continue
        assert operation.get("security", document["security"]) == [{"bearer": []}], label
        assert "401" in operation["responses"], label
        if access.kind == "member":
            assert {"403", "404"} <= set(operation["responses"]), label


def test_openapi_document_describes_errors_in_the_house_format(app):
    """Every documented 4xx answer is {"error": {"code", "message", "fields"?}}."""
    document = api_document(app)
    errors = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                errors += 1
                schema = response["content"]["application/json"]["schema"]
                assert is_house_error(document, schema), f"{status} of {method.upper()} {path}"
    assert errors


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/api/v1/caucuses/2147483647", {}, 404, "not_found"),
        ("GET", "/api/v1/no-such-thing", {}, 404, "not_found"),
        ("PUT", "/api/v1/me", {}, 405, "method_not_allowed"),
        ("POST", "/api/v1/caucuses", {"data": "{", "content_type": "application/json"}, 400, None),
        ("POST", "/api/v1/caucuses", {"data": "name=x"}, 415, None),
        ("POST", "/api/v1/caucuses", {"json": {"name": ""}}, 422, "invalid"),
        ("POST", "/api/v1/caucuses", {"json": {"name": "a\x00b"}}, 422, "invalid"),
        ("POST", "/api/v1/caucuses", {"json": {"name": "x"}, "no_token": True}, 401, None),
        (
            "POST",
            "/api/v1/caucuses",
            {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
            400,
            None,
        ),
    ],
    ids=[
        "unknown-caucus",
        "unknown-route",
        "wrong-method",
        "malformed-json",
        "not-json",
        "invalid-field",
        "nul-character",
        "no-token",
        "deeply-nested-json",
    ],
)
def test_errors_are_in_the_house_format(client, factory, method, path, kwargs, status, code):
    """Errors from the views, the router and the body parser all read the same way."""
    kwargs = dict(kwargs)
    headers = {} if kwargs.pop("no_token", False) else bearer(factory.token(factory.user()))
    response = client.open(path, method=method, headers=headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["code"], str) and error["code"]
    if code is not None:
        assert error["code"] == code


def test_times_are_iso_8601(client, factory):
    """API.md: times are ISO 8601 in UTC (Flask alone would write HTTP dates)."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    response = client.get(
        f"/api/v1/caucuses/{caucus.id}/members", headers=bearer(factory.token(owner))
    )
    joined_at = response.get_json()["items"][0]["joined_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", joined_at), joined_at
