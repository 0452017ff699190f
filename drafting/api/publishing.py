"""API: versions, PDFs and endorsements (API.md, *Versions, PDF, endorsements*)."""

from __future__ import annotations
