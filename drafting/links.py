"""Absolute links for mail, from the configured BASE_URL.

A request's Host header is whatever its sender wrote; a link built from it would let a
commenter or an anonymous visitor make the server mail a member a link to their own host.
So links that leave the site start with BASE_URL, always, and work outside requests too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def site_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint on this site, as BASE_URL says the site is reached."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
