"""Request and response schemas of /api/v1, declared once: they validate and they document.

One module per part of the API; `common` holds the frame they share.
"""
