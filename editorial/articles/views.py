"""Article pages: list, create, detail with the review panel, edit, history and diffs."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice
from wtforms.validators import DataRequired

from editorial.core.bounds import whole_number
from editorial.desk import attention
from editorial.articles import diffing, queries
from editorial.reviews import presenters
from editorial.articles.currency_forms import IntervalForm, ScheduleForm
from editorial.articles.readability import assess
from editorial.articles import currency, schedules
from editorial.accounts.access import load_access
from editorial.reviews.annotations import mark_comments
from editorial.core.errors import DomainError, StaleVersion, ValidationError
from editorial.core.extensions import db
from editorial.core.forms import show_domain_errors
from editorial.articles.forms import (
    AssignForm,
    CommentForm,
    EditArticleForm,
    NewArticleForm,
    RespondForm,
    RestoreForm,
    TransitionForm,
    WaiveForm,
    WordRevisionForm,
)
from editorial.reviews.models import Comment, Signature
from editorial.articles.models import Revision
from editorial.accounts.models import User
from editorial.accounts.permissions import can, require
from editorial.core.wording import count_of
from editorial.articles.rendering import render_body
from editorial.accounts.roles import Role
from editorial.articles import editing, history as article_history, references, transitions
from editorial.reviews import service as review_service
from editorial.articles import word_drafts
from editorial.core.unit_of_work import refused
from editorial.articles.workflow import TRANSITIONS, Action, Decision, State, available_actions
from editorial.accounts import queries as user_queries
from editorial.core import reading
from editorial.citations import queries as citation_queries

bp = Blueprint("articles", __name__, url_prefix="/articles")


@bp.before_request
@login_required
def _signed_in():
    pass


def load_article(article_id: int, *, for_update: bool = False, for_edit: bool = False):
    """The article and its access facts, or 404/403: every article page goes through here."""
    article = article_history.get_article(article_id, for_update=for_update, for_edit=for_edit)
    access = load_access(article)
    if not can(current_user, "view_article", access):
        abort(403, _outsider_message(article))
    return article, access


def _outsider_message(article) -> str:
    if article.live_revision_id is not None:
        return "You are not working on this article: its live page is public, its working draft is not."
    return "You cannot see this article."


def _done(article, message: str):
    flash(message, "success")
    return redirect(url_for("articles.detail", article_id=article.id))


def show_refusal(article, exc: DomainError):
    """Show the article again with the reason, under the refusal's own 4xx status."""
    article_id = article.id
    refused(exc)
    flash(exc.message + "".join(f" {m}" for f, m in exc.fields.items() if f != "reasons"), "error")
    return detail(article_id), exc.status


def perform(article_id: int, work, message, *, confirm=None):
    """The shape of every small action on an article: load it locked, do one service call,
    then say so, or show the refusal under its 4xx status. `message` may be a
    callable of the article, for messages that describe the new state. `confirm`, for a
    consequential action, is (its consequence as a callable of the article and its access, the
    URL of its confirmation page): unless the form confirmed exactly that consequence, nothing
    is done and the person is sent to the page that states it."""
    article, access = load_article(article_id, for_update=True)
    try:
        if confirm is not None:
            consequence, confirmation_url = confirm[0](article, access), confirm[1]
            if consequence.at_stake and not consequence.confirmed_by(request.form.get("confirmed")):
                if request.form.get("confirmed"):
                    flash("What this does has changed since you looked: read it again.", "error")
                return redirect(confirmation_url, 303)
        work(article, access)
    except DomainError as exc:
        return show_refusal(article, exc)
    return _done(article, message(article) if callable(message) else message)


def _confirmation(article, consequence, action_url: str, fields: dict, *, button: str, note=None, danger=True):
    return render_template("confirm.html", consequence=consequence, action_url=action_url, fields=fields,
                           button=button, note=note, danger=danger,
                           cancel_url=url_for("articles.detail", article_id=article.id))


@bp.get("/")
def index():
    state = request.args.get("state") or None
    if state and state not in set(State):
        abort(404)
    q = request.args.get("q", "").strip()[:200]
    mine = request.args.get("mine") == "1"
    live = request.args.get("live") == "1"
    page = reading.paginate(
        queries.articles_statement(current_user, state=state, q=q or None, author=current_user if mine else None,
                                   live=live),
        request.args.get("page", 1, type=whole_number), 25,
    )
    assignments = queries.assignments_by_article([a.id for a in page.items])
    return render_template("articles/index.html", page=page, assignments=assignments, state=state, q=q, mine=mine,
                           live=live, states=list(State))


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(current_user, "create_article", message="Only writers and editors start articles.")
    form = NewArticleForm()
    upload = form.word_file.data if form.is_submitted() else None
    if upload and upload.filename:
        # The Word file's first heading (or its name) is the title when none is typed.
        form.title.validators = [v for v in form.title.validators if not isinstance(v, DataRequired)]
    if form.validate_on_submit():
        try:
            if upload and upload.filename:
                raw, filename = word_drafts.read_upload(upload)
                article, draft = word_drafts.start_from_word(current_user, raw, filename, title=form.title.data or "",
                                                             summary=form.summary.data or "", topic=form.topic.data or "")
            else:
                article, draft = editing.create_article(
                    current_user, title=form.title.data, body=form.body.data or "", summary=form.summary.data or "",
                    topic=form.topic.data or "",
                ), None
        except DomainError as exc:
            refused(exc)
            show_domain_errors(form, exc)
        else:
            return _done(article, f"Draft created from {filename}. {draft.report}".strip() if draft else "Draft created.")
    return render_template("articles/new.html", form=form), 422 if form.errors or form.form_errors else 200


def _schedule_form(article):
    """The schedule form offering only the actions that make sense now; None when there are none."""
    actions = schedules.actions_for(article)
    if not actions:
        return None
    form = ScheduleForm()
    form.action.choices = [SelectChoice(action, schedules.LABELS[action]) for action in actions]
    zone = current_user.time_zone or "UTC"
    form.run_at.label.text = f"When (your time, {zone})"
    form.run_at.description = (f"Type the date and time in {zone}, your time zone (set it on your account page); "
                               "it is stored in UTC.")
    return form


def _reviewer_choices(article, access):
    """Reviewers an editor may assign, with specialty and open workload, in one pass."""
    reviewers = db.session.scalars(user_queries.users_statement(Role.REVIEWER).where(User.is_active_account.is_(True))).all()
    workload = review_service.open_workload([r.id for r in reviewers])
    choices = []
    for reviewer in reviewers:
        if review_service.reviewer_problem(reviewer, article, access.revision_author_ids):
            continue
        if access.assignment_of(reviewer) is not None and access.assignment_of(reviewer).declined_at is None:
            continue
        label = f"{reviewer.name}, {reviewer.credentials or 'no credentials on file'} — {reviewer.specialty or 'specialty not set'}"
        choices.append(SelectChoice(reviewer.id, f"{label} ({count_of(workload.get(reviewer.id, 0), 'open review')})"))
    return choices


@bp.get("/<int:article_id>")
def detail(article_id: int):
    article = article_history.get_article(article_id)
    if article.live_revision_id is not None and not can(current_user, "view_article", load_access(article)):
        return redirect(url_for("public.article", slug=article.slug))  # the live page, as readers see it
    article, access = load_article(article_id)
    bundle = queries.article_bundle(article)
    numbers = {c.key: i for i, c in enumerate(bundle.citations, start=1)}
    rendered = render_body(bundle.current.body, numbers)
    comments = db.session.scalars(
        select(Comment).options(joinedload(Comment.author)).where(Comment.article_id == article.id).order_by(Comment.id)
    ).all()
    passages = mark_comments(rendered.html, comments)
    signatures = db.session.scalars(
        select(Signature).where(Signature.article_id == article.id).order_by(Signature.id)
    ).all()
    my_assignment = access.assignment_of(current_user)
    since_review = _since_review(article, my_assignment, bundle.current)
    assign_form = AssignForm()
    if can(current_user, "assign_reviewers", access):
        assign_form.user_id.choices = [SelectChoice(0, "Choose a reviewer…"), *_reviewer_choices(article, access)]
    cq = request.args.get("cq", "").strip()[:200]
    citation_results = []
    if cq and can(current_user, "edit_article", access):
        citation_results = citation_queries.search_citations(cq)
    actions = [a for a in available_actions(article.state) if can(current_user, TRANSITIONS[a].permission, access)]
    review_actions = [a for a in actions if a in REVIEWER_ACTIONS] if my_assignment else []
    my_signature = None
    if my_assignment and my_assignment.review_status(article.version) == "signed":
        my_signature = next((s for s in reversed(signatures)
                             if s.signer_id == current_user.id and s.revision_number == article.version), None)
    currency_panel = None
    if can(current_user, "manage_currency"):
        currency_panel = {
            "schedules": schedules.pending_for(article), "schedule_form": _schedule_form(article),
            "interval_form": IntervalForm(data={"review_interval_months": article.review_interval_months}),
            "interval": transitions.review_interval_months(article), "pemat": currency.latest_pemat(article),
            "feedback": attention.feedback_by_revision(article),
        }
    return render_template(
        "articles/detail.html", article=article, access=access, bundle=bundle, rendered=rendered,
        comments=comments, signatures=signatures, my_assignment=my_assignment, since_review=since_review,
        actions=[a for a in actions if a not in review_actions], review_actions=review_actions,
        my_signature=my_signature, after_signing=presenters.after_signing(article, bundle.assignments), Action=Action, State=State, assign_form=assign_form, respond_form=RespondForm(),
        waive_form=WaiveForm(), comment_form=CommentForm(), transition_form=TransitionForm(),
        citation_results=citation_results, cq=cq, currency_panel=currency_panel,
        citation_warnings=references.citation_warnings(article) if can(current_user, "edit_article", access) else [],
        readability=assess(bundle.current.body) if can(current_user, "edit_article", access) or my_assignment or can(current_user, "manage_currency") else None,
        scheduled=schedules.pending_for(article) if currency_panel is None else currency_panel["schedules"],
        passages=passages,
    )


# The reviewer's own decisions, shown in their "Your review" section rather than in Next steps.
REVIEWER_ACTIONS = (Action.APPROVE, Action.REQUEST_CHANGES)


def _since_review(article, assignment, current):
    """What changed since this reviewer last decided (signed or asked for changes), or None."""
    number = assignment.revision_to_compare(article.version) if assignment else None
    if number is None:
        return None
    old = article_history.get_revision(article, number)
    return {"number": number, "signed": assignment.decision == Decision.APPROVED,
            "parts": [part for part in diffing.revision_diff(old, current) if part[2]],
            "references": article_history.reference_changes(old, current)}


@bp.get("/<int:article_id>/since-my-review")
def since_my_review(article_id: int):
    """The link in a review request: the reader's own diff, from the revision they last decided on
    to the current one, worked out when they follow it (the article may have moved on again)."""
    article, access = load_article(article_id)
    assignment = access.assignment_of(current_user)
    number = assignment.revision_to_compare(article.version) if assignment else None
    if number is None:
        return redirect(url_for("articles.detail", article_id=article.id))
    return redirect(url_for("articles.diff", article_id=article.id, **{"from": number, "to": article.version}))


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
def edit(article_id: int):
    """The text and its ordered references, saved together as one revision. The reference
    buttons (up, down, remove, search, add) re-render the form with the typed text and the
    rearranged list, saving nothing, so the page works without JavaScript."""
    article, access = load_article(article_id, for_edit=request.method == "POST")
    require(current_user, "edit_article", access, message="Only the author or an editor can change this article.")
    current = article_history.current_revision(article)
    ids = article_history.citation_ids_of(current)
    added = request.args.get("add", type=whole_number)  # the article page's "Attach" opens the form with it added
    form = EditArticleForm(data=None if request.method == "POST" else {
        "title": current.title, "summary": current.summary, "body": current.body, "topic": current.topic,
        "base_version": article.version, "citation_ids": ids + ([added] if added and added not in ids else []),
    })
    if request.method == "POST" and not form.references_in_form.data:
        form.citation_ids.data = ids  # a form without the list leaves the references as they are
    cq = request.values.get("cq", "").strip()[:200]
    refs_action = request.form.get("refs_action", "")
    if refs_action == "enter":  # Enter in a field: search when the search box has text, else save
        refs_action = "search" if cq else ""
    conflict = consequence = None
    if refs_action and request.method == "POST":
        if refs_action.startswith("add:"):
            cq = ""
        form.citation_ids.data = _rearranged(form.citation_ids.data or [], refs_action)
        form.citation_ids.errors = []
    elif form.validate_on_submit():
        try:
            # Saving signed text voids its signatures: the form comes back with what was typed and
            # the consequence named, and saves only when sent with exactly that consequence confirmed.
            consequence = references.edit_consequence(current_user, article)
            if consequence.at_stake and not consequence.confirmed_by(request.form.get("confirmed")):
                if request.form.get("confirmed"):
                    flash("What this does has changed since you looked: read it again.", "error")
                return _edit_page(article, form, cq=cq, consequence=consequence)
            editing.save_revision(
                current_user, article, base_version=form.base_version.data, title=form.title.data,
                summary=form.summary.data or "", body=form.body.data or "", topic=form.topic.data or "",
                note=form.note.data, citation_ids=form.citation_ids.data,
            )
        except StaleVersion as exc:
            refused(exc)
            base = article_history.get_revision(article, form.base_version.data) if 0 < form.base_version.data <= article.version else None
            conflict = {
                "message": exc.message, "current_version": exc.current_version,
                "html": diffing.word_diff_html(article_history.revision_text(base), article_history.revision_text(current)) if base else None,
            }
            form.base_version.data = article.version  # saving again overwrites knowingly
            form.base_version.raw_data = None
            consequence = None  # the save it named is not the one on offer now
        except DomainError as exc:
            refused(exc)
            show_domain_errors(form, exc)
            # Confirmed but refused (a change note missing): the next save still voids the same
            # signatures, so the form keeps the consequence and its button.
        else:
            return _done(article, f"Saved as version {article.version}.")
    status = 409 if conflict else 422 if form.errors or form.form_errors else 200
    return _edit_page(article, form, conflict=conflict, cq=cq, status=status,
                      consequence=consequence if consequence is not None and consequence.at_stake else None)


def _edit_page(article, form, *, conflict=None, cq: str = "", word_form=None, status: int = 200, consequence=None):
    """The edit page: the form with its ordered references (and library matches for `cq`), and the
    Word form that replaces the text. With `consequence`, the save waiting on its confirmation."""
    form.references_in_form.data = "1"  # this page sends its reference list
    by_id = citation_queries.citations_by_id(form.citation_ids.data or [])
    references = [by_id[i] for i in form.citation_ids.data or [] if i in by_id]
    results = [c for c in citation_queries.search_citations(cq) if c.id not in by_id] if cq else []
    word_form = word_form or WordRevisionForm(formdata=None, data={"base_version": article.version})
    # What the form started from, for the editor's "unsaved changes" (static/js/editor.js): the
    # revision it edits, not the re-rendered fields (a reference button re-renders the typed text).
    base = form.base_version.data
    saved = (article_history.get_revision(article, base) if isinstance(base, int) and 0 < base < article.version
             else None) or article_history.current_revision(article)  # the current one is read already
    saved_state = {"title": saved.title, "summary": saved.summary or "", "topic": saved.topic or "", "body": saved.body or "",
                   "citation_ids": article_history.citation_ids_of(saved)}
    return render_template("articles/edit.html", article=article, form=form, conflict=conflict, references=references,
                           cq=cq, citation_results=results, word_form=word_form, saved_state=saved_state,
                           consequence=consequence,
                           editable=article.state != State.IN_REVIEW), status


@bp.post("/<int:article_id>/word")
def import_word(article_id: int):
    """Replace the text from a Word file: one new revision, like an edit; a bad file changes nothing."""
    article, access = load_article(article_id, for_edit=True)
    require(current_user, "edit_article", access, message="Only the author or an editor can change this article.")
    word_form = WordRevisionForm()
    upload = word_form.word_file.data
    if word_form.validate_on_submit():
        if not (upload and upload.filename):
            word_form.word_file.errors = ["Choose a Word file (.docx)."]
        else:
            raw, filename = word_drafts.read_upload(upload)
            try:
                _, draft = word_drafts.replace_text_from_word(current_user, article, raw, filename,
                                                              base_version=word_form.base_version.data, note=word_form.note.data)
            except DomainError as exc:
                refused(exc)
                show_domain_errors(word_form, exc)
            else:
                return _done(article, f"Saved as version {article.version}: the text now comes from {filename}. "
                                      f"{draft.report}".strip())
    current = article_history.current_revision(article)
    form = EditArticleForm(formdata=None, data={"title": current.title, "summary": current.summary, "body": current.body,
                                                "topic": current.topic, "base_version": article.version,
                                                "citation_ids": article_history.citation_ids_of(current)})
    return _edit_page(article, form, word_form=word_form, status=422)


@bp.post("/<int:article_id>/preview")
def preview(article_id: int):
    """The editor's live preview (static/js/editor.js): JSON {body, citation_ids} in, the
    sanitised HTML the reader's page would show, the unknown keys, word count and grade out."""
    article, _ = load_article(article_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = {}  # refused by the service, after its permission check, as a preview without a body
    try:
        shown = editing.preview(current_user, article, body=payload.get("body"),
                                        citation_ids=payload.get("citation_ids"))
    except DomainError as exc:
        refused(exc)
        return jsonify(message=exc.message, fields=exc.fields), exc.status
    return jsonify(html=shown.html, unknown_keys=shown.unknown_keys, word_count=shown.word_count,
                   grade=shown.grade, reading_minutes=shown.reading_minutes)


def _rearranged(ids: list[int], refs_action: str) -> list[int]:
    """The reference list after one of the edit form's buttons: "up:<id>", "down:<id>",
    "remove:<id>" or "add:<id>"; anything else (a search) leaves it as it is."""
    verb, _, raw = refs_action.partition(":")
    try:
        citation_id = whole_number(raw)
    except ValueError:
        citation_id = None
    ids = list(ids)
    if citation_id is None:
        return ids
    if verb == "add" and citation_id not in ids:
        return [*ids, citation_id]
    if citation_id not in ids:
        return ids
    index = ids.index(citation_id)
    if verb == "remove":
        return [i for i in ids if i != citation_id]
    target = index + (-1 if verb == "up" else 1 if verb == "down" else 0)
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids


@bp.post("/<int:article_id>/transition")
def transition(article_id: int):
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400, "The form was incomplete.")
    return perform(
        article_id,
        lambda article, _: transitions.transition(
            current_user, article, form.action.data, comment=form.comment.data, password=form.password.data,
            revision=form.revision.data, content_hash=form.content_hash.data or None,
            conflict_of_interest=form.conflict_of_interest.data or None),
        lambda article: presenters.outcome(form.action.data, article, queries.assignments_by_article([article.id])[article.id])
        + "".join(f" Note: {w}" for w in (references.citation_warnings(article) if form.action.data == "submit" else [])),
        confirm=_transition_confirmation(article_id, form),
    )


def _transition_confirmation(article_id: int, form):
    """perform()'s `confirm` for publishing and unpublishing (None for the other actions); the
    note typed beside the button is carried to the confirmation page."""
    if form.action.data not in transitions.CONFIRMED_ACTIONS:
        return None
    return (lambda article, _: transitions.transition_consequence(current_user, article, form.action.data),
            url_for("articles.confirm_transition", article_id=article_id, action=form.action.data,
                    comment=form.comment.data or None))


@bp.get("/<int:article_id>/transition")
def confirm_transition(article_id: int):
    """The second look before publishing or unpublishing, with the form that does it."""
    article, _ = load_article(article_id)
    action = request.args.get("action", "")
    if action not in transitions.CONFIRMED_ACTIONS:
        abort(400, "Only publishing and unpublishing are confirmed here.")
    try:
        consequence = transitions.transition_consequence(current_user, article, action)
    except DomainError as exc:
        return show_refusal(article, exc)
    unpublish = action == Action.UNPUBLISH
    return _confirmation(article, consequence, url_for("articles.transition", article_id=article.id), {"action": action},
                         button=Action(action).label, danger=unpublish,
                         note=request.args.get("comment", "")[:editing.MAX_NOTE] if unpublish else None)


@bp.post("/<int:article_id>/reviewers")
def assign(article_id: int):
    article, access = load_article(article_id, for_update=True)
    require(current_user, "assign_reviewers", access, message="Only senior editors assign reviewers.")
    form = AssignForm()
    chosen = request.form.get("user_id", type=whole_number)
    form.user_id.choices = [SelectChoice(chosen, "")] if chosen else []
    if not form.validate_on_submit():
        message = "Choose a reviewer" + (" and a valid due date." if form.due_date.errors else ".")
        return show_refusal(article, ValidationError(message))
    try:
        review_service.assign_reviewer(current_user, article, form.user_id.data, form.due_date.data)
    except DomainError as exc:
        return show_refusal(article, exc)
    return _done(article, "Reviewer assigned.")


@bp.post("/<int:article_id>/reviewers/<int:user_id>/remove")
def remove_reviewer(article_id: int, user_id: int):
    return perform(article_id, lambda article, _: review_service.remove_assignment(current_user, article, user_id),
                   "Reviewer removed.")


@bp.post("/<int:article_id>/reviewers/<int:user_id>/waive")
def waive(article_id: int, user_id: int):
    form = WaiveForm()
    return perform(article_id, lambda article, _: review_service.waive_conflict(current_user, article, user_id, form.reason.data),
                   "Conflict of interest waived; the reviewer can sign.")


@bp.post("/<int:article_id>/respond")
def respond(article_id: int):
    article, access = load_article(article_id, for_update=True)
    require(current_user, "respond_to_assignment", access, message="You are not assigned to review this article.")
    form = RespondForm()
    if not form.validate_on_submit():
        return show_refusal(article, ValidationError("Choose accept or decline."))
    try:
        review_service.respond(current_user, article, accepted=form.accepted.data == "yes", reason=form.reason.data,
                               conflict_of_interest=form.conflict_of_interest.data)
    except DomainError as exc:
        return show_refusal(article, exc)
    return _done(article, "Thank you: your answer is recorded.")


@bp.post("/<int:article_id>/comments")
def comment(article_id: int):
    form = CommentForm()
    return perform(article_id, lambda article, _: review_service.add_comment(
        current_user, article, form.body.data, form.quote.data, form.quote_prefix.data, form.quote_suffix.data),
        "Comment added.")


@bp.post("/<int:article_id>/comments/<int:comment_id>/resolve")
def resolve_comment(article_id: int, comment_id: int):
    return perform(article_id, lambda article, _: review_service.resolve_comment(current_user, article, comment_id),
                   "Comment resolved.")


@bp.post("/<int:article_id>/citations")
def attach_citation(article_id: int):
    return perform(article_id, lambda article, _: references.attach_citation(
        current_user, article, request.form.get("citation_id", type=whole_number), base_version=request.form.get("base_version", type=whole_number)),
        "Reference attached (a new revision).")


@bp.post("/<int:article_id>/citations/<int:citation_id>/detach")
def detach_citation(article_id: int, citation_id: int):
    base_version = request.form.get("base_version", type=whole_number)
    return perform(article_id, lambda article, _: references.detach_citation(
        current_user, article, citation_id, base_version=base_version),
        "Reference detached (a new revision).",
        confirm=(lambda article, _: references.reference_change_consequence(current_user, article, citation_id),
                 url_for("articles.confirm_detach", article_id=article_id, citation_id=citation_id, base_version=base_version)))


@bp.post("/<int:article_id>/citations/<int:citation_id>/move")
def move_citation(article_id: int, citation_id: int):
    direction = "up" if request.form.get("direction") == "up" else "down"
    offset = -1 if direction == "up" else 1
    base_version = request.form.get("base_version", type=whole_number)
    return perform(article_id, lambda article, _: references.move_citation(
        current_user, article, citation_id, offset, base_version=base_version),
        "Reference moved (a new revision).",
        confirm=(lambda article, _: references.reference_change_consequence(current_user, article, citation_id, offset),
                 url_for("articles.confirm_move", article_id=article_id, citation_id=citation_id, direction=direction,
                         base_version=base_version)))


@bp.get("/<int:article_id>/citations/<int:citation_id>/detach")
def confirm_detach(article_id: int, citation_id: int):
    return _confirm_reference_change(article_id, citation_id, None)


@bp.get("/<int:article_id>/citations/<int:citation_id>/move")
def confirm_move(article_id: int, citation_id: int):
    return _confirm_reference_change(article_id, citation_id, request.args.get("direction", ""))


def _confirm_reference_change(article_id: int, citation_id: int, direction: str | None):
    """What detaching or moving a reference does (the signatures it voids), with the form that does it."""
    article, _ = load_article(article_id)
    offset = None if direction is None else {"up": -1, "down": 1}.get(direction, 0)  # 0: refused by the service
    try:
        consequence = references.reference_change_consequence(current_user, article, citation_id, offset)
    except DomainError as exc:
        return show_refusal(article, exc)
    fields = {"base_version": request.args.get("base_version", type=whole_number) or article.version}
    if direction is None:
        return _confirmation(article, consequence, url_for("articles.detach_citation", article_id=article.id,
                             citation_id=citation_id), fields, button="Detach the reference")
    return _confirmation(article, consequence, url_for("articles.move_citation", article_id=article.id,
                         citation_id=citation_id), {**fields, "direction": direction}, button=f"Move it {direction}")


@bp.get("/<int:article_id>/history")
def history(article_id: int):
    article, access = load_article(article_id)
    # Revisions are numbered 1..version without gaps, so a page is a range of numbers: no COUNT,
    # no OFFSET, however long the history grows.
    per_page = 50
    last_page = max(1, -(-article.version // per_page))
    page_number = min(last_page, max(1, request.args.get("page", 1, type=whole_number)))  # past the last: the last
    newest = article.version - (page_number - 1) * per_page
    oldest = max(1, newest - per_page + 1)
    revisions = db.session.scalars(
        select(Revision).options(joinedload(Revision.author))
        .where(Revision.article_id == article.id, Revision.number.between(oldest, newest))
        .order_by(Revision.number.desc())
    ).all()
    signatures: dict[int, list] = {}
    for signature in db.session.scalars(
        select(Signature).where(Signature.article_id == article.id, Signature.revision_number.between(oldest, newest))
        .order_by(Signature.id)
    ):
        signatures.setdefault(signature.revision_number, []).append(signature)
    page = reading.Page(items=revisions, page=page_number, per_page=per_page, total=article.version)
    return render_template("articles/history.html", article=article, revisions=revisions, signatures=signatures, page=page,
                           compare_from=_default_comparison(article, access))


def _default_comparison(article, access) -> int:
    """The revision the compare form starts from: what this reviewer last decided on, else what
    readers see now, else the one before the current."""
    mine = access.assignment_of(current_user)
    looked = mine.revision_to_compare(article.version) if mine else None
    if looked:
        return looked
    if article.live_revision_number and article.live_revision_number < article.version:
        return article.live_revision_number
    return max(1, article.version - 1)


@bp.get("/<int:article_id>/diff")
def diff(article_id: int):
    article, _ = load_article(article_id)
    if request.args.get("from", type=whole_number) is None or request.args.get("to", type=whole_number) is None:
        abort(400, "Choose two revisions to compare.")
    old, new = article_history.revisions_to_compare(article, request.args.get("from", type=whole_number) or 0,
                                                    request.args.get("to", type=whole_number) or 0)
    parts = diffing.revision_diff(old, new)
    return render_template("articles/diff.html", article=article, old=old, new=new, parts=parts,
                           reference_changes=article_history.reference_changes(old, new))


@bp.get("/<int:article_id>/revisions/<int:number>")
def revision(article_id: int, number: int):
    article, access = load_article(article_id)
    rev = article_history.get_revision(article, number)
    citations = rev.citations
    rendered = render_body(rev.body, {c.key: i for i, c in enumerate(citations, start=1)})
    signatures = db.session.scalars(select(Signature).where(Signature.revision_id == rev.id).order_by(Signature.id)).all()
    comments = db.session.scalars(
        select(Comment).options(joinedload(Comment.author))
        .where(Comment.article_id == article.id, Comment.revision_number == rev.number).order_by(Comment.id)
    ).all()
    passages = mark_comments(rendered.html, comments, dim_resolved=True)
    restore_form = RestoreForm(data={"base_version": article.version})
    return render_template("articles/revision.html", article=article, rev=rev, rendered=rendered, citations=citations,
                           signatures=signatures, comments=comments, passages=passages, restore_form=restore_form,
                           can_restore=can(current_user, "edit_article", access) and number != article.version)


@bp.post("/<int:article_id>/revisions/<int:number>/restore")
def restore(article_id: int, number: int):
    form = RestoreForm()
    return perform(article_id, lambda article, _: editing.restore_revision(
        current_user, article, number, base_version=form.base_version.data, note=form.note.data),
        lambda article: f"Revision {number} restored as version {article.version}.")
