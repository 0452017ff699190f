"""The history's filters and paging: values past what a column or a date can hold are a 422
with a message, on the page and in the API, never a 500; times without a zone are UTC."""

import pytest

from drafting.documents import service
from drafting.errors import Invalid
from tests.conftest import bearer
from tests.conftest import fresh


@pytest.fixture
def editor_client(client, team):
    """The editor, signed in."""
    client.login(team["editor"])
    return client


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("before=100000000000000000000", "Use a number from 1 to 2147483647."),
        ("before=0", "Use a number from 1 to 2147483647."),
        ("until=9999-12-31", "Choose a date before 9999-12-31."),
    ],
)
def test_the_history_page_refuses_what_no_column_holds(
    editor_client, make_document, query, message
):
    document = make_document()
    response = editor_client.get(f"/documents/{document.id}/history?{query}")
    assert response.status_code == 422
    assert message in response.text


@pytest.mark.parametrize("query", ["since=9999-12-31", "since=0001-01-01", "until=0001-01-01"])
def test_far_days_are_days_like_any_other_on_the_page(editor_client, make_document, query):
    document = make_document()
    assert editor_client.get(f"/documents/{document.id}/history?{query}").status_code == 200


@pytest.fixture
def api(client, factory, team, make_document):
    """GET the document's revisions through the API, with a query string: (status, body)."""
    token = factory.token(team["editor"])
    document = make_document()

    def get(query: str):
        response = client.get(
            f"/api/v1/documents/{document.id}/revisions?{query}", headers=bearer(token)
        )
        return response.status_code, response.get_json()

    return get


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("since=2000-01-01", 1),  # a day without a zone: the start of that day in UTC
        ("until=2000-01-01T00:00:00", 0),
        ("since=0001-01-01", 1),
        ("until=9999-12-31", 1),
        ("since=9999-12-31T23:59:59Z", 0),
        ("until=0001-01-01T00:00:00Z", 0),
    ],
)
def test_api_times_without_a_zone_are_utc(api, query, count):
    status, body = api(query)
    assert status == 200, body
    assert len(body["items"]) == count


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31T23:59:59-05:00", "until"),  # in UTC, the year 10000
        ("since=0001-01-01T00:00:00%2B05:00", "since"),  # in UTC, the year 0
        ("before=100000000000000000000", "before"),
    ],
)
def test_api_times_and_numbers_past_their_range_are_a_422(api, query, field):
    status, body = api(query)
    assert status == 422, body
    assert field in body["error"]["fields"]
    assert body["error"]["message"]


def test_the_service_checks_the_history_query_whoever_calls(ctx, make_document):
    document = fresh(make_document())
    with pytest.raises(Invalid) as raised:
        service.history(document, filters=service.HistoryFilter(author_id=2**31))
    assert raised.value.fields == {"author": "range"}
    with pytest.raises(Invalid):
        service.history(document, filters=service.HistoryFilter(), before=10**20)


def test_a_text_with_a_lone_surrogate_is_not_saved(ctx, team, make_document):
    """The API refuses one in any body; the service refuses one however a text arrives."""
    document = fresh(make_document())
    with pytest.raises(Invalid) as raised:
        service.save_content(
            document, author=fresh(team["editor"]), base_revision=1, content="a\ud800b"
        )
    assert raised.value.fields == {"content": "lone_surrogate"}
    assert document.head_revision == 1
