"""The live-editing protocol in process: sessions, syncs, merges, errors."""


def server_text(live_doc) -> str:
    """The live text as GET /documents/{id} returns it."""
    _status, body = live_doc["owner"].get(f"/api/v1/documents/{live_doc['id']}")
    return body["content"]


def test_two_editors_converge(live_doc):
    """Each sees the other's words after syncing twice; the server has both."""
    amina, lucia = live_doc["client_for"](), live_doc["client_for"]()
    amina.edit(amina.text.replace("shall act.", "shall act now."))
    lucia.edit("Preamble. " + lucia.text)
    for _round in range(2):
        amina.sync()
        lucia.sync()
    assert amina.text == lucia.text == server_text(live_doc)
    assert server_text(live_doc) == "Preamble. Member States shall act now.\n"
