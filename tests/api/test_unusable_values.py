"""Values no field has a use for never break the API: lone surrogates, NUL, huge numbers and
far dates, in every text field of every body and in every query parameter, answer 4xx with a
message, never 5xx.

Schemathesis (tests/api/test_fuzz.py) generates strings from the schemas, and a lone
surrogate, a date of the year 9999 or a number past 64 bits are values it does not think of.
Here it gives a valid request for each operation (with the ids of a real caucus, so that the
request gets into the view), and each field of the body and each query parameter in turn gets
one of those values instead. A few examples per operation keep it to a few seconds.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET

from drafting import create_app
from tests.api.test_fuzz import CONFIG
from tests.api.test_fuzz import api_document
from tests.api.test_fuzz import caucus_world  # noqa: F401  (a fixture of these tests too)
from tests.api.test_fuzz import resolve
from tests.api.test_fuzz import stub_pdf_engine  # noqa: F401
from tests.api.test_fuzz import without_tuples
from tests.conftest import bearer
from tests.conftest import test_config

EXAMPLES = 2  # valid requests per operation; each field gets each value of its kind
UNUSABLE_TEXT = ("\ud800", "a\udfffb", "\udc00\ud800", "x\x00y")  # each is a 422
HUGE = (10**20, -(10**20), 2**63, 2**31)
FAR_DAYS = ("9999-12-31", "0001-01-01")
FAR_TIMES = ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59Z")
# Values for a field of each kind (a text field also gets numbers as text, and so on).
BODY_VALUES = {
    "string": (*UNUSABLE_TEXT, "9" * 25),
    "date-time": (*FAR_DAYS, *FAR_TIMES, "\ud800"),
    "integer": (*HUGE, "\ud800"),
    "other": ("\ud800", 10**20),
}
# Query strings as they arrive: a lone surrogate can only come as its UTF-8 escapes, which are
# not UTF-8 (Werkzeug keeps them as the escapes' text); a NUL escaped is a 400.
QUERY_VALUES = {
    "string": ("%ED%A0%80", "a%ED%B3%BFb", "%00", "9" * 25),
    "date-time": (*FAR_DAYS, *(quote(moment) for moment in FAR_TIMES), "%ED%A0%80"),
    "integer": (*(str(number) for number in HUGE), "9" * 25, "%00"),
    "other": ("%ED%A0%80", "%00", "100000000000000000000"),
}
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    phases=[Phase.explicit, Phase.generate],  # the failure names its field and value: no shrinking
)


def operations_with_inputs() -> list:
    """(method, path) of every operation that takes a query parameter or a JSON body."""
    try:
        document = api_document(create_app(test_config("sqlite://")))
    except Exception as error:  # a failing test below, rather than a collection error for all
        return [pytest.param(None, repr(error), id="no-openapi-document")]
    return [
        pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if query_names(operation) or body_schema(operation)
    ]


def query_names(operation: dict) -> list[str]:
    """The names of an operation's query parameters."""
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def body_schema(operation: dict) -> dict | None:
    """The schema of an operation's JSON body, if it takes one."""
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def kind_of(document: dict, schema: dict) -> str:
    """A value's kind for choosing what to send: string, date-time, integer or other."""
    schema = resolve(document, schema)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        kind = kind_of(document, alternative)
        if kind != "other":
            return kind
    if schema.get("type") == "string":
        return "date-time" if schema.get("format") in ("date", "date-time") else "string"
    return "integer" if schema.get("type") in ("integer", "number") else "other"


def field_paths(document: dict, schema: dict, prefix: tuple = ()) -> dict[tuple, str]:
    """Where a body has a value of its own (keys, and 0 for the first item of a list), and
    the kind of each."""
    schema = resolve(document, schema)
    found: dict[tuple, str] = {}
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found |= field_paths(document, alternative, prefix)
    for name, field in schema.get("properties", {}).items():
        found |= field_paths(document, field, (*prefix, name))
    if isinstance(schema.get("items"), dict):
        found |= field_paths(document, schema["items"], (*prefix, 0))
    if not found and schema.get("type") not in ("object", "array", "null") and prefix:
        found[prefix] = kind_of(document, schema)
    return found


def with_value(body: Any, path: tuple, value: Any) -> Any:
    """A copy of the body with `value` at `path`, making the objects and lists on the way."""
    root = copy.deepcopy(body) if isinstance(body, dict) else {}
    node = root
    for key, next_key in itertools.pairwise(path):
        kind = list if isinstance(next_key, int) else dict
        if isinstance(key, int):
            if not node or not isinstance(node[0], kind):
                node[:1] = [kind()]
            node = node[0]
        else:
            if not isinstance(node.get(key), kind):
                node[key] = kind()
            node = node[key]
    if isinstance(path[-1], int):
        node[:1] = [value]
    else:
        node[path[-1]] = value
    return root


def valid_requests(operation, real_values: dict[str, list[int]]):
    """Valid requests for the operation, with real ids in its path: the first of each, which
    the caller may reach (the others are a stranger's)."""
    path_parameters = {p.name: real_values[p.name][0] for p in operation.path_parameters}
    return operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters)


def query_string(query: dict | None, name: str, raw_value: str) -> str:
    """The case's query string, with `name` set to a value already as it goes on the wire."""
    others = [
        f"{quote(str(key))}={quote(str(value))}"
        for key, value in (query or {}).items()
        if key != name and not isinstance(value, list | dict)
    ]
    return "&".join([*others, f"{quote(name)}={raw_value}"])


def check_answer(response, label: str, *, unusable_text: bool) -> None:
    """No 5xx; an error in the house format, with a message; unusable text a 422 (unless a
    rate limit stopped the request first)."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{label}: {response.status_code} {body[:500]}"
    if unusable_text:
        assert response.status_code in (422, 429), f"{label}: {response.status_code} {body[:500]}"
    if response.status_code >= 400:
        assert response.get_json()["error"]["message"], label


@pytest.mark.parametrize(("method", "path"), operations_with_inputs())
def test_unusable_values_get_a_4xx(app, client, caucus_world, monkeypatch, method, path):  # noqa: F811
    if method is None:
        pytest.fail(f"the OpenAPI document failed: {path}", pytrace=False)
    monkeypatch.setitem(app.config, "LONG_POLL_SECONDS", 0)  # the long-poll answers at once
    document = api_document(app)
    raw_operation = document["paths"][path][method.lower()]
    schema = schemathesis.openapi.from_dict(without_tuples(document), config=CONFIG)
    operation = schema[path][method]
    parameters = {
        p["name"]: kind_of(document, p["schema"])
        for p in raw_operation.get("parameters", [])
        if p["in"] == "query"
    }
    fields = field_paths(document, body_schema(raw_operation) or {})
    headers = bearer(caucus_world["token"])

    @SETTINGS
    @given(case=valid_requests(operation, caucus_world["real_values"]))
    def call(case):
        body = None if case.body is NOT_SET else case.body
        for name, kind in parameters.items():
            for value in QUERY_VALUES[kind]:
                response = client.open(
                    case.formatted_path,
                    method=method,
                    query_string=query_string(case.query, name, value),
                    headers=headers,
                    json=body,
                )
                check_answer(response, f"{method} {path}?{name}={value}", unusable_text=False)
        for field, kind in fields.items():
            for value in BODY_VALUES[kind]:
                response = client.open(
                    case.formatted_path,
                    method=method,
                    query_string=case.query or None,
                    headers=headers,
                    json=with_value(body, field, value),
                )
                label = f"{method} {path} {field}={value!r}"
                check_answer(response, label, unusable_text=value in UNUSABLE_TEXT)

    call()


@pytest.mark.parametrize("path", ["/api/v1/me", "/login", "/no-such-page"])
def test_a_query_string_that_is_not_utf8_is_a_400(client, factory, path):
    """Browsers escape what they send; raw bytes that are not UTF-8 made every page a 500."""
    raw = b"q=\xed\xa0\x80".decode("latin-1")  # WSGI hands the query string over as Latin-1
    headers = bearer(factory.token(factory.user()))
    response = client.get(path, headers=headers, environ_overrides={"QUERY_STRING": raw})
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


def test_a_lone_surrogate_anywhere_in_a_body_is_named_in_the_422(client, factory):
    """The field it is in, or the name it is in: keys are text too."""
    owner = factory.user()
    caucus = factory.caucus(owner)
    headers = bearer(factory.token(owner))
    url = f"/api/v1/caucuses/{caucus.id}/documents"
    response = client.post(url, json={"title": "T", "content": "a\ud800"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"content": "lone_surrogate"}
    response = client.post(url, json={"title": "T", "\udfff": 1}, headers=headers)
    assert response.get_json()["error"]["fields"] == {"\udfff": "lone_surrogate"}


def test_a_form_cannot_carry_a_lone_surrogate(client, factory):
    """Pages take forms, and Werkzeug never decodes one to a lone surrogate: the escapes of
    its UTF-8 bytes stay text, raw bytes become U+FFFD, so the NUL hook is the forms' one
    check (drafting/security.py)."""
    client.login(factory.user())
    token = client.csrf()
    escaped = client.post(
        "/caucuses",
        data=f"csrf_token={token}&name=%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert escaped.status_code in (200, 302), escaped.text
    boundary = "b0undary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value
        for name, value in (("csrf_token", token.encode()), ("name", b"raw \xed\xa0\x80"))
    ]
    raw = client.post(
        "/caucuses",
        data=b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert raw.status_code in (200, 302), raw.text
