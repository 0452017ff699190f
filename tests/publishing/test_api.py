"""The API of API.md, *Versions, PDF, endorsements*: statuses, fields, frozen bytes."""

from __future__ import annotations

import pytest

from drafting.documents import service as documents
from drafting.extensions import db
from tests.conftest import bearer
from tests.conftest import fresh

pytestmark = pytest.mark.usefixtures("engine")

VERSION_FIELDS = {"id", "label", "revision", "final", "sha256", "pdf_sha256", "pdf_url"}


def cut(client, headers, document_id, **body):
    return client.post(
        f"/api/v1/documents/{document_id}/versions",
        json={"label": "Round 1", **body},
        headers=headers,
    )


def test_rapporteur_cuts_a_version(client, tokens, make_document):
    """201 with the fields API.md names; sha256 is the text's, pdf_sha256 the PDF's."""
    document = make_document()
    response = cut(client, tokens["rapporteur"], document.id, final=True, note="For Istanbul")
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert body.keys() >= VERSION_FIELDS
    assert body["revision"] == 1 and body["final"] is True
    assert body["sha256"] == documents.storage.sha256_text(document.content)
    pdf = client.get(body["pdf_url"], headers=tokens["viewer"])
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(pdf.data).hexdigest() == body["pdf_sha256"]


@pytest.mark.parametrize(
    ("person", "status"), [("owner", 201), ("editor", 403), ("viewer", 403), ("stranger", 404)]
)
def test_who_may_cut_a_version(client, factory, tokens, make_document, person, status):
    """Rapporteurs and owners; lesser roles 403; people outside the caucus 404."""
    document = make_document()
    headers = tokens.get(person) or bearer(factory.token(factory.user()))
    assert cut(client, headers, document.id).status_code == status


@pytest.mark.parametrize(
    "body",
    [{"label": ""}, {"label": "x" * 121}, {"revision": 0}, {"revision": 5}, {"colour": "red"}],
)
def test_bad_versions_are_422(client, tokens, make_document, body):
    """Invalid fields, an unknown revision or an unknown field: 422 in the house format."""
    document = make_document()
    response = cut(client, tokens["rapporteur"], document.id, **body)
    assert response.status_code == 422, response.text
    assert response.get_json()["error"]["code"] == "invalid"


def test_the_pdf_is_the_same_bytes_after_edits(app, client, team, tokens, make_document):
    """GET /versions/{vid}/pdf gives the same bytes every time, whatever happens later."""
    document = make_document()
    version = cut(client, tokens["rapporteur"], document.id).get_json()
    first = client.get(f"/api/v1/versions/{version['id']}/pdf", headers=tokens["viewer"]).data
    with app.app_context():
        documents.save_content(
            fresh(document), author=fresh(team["editor"]), base_revision=1, content="New text."
        )
        db.session.commit()
    again = client.get(f"/api/v1/versions/{version['id']}", headers=tokens["viewer"]).get_json()
    assert again["sha256"] == version["sha256"]
    assert again["pdf_sha256"] == version["pdf_sha256"]
    assert client.get(f"/api/v1/versions/{version['id']}/pdf", headers=tokens["viewer"]).data == (
        first
    )


def test_other_editions(client, tokens, make_document, engine):
    """Letter paper and the endorsed edition are rendered by the engine; a draft has no
    endorsed edition."""
    document = make_document()
    final = cut(client, tokens["rapporteur"], document.id, final=True).get_json()
    draft = cut(client, tokens["rapporteur"], document.id, label="Draft").get_json()
    letter = client.get(
        f"/api/v1/versions/{final['id']}/pdf?page_size=letter", headers=tokens["viewer"]
    )
    assert letter.status_code == 200 and engine.requests[-1].page_size == "Letter"
    client.post(
        f"/api/v1/versions/{final['id']}/endorsements",
        json={"organization": "Red de Mujeres", "country": "Perú"},
        headers=tokens["viewer"],
    )
    endorsed = client.get(
        f"/api/v1/versions/{final['id']}/pdf?edition=endorsed", headers=tokens["viewer"]
    )
    assert endorsed.status_code == 200
    assert engine.requests[-1].endorsers[0].organization == "Red de Mujeres"
    refused = client.get(
        f"/api/v1/versions/{draft['id']}/pdf?edition=endorsed", headers=tokens["viewer"]
    )
    assert refused.status_code == 409
    assert (
        client.get(
            f"/api/v1/versions/{final['id']}/pdf?edition=x", headers=tokens["viewer"]
        ).status_code
        == 422
    )


def test_draft_pdf_of_a_revision(client, tokens, make_document, engine):
    """Any revision as a PDF marked draft; an unknown revision is 404."""
    document = make_document()
    response = client.get(
        f"/api/v1/documents/{document.id}/pdf?revision=1", headers=tokens["viewer"]
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert engine.requests[-1].status == "draft" and engine.requests[-1].revision == 1
    again = client.get(f"/api/v1/documents/{document.id}/pdf?revision=1", headers=tokens["viewer"])
    assert again.data == response.data and len(engine.requests) == 1  # the engine's cache
    missing = client.get(
        f"/api/v1/documents/{document.id}/pdf?revision=7", headers=tokens["viewer"]
    )
    assert missing.status_code == 404


def test_engine_unavailable_is_503_not_500(client, tokens, make_document, engine):
    """The version is cut without its PDF; asking for the PDF says to try again."""
    engine.broken = True
    document = make_document()
    response = cut(client, tokens["rapporteur"], document.id)
    assert response.status_code == 201 and response.get_json()["pdf_sha256"] is None
    pdf = client.get(response.get_json()["pdf_url"], headers=tokens["viewer"])
    assert pdf.status_code == 503 and pdf.get_json()["error"]["code"] == "pdf_unavailable"
    engine.broken = False
    assert client.get(response.get_json()["pdf_url"], headers=tokens["viewer"]).status_code == 200
    version = client.get(f"/api/v1/versions/{response.get_json()['id']}", headers=tokens["viewer"])
    assert version.get_json()["pdf_sha256"]


def test_lists_page(client, tokens, make_document):
    """Versions newest first, with limit, offset and the next page's URL."""
    document = make_document()
    for label in ("One", "Two", "Three"):
        cut(client, tokens["rapporteur"], document.id, label=label)
    page = client.get(f"/api/v1/documents/{document.id}/versions?limit=2", headers=tokens["viewer"])
    body = page.get_json()
    assert [v["label"] for v in body["items"]] == ["Three", "Two"]
    assert body["total"] == 3 and "offset=2" in body["next"]
    rest = client.get(body["next"], headers=tokens["viewer"]).get_json()
    assert [v["label"] for v in rest["items"]] == ["One"] and rest["next"] is None


def test_publishing_and_endorsing(client, factory, tokens, make_document):
    """PATCH public gives a public URL; endorsements name the text hash; hidden ones vanish."""
    document = make_document()
    version = cut(client, tokens["rapporteur"], document.id, final=True).get_json()
    url = f"/api/v1/versions/{version['id']}"
    assert client.patch(url, json={"public": True}, headers=tokens["editor"]).status_code == 403
    stranger = bearer(factory.token(factory.user()))
    assert client.patch(url, json={"public": True}, headers=stranger).status_code == 404
    published = client.patch(
        url, json={"public": True, "endorsements_open": True}, headers=tokens["rapporteur"]
    ).get_json()
    assert published["public"] and published["endorsements_open"]
    assert "/p/" in published["public_url"]
    assert client.get(published["public_url"]).status_code == 200

    created = client.post(
        f"{url}/endorsements",
        json={"organization": "Sindicato", "country": "Chile"},
        headers=tokens["viewer"],
    )
    assert created.status_code == 201, created.text
    assert created.get_json()["text_sha256"] == version["sha256"]
    assert (
        client.post(
            f"{url}/endorsements", json={"organization": ""}, headers=tokens["viewer"]
        ).status_code
        == 422
    )
    assert (
        client.post(f"{url}/endorsements", json={"organization": "X"}, headers=stranger).status_code
        == 404
    )
    listed = client.get(f"{url}/endorsements", headers=tokens["viewer"]).get_json()
    assert [e["organization"] for e in listed["items"]] == ["Sindicato"]

    endorsement = f"/api/v1/endorsements/{created.get_json()['id']}"
    assert (
        client.patch(endorsement, json={"hidden": True}, headers=tokens["editor"]).status_code
        == 403
    )
    assert (
        client.patch(endorsement, json={"hidden": True}, headers=tokens["rapporteur"]).status_code
        == 200
    )
    assert client.get(f"{url}/endorsements", headers=tokens["viewer"]).get_json()["items"] == []

    unpublished = client.patch(url, json={"public": False}, headers=tokens["rapporteur"])
    assert unpublished.get_json()["public_url"] is None
    assert client.get(published["public_url"]).status_code == 404


def test_a_pdf_still_on_the_queue_is_a_503_to_retry(client, tokens, make_document, monkeypatch):
    """With a PDF queue, the version is cut at once; its PDF comes when the job is done."""
    from drafting.publishing import jobs

    document = make_document()
    monkeypatch.setattr(jobs, "request_pdf", lambda request, person: jobs.PdfJob("pending", "k"))
    created = cut(client, tokens["rapporteur"], document.id).get_json()
    assert created["pdf_sha256"] is None
    pending = client.get(created["pdf_url"], headers=tokens["viewer"])
    assert pending.status_code == 503
    assert pending.get_json()["error"]["code"] == "pdf_pending"

    monkeypatch.setattr(
        jobs, "request_pdf", lambda request, person: jobs.PdfJob("ready", "k", b"%PDF-x")
    )
    assert client.get(created["pdf_url"], headers=tokens["viewer"]).data == b"%PDF-x"
    monkeypatch.setattr(jobs, "request_pdf", lambda request, person: jobs.PdfJob("failed", "k"))
    assert client.get(created["pdf_url"], headers=tokens["viewer"]).data == b"%PDF-x"  # kept
