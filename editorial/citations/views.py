"""The citation library pages: search, add, import, retract."""
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from editorial.core.bounds import whole_number
from editorial.articles import queries
from editorial.citations import TYPE_LABELS, CitationData, format_ama_html
from editorial.citations.names import parse_name
from editorial.core.errors import DomainError, SourceUnavailable
from editorial.core.forms import apply_form, show_domain_errors
from editorial.citations.forms import CitationForm, ImportForm, LookupForm, RetractForm
from editorial.accounts.permissions import require
from editorial.citations import lookup_service as citation_lookup, service as citation_service
from editorial.core import reading

bp = Blueprint("citations", __name__, url_prefix="/citations")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()[:200]
    page = reading.paginate(citation_service.search_statement(q or None), request.args.get("page", 1, type=whole_number), 25)
    return render_template("citations/index.html", page=page, q=q)


def _names_from(field, what: str) -> list:
    people = []
    for line in (field.data or "").splitlines():
        if line.strip():
            person = parse_name(line)
            if person is None:
                raise DomainError(f"Check the {what}.", fields={field.name: f"Cannot read “{line.strip()[:80]}” as “Family, Given”."})
            people.append(person)
    return people


def _data_from_form(form: CitationForm) -> CitationData:
    return CitationData(
        type=form.type.data, title=(form.title.data or "").strip(), authors=_names_from(form.authors, "authors"),
        editors=_names_from(form.editors, "editors"), edition=(form.edition.data or "").strip(),
        genre=(form.genre.data or "").strip(), report_number=(form.report_number.data or "").strip(),
        published=form.published.data,
        org_author=(form.org_author.data or "").strip(), container_title=(form.container_title.data or "").strip(),
        publisher=(form.publisher.data or "").strip(), year=form.year.data, volume=(form.volume.data or "").strip(),
        issue=(form.issue.data or "").strip(), pages=(form.pages.data or "").strip(), doi=(form.doi.data or "").strip(),
        pmid=(form.pmid.data or "").strip(), url=(form.url.data or "").strip(), accessed=form.accessed.data,
    )


@bp.get("/search.json")
def search_json():
    """The editor's `[@` suggestions through the desk session (the API takes bearer tokens only)."""
    require(current_user, "manage_citations", message="Only writers and editors cite sources.")
    q = request.args.get("q", "").strip()[:200]
    return jsonify(results=citation_service.suggestions(q) if q else [])


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(current_user, "manage_citations", message="Only writers and editors add citations.")
    form = CitationForm()
    if request.method == "GET":  # the hand form after a failed look-up: what is known, filled in
        form.doi.data, form.pmid.data = request.args.get("doi", "")[:300], request.args.get("pmid", "")[:20]
    source = f"lookup:{form.origin.data}" if form.origin.data in ("doi", "pmid") else "manual"
    if form.validate_on_submit():
        done, result = apply_form(form, lambda: citation_service.create_citation(current_user, _data_from_form(form),
                                                                                 source=source))
        if done:
            citation, created = result
            flash(f"Added as [@{citation.key}]." if created else f"This source is already in the library as [@{citation.key}].",
                  "success" if created else "info")
            return redirect(url_for("citations.detail", citation_id=citation.id))
    return render_template("citations/new.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/lookup", methods=["GET", "POST"])
def lookup():
    """Paste a DOI or PMID; the record is fetched and shown in the hand form to confirm (it saves
    through create()); an existing record is reused; a failure offers the hand form pre-filled."""
    require(current_user, "manage_citations", message="Only writers and editors add citations.")
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("citations/lookup.html", form=form), 422 if form.errors else 200
    identifier = None
    try:
        identifier = citation_lookup.identifier_of(form.identifier.data)
        result = citation_lookup.look_up(current_user, form.identifier.data)
    except SourceUnavailable as exc:
        flash(f"{exc.message} Fill in the source by hand: its {identifier.kind.upper()} is filled in.", "warning")
        return redirect(url_for("citations.create", **{identifier.kind: identifier.value}))
    except DomainError as exc:
        show_domain_errors(form, exc)
        return render_template("citations/lookup.html", form=form, hand_form_link=_hand_form_link(identifier)), 422
    if result.existing is not None:
        flash(f"This source is already in the library as [@{result.existing.key}]; use that record.", "info")
        return redirect(url_for("citations.detail", citation_id=result.existing.id))
    confirm = CitationForm(formdata=None, data={**citation_lookup.hand_form_data(result.data), "origin": result.identifier.kind})
    return render_template("citations/lookup_confirm.html", form=confirm, result=result,
                           formatted_html=format_ama_html(result.data))


def _hand_form_link(identifier) -> str | None:
    return url_for("citations.create", **{identifier.kind: identifier.value}) if identifier else None


@bp.route("/import", methods=["GET", "POST"])
def import_file():
    require(current_user, "manage_citations", message="Only writers and editors import citations.")
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        text, filename, source_field = form.text.data or "", None, "text"
        upload = form.file.data
        if upload and upload.filename:
            raw = upload.read(MAX_UPLOAD_BYTES + 1)
            if len(raw) > MAX_UPLOAD_BYTES:
                form.file.errors = ["The file is larger than 2 MB."]
            text, filename, source_field = raw, upload.filename, "file"
        if not form.file.errors and not text:
            form.text.errors = ["Choose a file or paste an export."]
        if not form.file.errors and not form.text.errors:
            _, report = apply_form(form, lambda: citation_service.import_citations(
                current_user, form.format.data or None, text, filename=filename, field=source_field))
    status = 422 if (form.errors or form.form_errors) and report is None else 200
    return render_template("citations/import.html", form=form, report=report), status


@bp.get("/export")
def export():
    """The library, or one article's references (?article_id=), as a download."""
    fmt = request.args.get("format", "csl-json")
    article_id = request.args.get("article_id", type=whole_number)
    name = "citations"
    if article_id:
        from editorial.articles.views import load_article# the article pages' own access check

        article, _ = load_article(article_id)
        citations, name = queries.article_bundle(article).citations, f"article-{article.id}-references"
    else:
        citations = citation_service.library_for_export()
    try:
        text, media_type, extension = citation_service.export_file(fmt, citations)
    except DomainError:
        abort(400)
    return Response(text, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@bp.get("/<int:citation_id>")
def detail(citation_id: int):
    citation = citation_service.get_citation(citation_id)
    return render_template("citations/detail.html", citation=citation, data=citation_service.data_of(citation), type_labels=TYPE_LABELS,
                           form=RetractForm())


@bp.post("/<int:citation_id>/retract")
def retract(citation_id: int):
    require(current_user, "retract_citation", message="Only senior editors mark citations as retracted.")
    citation = citation_service.get_citation(citation_id)
    form = RetractForm()
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: citation_service.retract(
            current_user, citation, note=form.note.data, retracted_on=form.retracted_on.data,
        ))
        if done:
            flash(f"[@{citation.key}] is marked as retracted.", "success")
            return redirect(url_for("citations.detail", citation_id=citation.id))
    if not form.errors and not form.form_errors:
        abort(400)
    return render_template("citations/detail.html", citation=citation, data=citation_service.data_of(citation), form=form,
                           type_labels=TYPE_LABELS), 422
