"""Pages of publishing: versions, PDFs, public pages and endorsements."""

from __future__ import annotations

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
from drafting.caucuses.access import may_publish
from drafting.caucuses.access import member_of
from drafting.caucuses.access import public
from drafting.caucuses.access import register_target
from drafting.caucuses.models import Role
from drafting.documents.views import add_page_part
from drafting.downloads import content_disposition
from drafting.downloads import download_name
from drafting.errors import NotFound
from drafting.extensions import db
from drafting.extensions import limiter
from drafting.ids import id_from
from drafting.links import site_url
from drafting.mail import mail_configured
from drafting.mail import send_mail
from drafting.publishing import endorsements
from drafting.publishing import exports
from drafting.publishing import printing
from drafting.publishing import versions as versioning
from drafting.publishing.forms import EndorseForm
from drafting.publishing.forms import PublicEndorseForm
from drafting.publishing.forms import SharingForm
from drafting.publishing.forms import VersionForm
from drafting.publishing.forms import VisibilityForm
from drafting.publishing.models import Endorsement
from drafting.publishing.models import Version
from drafting.ratelimits import by_address
from drafting.text.markdown import render

bp = Blueprint("publishing", __name__)
register_target("vid", lambda version_id: db.session.get(Version, version_id))
register_target("eid", lambda endorsement_id: db.session.get(Endorsement, endorsement_id))


# The document's reading page lists its versions (templates/publishing/_document_versions.html).
add_page_part("read", lambda document, membership: {"versions": versioning.versions_of(document)})


def endorsement_limits() -> str:
    """How often one address may endorse through public links."""
    return current_app.config["ENDORSEMENT_LIMITS"]


def rendered(version: Version):
    """The version's frozen text as safe HTML with its table of contents."""
    hosts = frozenset(current_app.config["ALLOWED_IMAGE_HOSTS"])
    return render(version.content, allowed_image_hosts=hosts, numbered=version.numbered_paragraphs)


def download(body, mimetype: str, title: str, suffix: str) -> Response:
    """A file to save, named after `title`, never kept by a shared cache (drafts are
    confidential)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(download_name(title, suffix))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(pdf_bytes: bytes, title: str, *, public: bool) -> Response:
    """A PDF shown inline, named after `title`. Public ones may be kept by caches but are
    revalidated on every use (unpublishing must take effect at once); the ETag makes
    revalidation cheap."""
    response = Response(pdf_bytes, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        download_name(title, "pdf"), inline=True
    )
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    response.headers["Cache-Control"] = "public, no-cache"
    response.set_etag(printing.pdf_sha256(pdf_bytes))
    return response.make_conditional(request)


# Versions of a document


@bp.get("/documents/<int:doc_id>/versions")
@member_of(Role.VIEWER)
def versions(doc_id: int, target, membership):
    """A document's versions, with the form to cut one and links to compare them."""
    return render_versions(target, membership, VersionForm(formdata=None))


def render_versions(document, membership, form: VersionForm, status: int = 200):
    """Render the versions page."""
    return render_template(
        "publishing/versions.html",
        document=document,
        membership=membership,
        versions=versioning.versions_of(document),
        form=form,
    ), status


@bp.post("/documents/<int:doc_id>/versions")
@member_of(Role.RAPPORTEUR)
def create_version(doc_id: int, target, membership):
    """Freeze a revision as a labelled version (rapporteurs)."""
    form = VersionForm()
    if not form.validate_on_submit():
        return render_versions(target, membership, form, status=422)
    version = versioning.create_version(
        target,
        current_user,
        label=form.label.data,
        revision=form.revision.data,
        final=form.final.data,
        note=form.note.data or "",
    )
    flash(_("Version “%(label)s” saved.", label=version.label), "success")
    return redirect(url_for("publishing.version", vid=version.id))


PDF_RETRY_SECONDS = 3


@bp.errorhandler(printing.PdfPending)
def pdf_pending(error: printing.PdfPending):
    """A PDF still on the print queue: a page that shows progress and reloads until it is ready.

    Only this blueprint's pages come here; the API answers its house 503 (`pdf_pending`).
    """
    page = render_template(
        "publishing/pdf_pending.html", message=error.message, retry_after=PDF_RETRY_SECONDS
    )
    return page, 202, {"Retry-After": str(PDF_RETRY_SECONDS)}


@bp.get("/documents/<int:doc_id>/draft.pdf")
@member_of(Role.VIEWER)
def draft_pdf(doc_id: int, target, membership):
    """A PDF of any revision (the head by default), marked as a draft."""
    raw = request.args.get("revision", "").strip()
    number = id_from(raw)
    if raw and not (number and number <= target.head_revision):
        # Not a number, or none any column could hold: say so rather than fail.
        raise NotFound(_("There is no revision %(n)s.", n=raw[:20]))
    number = number or target.head_revision
    pdf_bytes = printing.draft_pdf(target, number)
    return pdf_response(pdf_bytes, f"{target.title}-draft-{number}", public=False)


# One version


@bp.get("/versions/<int:vid>")
@member_of(Role.VIEWER)
def version(vid: int, target, membership):
    """A version: its text, hashes, downloads, sharing and endorsements."""
    return render_version(target, membership)


def render_version(version: Version, membership, endorse_form=None, status: int = 200):
    """Render a version's page."""
    if endorse_form is None:
        endorse_form = EndorseForm(
            formdata=None, organization=getattr(membership, "organization", "") or ""
        )
    return render_template(
        "publishing/version.html",
        version=version,
        document=version.document,
        membership=membership,
        page=rendered(version),
        endorsements=endorsements.listed_endorsements(version),
        all_endorsements=endorsements.all_endorsements(version) if may_publish(membership) else [],
        endorse_form=endorse_form,
        sharing_form=SharingForm(formdata=None, obj=version),
        visibility_form=VisibilityForm(formdata=None),
        others=[v for v in versioning.versions_of(version.document) if v.id != version.id],
    ), status


@bp.post("/versions/<int:vid>/sharing")
@member_of(Role.RAPPORTEUR)
def sharing(vid: int, target, membership):
    """Publish or unpublish a version; open or close public endorsements (rapporteurs)."""
    form = SharingForm()
    if form.validate_on_submit():
        versioning.update_sharing(
            target, public=form.public.data, endorsements_open=form.endorsements_open.data
        )
        flash(
            _("The version is public.") if target.public else _("The version is not public."),
            "success",
        )
    return redirect(url_for("publishing.version", vid=vid))


@bp.get("/versions/<int:vid>/pdf")
@member_of(Role.VIEWER)
def version_pdf(vid: int, target, membership):
    """The version's PDF; `?edition=endorsed` lists its endorsers, `?page_size=letter`."""
    pdf_bytes = printing.version_pdf(
        target,
        page_size="Letter" if request.args.get("page_size", "").lower() == "letter" else "A4",
        endorsed=request.args.get("edition") == "endorsed",
    )
    return pdf_response(pdf_bytes, f"{target.title}-{target.label}", public=False)


@bp.get("/versions/<int:vid>/export.md")
@member_of(Role.VIEWER)
def export_markdown(vid: int, target, membership):
    """The version's text as Markdown."""
    return download(target.content, "text/markdown", f"{target.title}-{target.label}", "md")


@bp.get("/versions/<int:vid>/export.html")
@member_of(Role.VIEWER)
def export_html(vid: int, target, membership):
    """The version as one self-contained HTML file (styles inside, content sanitized)."""
    response = download(
        exports.standalone_html(target), "text/html", f"{target.title}-{target.label}", "html"
    )
    # The file carries its own stylesheet; it is a download, and if a browser shows it here
    # anyway, it may use that stylesheet and nothing else.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
    )
    return response


@bp.get("/versions/<int:vid>/export.docx")
@member_of(Role.VIEWER)
def export_docx(vid: int, target, membership):
    """The version as a Word document."""
    return download(
        exports.docx_bytes(target),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{target.title}-{target.label}",
        "docx",
    )


# Endorsements by members, and the rapporteur's list


@bp.post("/versions/<int:vid>/endorsements")
@member_of(Role.VIEWER)
def endorse(vid: int, target, membership):
    """A member signs their organization on to a final version."""
    form = EndorseForm()
    if not form.validate_on_submit():
        return render_version(target, membership, endorse_form=form, status=422)
    endorsements.endorse_as_member(
        target, current_user, organization=form.organization.data, country=form.country.data or ""
    )
    flash(_("%(org)s endorses this version.", org=form.organization.data), "success")
    return redirect(url_for("publishing.version", vid=vid) + "#endorsements")


@bp.post("/endorsements/<int:eid>/visibility")
@member_of(Role.RAPPORTEUR)
def endorsement_visibility(eid: int, target, membership):
    """Hide an endorsement as spam, or show it again (rapporteurs)."""
    form = VisibilityForm()
    if form.validate_on_submit():
        endorsements.set_hidden(target, form.hidden.data == "1")
    return redirect(url_for("publishing.version", vid=target.version_id) + "#manage-endorsements")


@bp.get("/versions/<int:vid>/endorsements.csv")
@member_of(Role.RAPPORTEUR)
def endorsements_csv(vid: int, target, membership):
    """The listed endorsements as a spreadsheet (rapporteurs)."""
    return download(
        exports.endorsements_csv(endorsements.listed_endorsements(target)),
        "text/csv",
        f"{target.title}-{target.label}-endorsements",
        "csv",
    )


# The public page


def public_response(body: str) -> Response:
    """A public page: readable by anyone, revalidated on every visit (unpublishing takes
    effect at once), and a 304 when nothing changed, which slow connections appreciate."""
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/p/<slug>")
@public
def public_page(slug: str):
    """A published version for anyone with the link, and nothing else of its caucus."""
    version = versioning.published_version(slug)
    return render_public(version, PublicEndorseForm(formdata=None))


def render_public(version: Version, form: PublicEndorseForm, status: int = 200):
    """Render the public page (with the endorsement form when endorsements are open)."""
    body = render_template(
        "publishing/public.html",
        version=version,
        page=rendered(version),
        endorsements=endorsements.listed_endorsements(version),
        form=form,
        accepting=version.final and version.endorsements_open,
    )
    if status != 200:
        return body, status
    return public_response(body)


@bp.get("/p/<slug>/pdf")
@public
def public_pdf(slug: str):
    """The published version's PDF; `?edition=endorsed` lists its endorsers."""
    version = versioning.published_version(slug)
    pdf_bytes = printing.version_pdf(version, endorsed=request.args.get("edition") == "endorsed")
    return pdf_response(pdf_bytes, f"{version.title}-{version.label}", public=True)


@bp.post("/p/<slug>/endorse")
@public
@limiter.limit(endorsement_limits, key_func=by_address, scope="endorse-address")
def public_endorse(slug: str):
    """Anyone with the link signs their organization on; confirmed by mail when mail works."""
    version = versioning.published_version(slug)
    form = PublicEndorseForm()
    if not form.validate_on_submit():
        return render_public(version, form, status=422)
    if form.website.data:
        # A bot filled the honeypot: thank it as if it worked and keep nothing.
        flash(_("Thank you. Your endorsement is recorded."), "success")
        return redirect(url_for("publishing.public_page", slug=slug))
    by_mail = mail_configured()
    endorsement = endorsements.endorse_publicly(
        version,
        organization=form.organization.data,
        country=form.country.data or "",
        email=form.email.data,
        confirmed=not by_mail,
    )
    if by_mail and not send_confirmation(version, endorsement):
        # Nothing waits for a link that never left; the form comes back filled in, so the
        # endorser's words are not lost with the mail.
        db.session.rollback()
        flash(_("We could not send the confirmation mail. Try again later."), "error")
        return render_public(version, form, status=503)
    if by_mail:
        flash(_("Check your mail: click the link we sent to confirm the endorsement."), "info")
    else:
        flash(_("Thank you. Your endorsement is recorded."), "success")
    return redirect(url_for("publishing.public_page", slug=slug) + "#endorsements")


def send_confirmation(version: Version, endorsement: Endorsement) -> bool:
    """Mail the signed confirmation link to the endorsement's contact."""
    link = site_url(
        "publishing.confirm", slug=version.slug, token=endorsements.confirmation_token(endorsement)
    )
    body = _(
        "Someone asked to list %(org)s as endorsing “%(title)s”.\n\n"
        "To confirm, open this link:\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing is listed without confirmation.",
        org=endorsement.organization,
        title=version.title,
        link=link,
    )
    return send_mail(endorsement.contact_email, _("Confirm your endorsement"), body)


@bp.route("/p/<slug>/confirm", methods=["GET", "POST"])
@public
def confirm(slug: str):
    """Confirm a public endorsement. The link opens a page with a button: mail scanners that
    follow links must not confirm anything by themselves."""
    version = versioning.published_version(slug)
    token = request.args.get("token", "")
    endorsement = endorsements.pending_endorsement(version, token)
    form = EmptyForm()
    if form.validate_on_submit():
        endorsements.confirm_endorsement(version, token)
        flash(_("Thank you. %(org)s now endorses this text.", org=endorsement.organization))
        return redirect(url_for("publishing.public_page", slug=slug) + "#endorsements")
    return render_template(
        "publishing/confirm.html",
        version=version,
        endorsement=endorsement,
        form=form,
        collecting=endorsements.collecting(version),
    )
