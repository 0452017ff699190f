"""The rapporteur's decision table: every suggestion and thread with its outcome, as a page,
a CSV file and a PDF page."""

from __future__ import annotations

from flask import Response
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from drafting.caucuses import service as caucuses
from drafting.caucuses.access import member_of
from drafting.caucuses.models import Role
from drafting.documents.models import Document
from drafting.downloads import content_disposition
from drafting.downloads import download_name
from drafting.ids import id_from
from drafting.publishing import printing
from drafting.publishing.pdf import PageRequest
from drafting.publishing.views import pdf_pending
from drafting.review import decisions as table
from drafting.review.blueprint import bp
from drafting.review.cards import STATUS_LABELS

KIND_LABELS = {"suggestion": _l("Suggestion"), "comment": _l("Comment")}
DECISION_STATUSES = ["open", "accepted", "rejected", "withdrawn", "resolved"]
# The table quotes the draft and what members said of it: no shared cache may keep it (only
# HTML pages get no-store by default, drafting/security.py).
NOT_KEPT = {"Cache-Control": "private, no-store"}


def decision_filters() -> dict:
    """The table's filters from the query string, as given (for the export links)."""
    filters = {}
    status = request.args.get("status", "")
    if status in DECISION_STATUSES:
        filters["status"] = status
    person = id_from(request.args.get("person"))
    if person is not None:
        filters["person"] = person
    return filters


def filtered_rows(document: Document) -> list[table.DecisionRow]:
    """The decision table's rows for the filters in the query string."""
    filters = decision_filters()
    rows = table.decision_rows(document, status=filters.get("status"), person=filters.get("person"))
    return rows


def table_labels() -> dict:
    """The translated names the decision table shows for kinds and statuses."""
    return {
        "kind_labels": {key: str(label) for key, label in KIND_LABELS.items()},
        "status_labels": {key: str(label) for key, label in STATUS_LABELS.items()},
    }


@bp.get("/documents/<int:doc_id>/decisions")
@member_of(Role.VIEWER)
def decisions(doc_id: int, target, membership):
    """Every suggestion and thread: who proposed what, the decision, the reason, the revision."""
    filters = decision_filters()
    statuses = [("", _("All"))] + [(key, str(STATUS_LABELS[key])) for key in DECISION_STATUSES]
    return render_template(
        "review/decisions.html",
        document=target,
        membership=membership,
        rows=filtered_rows(target),
        filters=filters,
        status=filters.get("status", ""),
        person=filters.get("person"),
        statuses=statuses,
        people=[m.user for m in caucuses.members_of(target.caucus)],
        **table_labels(),
    )


def decisions_file(document: Document, extension: str) -> str:
    """The file name of the table's export: the title and what it holds."""
    return download_name(_("%(title)s decisions", title=document.title), extension)


@bp.get("/documents/<int:doc_id>/decisions.csv")
@member_of(Role.VIEWER)
def decisions_csv(doc_id: int, target, membership):
    """The decision table as CSV, for a spreadsheet."""
    # A byte-order mark, so that spreadsheets read Arabic and accents as UTF-8.
    body = "\ufeff" + table.csv_of(filtered_rows(target))
    disposition = content_disposition(decisions_file(target, "csv"))
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": disposition, **NOT_KEPT}
    )


def as_of(document: Document, rows: list[table.DecisionRow]):
    """When the table last changed: its page then prints the same bytes, from the cache."""
    times = [document.updated_at] + [row.decided_at or row.created_at for row in rows]
    return max(time for time in times if time is not None)


@bp.get("/documents/<int:doc_id>/decisions.pdf")
@member_of(Role.VIEWER)
def decisions_pdf(doc_id: int, target, membership):
    """The decision table as a PDF page, printed and cached like the other PDFs."""
    rows = filtered_rows(target)
    html = render_template(
        "review/decisions_pdf.html",
        document=target,
        rows=rows,
        as_of=as_of(target, rows),
        **table_labels(),
    )
    title = _("Decisions: %(title)s", title=target.title)
    # Engine failures are domain errors (503, 429, or 413 when too large): the page says so.
    pdf = printing.printed(PageRequest(html, title, str(get_locale() or "en")))
    disposition = content_disposition(decisions_file(target, "pdf"), inline=True)
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition, **NOT_KEPT}
    )


# A PDF still printing: the same page as the publishing ones, reloading until it is ready.
bp.register_error_handler(printing.PdfPending, pdf_pending)
