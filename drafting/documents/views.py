"""Pages: read, edit, import/export, history, compare, restore, authorship."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from drafting.accounts.forms import EmptyForm
from drafting.caucuses.access import member_of
from drafting.caucuses.access import register_target
from drafting.caucuses.models import Role
from drafting.documents import service
from drafting.documents.compare import compare
from drafting.documents.forms import EditForm
from drafting.documents.forms import ImportForm
from drafting.documents.forms import NewDocumentForm
from drafting.documents.forms import SettingsForm
from drafting.documents.models import Document
from drafting.downloads import content_disposition
from drafting.downloads import download_name
from drafting.errors import Invalid
from drafting.extensions import db
from drafting.ids import id_from
from drafting.text.markdown import render

bp = Blueprint("documents", __name__)
register_target("doc_id", lambda doc_id: db.session.get(Document, doc_id))

HISTORY_PAGE_SIZE = 50

# What other features add to the reading and live-editing pages (review adds its comments),
# without this module importing them. Views build the parts before the page renders, so no
# template call does database work of its own.
PagePart = Callable[[Document, object], dict]
PAGE_PARTS: dict[str, list[PagePart]] = {"read": [], "live_edit": []}


def add_page_part(page: str, build: PagePart) -> None:
    """Have `build(document, membership)` add its values to a page's template context."""
    PAGE_PARTS[page].append(build)


def page_parts(page: str, document: Document, membership) -> dict:
    """The values every registered part adds to one page."""
    values: dict = {}
    for build in PAGE_PARTS[page]:
        values |= build(document, membership)
    return values


def rendered(document: Document, text: str):
    """The text as safe HTML with its table of contents."""
    hosts = frozenset(current_app.config["ALLOWED_IMAGE_HOSTS"])
    return render(text, allowed_image_hosts=hosts, numbered=document.numbered_paragraphs)


@bp.route("/caucuses/<int:cid>/documents/new", methods=["GET", "POST"])
@member_of(Role.EDITOR)
def new(cid: int, target, membership):
    """Start a new document in a caucus."""
    form = NewDocumentForm()
    if form.validate_on_submit():
        document = service.create_document(
            target,
            current_user,
            title=form.title.data,
            content=form.content.data or "",
            language=form.language.data,
        )
        return redirect(url_for("documents.read", doc_id=document.id))
    return render_template(
        "documents/new.html", caucus=target, form=form, import_form=ImportForm(formdata=None)
    )


def uploaded_text(form: ImportForm) -> str:
    """The uploaded file as text; only UTF-8 (with or without BOM) is accepted."""
    raw = form.file.data.read(service.MAX_CONTENT_BYTES + 1)
    if len(raw) > service.MAX_CONTENT_BYTES:
        service.check_content("x" * (service.MAX_CONTENT_BYTES + 1))
    try:
        return service.normalize_newlines(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Invalid(_("The file is not UTF-8 text."), fields={"file": "encoding"}) from None


@bp.route("/caucuses/<int:cid>/documents/import", methods=["POST"])
@member_of(Role.EDITOR)
def import_new(cid: int, target, membership):
    """Import a .md or .txt file as a new document."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template(
            "documents/new.html",
            caucus=target,
            form=NewDocumentForm(formdata=None),
            import_form=form,
        ), 422
    filename = form.file.data.filename or "document"
    title = form.title.data or filename.rsplit(".", 1)[0]
    document = service.create_document(
        target, current_user, title=title, content=uploaded_text(form)
    )
    flash(_("Imported “%(name)s”.", name=filename), "success")
    return redirect(url_for("documents.read", doc_id=document.id))


@bp.get("/documents/<int:doc_id>")
@member_of(Role.VIEWER)
def read(doc_id: int, target, membership):
    """The reading page: typeset for long reading, with a table of contents."""
    return render_template(
        "documents/read.html",
        document=target,
        membership=membership,
        page=rendered(target, target.content),
        **page_parts("read", target, membership),
    )


@bp.route("/documents/<int:doc_id>/edit", methods=["GET", "POST"])
@member_of(Role.EDITOR)
def edit(doc_id: int, target, membership):
    """The live editor; `?plain=1` (and every POST) is the plain page: the whole text in a
    text area, a preview, a summary. The plain page is what works without JavaScript."""
    if request.method == "GET" and not request.args.get("plain"):
        return render_template(
            "documents/live_edit.html",
            document=target,
            membership=membership,
            **page_parts("live_edit", target, membership),
        )
    form = EditForm()
    if request.method == "GET":
        form.content.data = target.content
        form.base_revision.data = str(target.head_revision)
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = rendered(target, form.content.data or "")
        else:
            return save_from_form(target, membership, form)
    return render_edit(target, membership, form, preview=preview)


def render_edit(document, membership, form, *, preview=None, conflicts=None, status=200):
    """Render the editing page (with a preview, or the passages in conflict)."""
    return render_template(
        "documents/edit.html",
        document=document,
        membership=membership,
        form=form,
        preview=preview,
        conflicts=conflicts,
        kept=service.kept_text(document, current_user),
        settings_form=SettingsForm(formdata=None, obj=document),
        import_form=ImportForm(formdata=None),
        archive_form=EmptyForm(),
    ), status


def save_from_form(document: Document, membership, form: EditForm):
    """Save the edit form; a conflict re-renders the page with the submitted text intact."""
    try:
        base_revision = int(form.base_revision.data or 0)
    except ValueError:
        base_revision = 0
    try:
        outcome = service.save_content(
            document,
            author=current_user,
            base_revision=base_revision,
            content=service.normalize_newlines(form.content.data or ""),
            summary=form.summary.data or "",
        )
    except service.SaveConflict as conflict:
        flash(conflict.message, "error")
        # Continue from the head with every change of theirs that did not clash already in;
        # the clashing passages are listed with their wording, and the whole text is kept.
        form.content.data = conflict.merged_text
        form.base_revision.data = str(conflict.extra["head_revision"])
        return render_edit(
            document, membership, form, conflicts=conflict.extra.get("conflicts"), status=409
        )
    if not outcome.created:
        flash(_("Nothing changed, so no revision was made."), "info")
    elif outcome.merged:
        flash(
            _(
                "Saved as revision %(n)d, merged with changes others made meanwhile.",
                n=outcome.revision,
            ),
            "success",
        )
    else:
        flash(_("Saved as revision %(n)d.", n=outcome.revision), "success")
    return redirect(url_for("documents.read", doc_id=document.id))


@bp.get("/documents/<int:doc_id>/kept")
@member_of(Role.VIEWER)
def kept(doc_id: int, target, membership):
    """The person's own text that could not be saved, to copy back."""
    kept_text = service.kept_text(target, current_user)
    if kept_text is None:
        flash(_("You have no unsaved text here."), "info")
        return redirect(url_for("documents.read", doc_id=doc_id))
    return render_template("documents/kept.html", document=target, kept=kept_text)


@bp.post("/documents/<int:doc_id>/settings")
@member_of(Role.EDITOR)
def settings(doc_id: int, target, membership):
    """Rename the document, set its language and paragraph numbering."""
    form = SettingsForm()
    if not form.validate_on_submit():
        flash(_("Give the document a title."), "error")
        return redirect(url_for("documents.edit", doc_id=doc_id))
    service.update_document(
        target,
        title=form.title.data,
        language=form.language.data,
        numbered_paragraphs=form.numbered_paragraphs.data,
    )
    flash(_("Document settings saved."), "success")
    return redirect(url_for("documents.read", doc_id=doc_id))


@bp.post("/documents/<int:doc_id>/archive")
@member_of(Role.EDITOR)
def archive(doc_id: int, target, membership):
    """Archive the document (or bring it back): read-only, listed apart."""
    service.update_document(target, archived=not target.archived)
    flash(_("Archived.") if target.archived else _("Restored from the archive."), "success")
    return redirect(url_for("documents.read", doc_id=doc_id))


@bp.post("/documents/<int:doc_id>/import")
@member_of(Role.EDITOR)
def import_revision(doc_id: int, target, membership):
    """Import a file's text as the next revision of this document."""
    form = ImportForm()
    if not form.validate_on_submit():
        flash(" ".join(form.file.errors) or _("Choose a .md or .txt file."), "error")
        return redirect(url_for("documents.edit", doc_id=doc_id))
    outcome = service.save_content(
        target,
        author=current_user,
        base_revision=target.head_revision,
        content=uploaded_text(form),
        summary=form.summary.data or _("Imported %(name)s", name=form.file.data.filename),
    )
    flash(
        _("Imported as revision %(n)d.", n=outcome.revision)
        if outcome.created
        else _("The file is the same as the current text."),
        "success",
    )
    return redirect(url_for("documents.read", doc_id=doc_id))


@bp.get("/documents/<int:doc_id>/export.md")
@member_of(Role.VIEWER)
def export_markdown(doc_id: int, target, membership):
    """Download the current text as Markdown."""
    return Response(
        target.content,
        mimetype="text/markdown",
        headers={"Content-Disposition": content_disposition(download_name(target.title, "md"))},
    )


def parse_day(value: str | None, field: str) -> datetime | None:
    """A YYYY-MM-DD filter value as the start of that day in UTC."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise Invalid(_("Dates are written YYYY-MM-DD."), fields={field: "format"}) from None


def day_after(day: datetime | None, field: str) -> datetime | None:
    """The start of the next day: the page's `until` takes in the whole of its day."""
    if day is None:
        return None
    try:
        return day + timedelta(days=1)
    except OverflowError:  # 9999-12-31 has no day after it
        raise Invalid(
            _("Choose a date before %(day)s.", day=day.date().isoformat()), fields={field: "range"}
        ) from None


def history_filters() -> service.HistoryFilter:
    """The history page's filters from the query string."""
    author = request.args.get("author")
    return service.HistoryFilter(
        author_id=id_from(author),
        since=parse_day(request.args.get("since"), "since"),
        until=day_after(parse_day(request.args.get("until"), "until"), "until"),
    )


@bp.get("/documents/<int:doc_id>/history")
@member_of(Role.VIEWER)
def history(doc_id: int, target, membership):
    """Revisions newest first, with filters and paging."""
    before = request.args.get("before", type=int)
    revisions = service.history(
        target, filters=history_filters(), before=before, limit=HISTORY_PAGE_SIZE + 1
    )
    more = len(revisions) > HISTORY_PAGE_SIZE
    revisions = revisions[:HISTORY_PAGE_SIZE]
    widest = max((r.added + r.removed for r in revisions), default=0) or 1
    return render_template(
        "documents/history.html",
        document=target,
        membership=membership,
        revisions=revisions,
        more=more,
        widest=widest,
        authors=service.history_authors(target),
        restore_form=EmptyForm(),
    )


@bp.get("/documents/<int:doc_id>/revisions/<int:number>")
@member_of(Role.VIEWER)
def revision(doc_id: int, number: int, target, membership):
    """One revision as it read then."""
    record = service.get_revision(target, number)
    text = service.text_of(target, number)
    return render_template(
        "documents/revision.html",
        document=target,
        revision=record,
        page=rendered(target, text),
        membership=membership,
        restore_form=EmptyForm(),
    )


@bp.post("/documents/<int:doc_id>/revisions/<int:number>/restore")
@member_of(Role.EDITOR)
def restore(doc_id: int, number: int, target, membership):
    """Make an old revision's text the new head."""
    outcome = service.restore(target, number, actor=current_user)
    if outcome.created:
        flash(
            _("Revision %(old)d restored as revision %(new)d.", old=number, new=outcome.revision),
            "success",
        )
    else:
        flash(_("The current text is already the same as revision %(n)d.", n=number), "info")
    return redirect(url_for("documents.history", doc_id=doc_id))


@bp.get("/documents/<int:doc_id>/compare")
@member_of(Role.VIEWER)
def compare_page(doc_id: int, target, membership):
    """Compare any two revisions, inline or side by side, with a list of changes."""
    from_number = request.args.get("from", type=int)
    to_number = request.args.get("to", type=int) or target.head_revision
    if from_number is None:
        from_number = max(1, to_number - 1)
    diffs, new_text = service.compare_texts(target, from_number, to_number)
    view = "side" if request.args.get("view") == "side" else "inline"
    return render_template(
        "documents/compare.html",
        document=target,
        comparison=compare(diffs, new_text),
        from_number=from_number,
        to_number=to_number,
        view=view,
        membership=membership,
    )


@bp.get("/documents/<int:doc_id>/authorship")
@member_of(Role.VIEWER)
def authorship(doc_id: int, target, membership):
    """The text coloured by who wrote each passage, with a legend and counts."""
    number = request.args.get("revision", type=int) or target.head_revision
    state = service.authorship_at(target, number)
    text = service.text_of(target, number)
    people = service.people_by_id(state.counts())
    return render_template(
        "documents/authorship.html",
        document=target,
        number=number,
        segments=state.segments(text),
        counts=state.counts(),
        people=people,
        membership=membership,
    )
