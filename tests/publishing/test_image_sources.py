"""Images in a paper make readers' browsers fetch only static files: never a route that works.

Twelve images of a document's `decisions.pdf` made every view of the paper print twelve
PDFs. Images naming a route become links (tests/text/test_markdown.py tries the tricks).
"""

from __future__ import annotations

import re

IMG_SOURCE = re.compile(r'<img[^>]*\bsrc="([^"]*)"')


def test_images_of_routes_become_links_on_every_page(client, team, make_document, make_version):
    document = make_document("# Paper\n\nText.\n")
    routes = [
        f"/documents/{document.id}/decisions.pdf",
        f"/static/../documents/{document.id}/decisions.pdf",
        f"/static/%2e%2e/documents/{document.id}/decisions.pdf",
        "decisions.pdf",
    ]
    images = "".join(f"![Decisions {n}]({routes[n % len(routes)]})\n\n" for n in range(12))
    document = make_document(images + "![Logo](/static/favicon.svg)\n")
    version = make_version(document, public=True)
    client.login(team["viewer"])
    for url in (f"/documents/{document.id}", f"/p/{version.slug}", f"/versions/{version.id}"):
        page = client.get(url).text
        in_the_paper = [
            src for src in IMG_SOURCE.findall(page) if "favicon" in src or "decisions" in src
        ]
        assert in_the_paper == ["/static/favicon.svg"], url
        assert page.count('class="remote-image"') == 12, url
