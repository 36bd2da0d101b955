"""Articles: creating, editing (each save a new immutable revision) and the workflow door.

Every state change goes through transition(); nothing else sets article.state.
"""
import hashlib
import json
from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import joinedload, with_expression

from editorial.audit import chain as audit
from editorial.articles import diffing
from editorial.accounts.access import ArticleAccess, load_access, lock_article
from editorial.core.dates import add_months, today_utc
from editorial.reviews.declarations import says_nothing_to_declare
from editorial.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ReauthenticationFailed,
    ReviewerWanted,
    StaleVersion,
    ValidationError,
)
from editorial.core.extensions import db
from editorial.articles.models import Article, Revision, RevisionCitation
from editorial.reviews.models import Assignment, Comment, Signature
from editorial.audit.models import AuditEvent
from editorial.citations.models import Citation
from editorial.articles.currency_models import Topic
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.passwords import verify_password
from editorial.accounts.permissions import require
from editorial.articles.queries import with_references
from editorial.articles.rendering import MAX_RENDER_COST, inline_citation_keys, render_cost
from editorial.notifications import service as notifications
from editorial.core.consequences import Consequence
from editorial.core.wording import and_list, count_of
from editorial.core.validation import FieldErrors, clean_text
from editorial.articles.workflow import (
    TRANSITIONS,
    Action,
    Decision,
    Facts,
    State,
    check_guards,
    check_state,
    edit_leads_to,
    parse_action,
    state_after_signatures_change,
)

MAX_TITLE = 300
MAX_SUMMARY = 2_000
MAX_BODY = 200_000  # characters; documented in the README
MAX_NOTE = 2_000
MAX_TOPIC = 120
DEFAULT_REVIEW_INTERVAL_MONTHS = 12


def content_hash(title: str, summary: str, body: str, citation_ids: list[int]) -> str:
    """SHA-256 of the canonical serialisation of what readers would see (API.md)."""
    canonical = json.dumps(
        {"title": title, "summary": summary, "body": body, "citation_ids": list(citation_ids)},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def revision_hash(revision: Revision) -> str:
    return content_hash(revision.title, revision.summary, revision.body, citation_ids_of(revision))


def citation_ids_of(revision: Revision | None) -> list[int]:
    return revision.citation_ids if revision else []


# --- Loading ---------------------------------------------------------------------------

_topic_interval = select(Topic.review_interval_months).where(Topic.name == Article.topic).scalar_subquery()


def get_article(article_id: int, *, for_update: bool = False) -> Article:
    """The article, locked for the rest of the transaction when it is about to change. A change
    reads the current revision, the access facts and the topic's review interval (publishing sets
    the next review), and its answer names the author: all come in the same read (access.lock_article)."""
    if for_update:
        article = lock_article(article_id, with_expression(Article.topic_review_interval_months, _topic_interval))
    else:
        article = db.session.scalar(select(Article).where(Article.id == article_id))
    if article is None:
        raise NotFound("No such article.")
    return article


def current_revision(article: Article) -> Revision:
    return db.session.get(Revision, article.current_revision_id)


def get_revision(article: Article, number: int) -> Revision:
    revision = db.session.scalar(
        select(Revision).options(joinedload(Revision.author))
        .where(Revision.article_id == article.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(f"Revision {number} does not exist.")
    return revision


def revisions_to_compare(article: Article, old_number: int, new_number: int) -> tuple[Revision, Revision]:
    """Two revisions of an article for a diff, both reference lists read in one statement."""
    old, new = get_revision(article, old_number), get_revision(article, new_number)
    with_references(old, new)
    return old, new


# --- Validation ------------------------------------------------------------------------

def _clean_content(errors: FieldErrors, *, title, summary, body, required: bool):
    """Title, summary and body as typed (only the title is trimmed); None where not given."""
    cleaned = {}
    if title is not None or required:
        cleaned["title"] = clean_text(errors, "title", title, max_length=MAX_TITLE, required=True)
    for name, value, limit in (("summary", summary, MAX_SUMMARY), ("body", body, MAX_BODY)):
        if value is None and not required:
            continue
        value = "" if value is None else value
        if not isinstance(value, str):
            errors.add(name, f"{name.capitalize()} must be text.")
        elif "\x00" in value:
            errors.add(name, f"{name.capitalize()} cannot contain a null character.")
        elif len(value) > limit:
            errors.add(name, f"{name.capitalize()} must be at most {limit:,} characters.")
        elif name == "body" and render_cost(value) > MAX_RENDER_COST:
            # Rendering time follows the parts a body makes, not its length (editorial/articles/rendering.py).
            errors.add(name, f"The body has too many parts to show quickly (about {render_cost(value):,}; at most "
                             f"{MAX_RENDER_COST:,}): table cells, list items, headings, links. Split a long table "
                             "or list, or move part of it into another article.")
        else:
            cleaned[name] = value  # kept exactly as typed
    return cleaned


# Words the desk's own URLs use under /articles/: readers' pages moved to /health/<slug>, and the
# old address /articles/<slug> of a slug that is neither these nor all digits (ids) answers 301.
RESERVED_SLUGS = {"new"}


def _unique_slug(title: str) -> str:
    """A URL slug from any Unicode title; never all digits (ids) or reserved, never used before."""
    base = slugify(title, max_length=80, word_boundary=True) or "article"
    if base.isdigit() or base in RESERVED_SLUGS:
        base = f"article-{base}"
    taken = set(db.session.scalars(select(Article.slug).where(Article.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- Creating and editing --------------------------------------------------------------

def create_article(actor: User, *, title, body, summary="", topic="") -> Article:
    """A new article in draft, version 1, with the actor as author."""
    require(actor, "create_article", message="Only writers and editors start articles.")
    errors = FieldErrors()
    content = _clean_content(errors, title=title, summary=summary, body=body, required=True)
    topic = clean_text(errors, "topic", topic, max_length=MAX_TOPIC) or ""
    errors.raise_if_any()

    article = Article(
        slug=_unique_slug(content["title"]), topic=topic, author_id=actor.id, state=State.DRAFT,
        version=0, title=content["title"],
    )
    db.session.add(article)
    db.session.flush()
    audit.record("article.created", actor=actor, object_type="article", object_id=article.id, article_id=article.id,
                 to_state=State.DRAFT, detail={"slug": article.slug, "topic": topic})
    _append_revision(actor, article, content["title"], content["summary"], content["body"], [], topic=topic,
                     note="Created", changed=["title", "summary", "body"])
    return article


def _append_revision(actor, article, title, summary, body, citation_ids, *, topic: str, note: str,
                     changed: list[str]) -> Revision:
    """Write the next immutable revision and make it current."""
    number = article.version + 1
    revision = Revision(
        article_id=article.id, number=number, title=title, summary=summary, body=body, topic=topic,
        note=note or "", author_id=actor.id, content_hash=content_hash(title, summary, body, citation_ids),
        citation_links=[RevisionCitation(position=position, citation_id=citation_id)
                        for position, citation_id in enumerate(citation_ids)],
    )
    db.session.add(revision)
    db.session.flush()
    from_state = article.state
    article.version = number
    article.current_revision_id = revision.id
    article.title = title
    article.topic = topic
    article.updated_at = utcnow()
    if number > 1:
        article.state = edit_leads_to(article.state)
    db.session.flush()
    if number > 1:
        from editorial.articles.schedules import void_pending

        void_pending(actor, article, "publish", f"revision {number} replaced the approved revision")
    audit.record(
        "revision.saved", actor=actor, object_type="revision", object_id=revision.id, article_id=article.id,
        revision_number=number, from_state=from_state, to_state=article.state,
        detail={"fields": changed, "content_hash": revision.content_hash, "topic": topic, "note": note or ""},
    )
    return revision


def _edit(actor: User, article: Article, *, base_version, note, title, summary, body, citation_ids, topic,
          changed_hint=None) -> Revision:
    """The one path for every change of content: checks, then a new revision."""
    access = load_access(article)
    require(actor, "edit_article", access, message="Only the author or an editor can change this article.")
    if isinstance(base_version, bool) or not isinstance(base_version, int):
        raise ValidationError("base_version is required.", fields={"base_version": "Send the version your edit is based on."})
    if base_version != article.version:
        raise StaleVersion(
            f"Someone saved version {article.version} after the version {base_version} you edited.", article.version
        )
    edit_leads_to(article.state)  # refuses edits while in review

    errors = FieldErrors()
    note = clean_text(errors, "note", note, max_length=MAX_NOTE)
    if article.ever_submitted and not note:
        errors.add("note", "Say why you are changing it: a change note is required once an article has been submitted.")
    errors.raise_if_any("The change was not saved.")

    current = current_revision(article)
    new = {"title": title, "summary": summary, "body": body, "citation_ids": citation_ids, "topic": topic}
    old = {"title": current.title, "summary": current.summary, "body": current.body,
           "citation_ids": citation_ids_of(current), "topic": current.topic}
    changed = changed_hint or [name for name in new if new[name] != old[name]]
    if not changed:
        raise ValidationError("Nothing changed: the text, topic and citations are the same as the current version.")
    revision = _append_revision(actor, article, title, summary, body, citation_ids, topic=topic, note=note or "",
                                changed=changed)
    return revision


def save_revision(actor: User, article: Article, *, base_version, title=None, summary=None, body=None, topic=None,
                  note=None, citation_ids=None) -> Revision:
    """Save an edit of title, summary, body, topic and/or the ordered reference list as one new
    revision (optimistic locking on base_version). The topic is content: readers see it, so it is
    reviewed like the title. References added or removed are audited as attaching and detaching are."""
    errors = FieldErrors()
    content = _clean_content(errors, title=title, summary=summary, body=body, required=False)
    if topic is not None:
        topic = clean_text(errors, "topic", topic, max_length=MAX_TOPIC) or ""
    current = current_revision(article)
    old_ids = citation_ids_of(current)
    new_ids = old_ids if citation_ids is None else _checked_reference_list(errors, citation_ids, old_ids)
    errors.raise_if_any("The change was not saved.")
    revision = _edit(
        actor, article, base_version=base_version, note=note,
        title=content.get("title", current.title),
        summary=content.get("summary", current.summary),
        body=content.get("body", current.body),
        topic=current.topic if topic is None else topic,
        citation_ids=new_ids,
    )
    if new_ids != old_ids:
        keys = dict(db.session.execute(select(Citation.id, Citation.key).where(Citation.id.in_(set(old_ids) | set(new_ids)))).all())
        for citation_id in (i for i in new_ids if i not in old_ids):
            audit.record("citation.attached", actor=actor, object_type="citation", object_id=citation_id,
                         article_id=article.id, revision_number=revision.number, detail={"key": keys.get(citation_id)})
        for citation_id in (i for i in old_ids if i not in new_ids):
            audit.record("citation.detached", actor=actor, object_type="citation", object_id=citation_id,
                         article_id=article.id, revision_number=revision.number, detail={"key": keys.get(citation_id)})
    return revision


MAX_REFERENCES = 500


def _checked_reference_list(errors: FieldErrors, citation_ids, old_ids: list[int]) -> list[int]:
    """The ordered reference list as sent, or an error under "citation_ids": whole ids of library
    records, each once; a retracted source may stay where it was but cannot be newly cited."""
    if not isinstance(citation_ids, (list, tuple)) or any(isinstance(i, bool) or not isinstance(i, int) for i in citation_ids):
        errors.add("citation_ids", "The reference list must be citation ids.")
        return old_ids
    ids = list(citation_ids)
    if len(ids) > MAX_REFERENCES:
        errors.add("citation_ids", f"At most {MAX_REFERENCES} references.")
        return old_ids
    if len(set(ids)) != len(ids):
        errors.add("citation_ids", "A reference appears twice in the list.")
        return old_ids
    found = {c.id: c for c in db.session.scalars(select(Citation).where(Citation.id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        errors.add("citation_ids", "The list names a citation that is not in the library.")
        return old_ids
    retracted = [found[i].key for i in ids if i not in old_ids and found[i].retracted]
    if retracted:
        errors.add("citation_ids", f"{and_list(retracted)} {'is' if len(retracted) == 1 else 'are'} retracted and cannot be cited.")
        return old_ids
    return ids


@dataclass(frozen=True)
class Preview:
    """The body as the reader's page would show it, numbered by the given reference list."""
    html: str
    unknown_keys: list[str]
    word_count: int
    grade: float | None
    reading_minutes: int


def preview(actor: User, article: Article, *, body, citation_ids=None) -> Preview:
    """Render an unsaved body with the reader page's own code (editorial.articles.rendering) and score it
    (editorial.articles.readability), for the editor's preview; saves nothing. Without citation_ids the
    current revision's reference list numbers the citations."""
    from editorial.articles.readability import assess
    from editorial.articles.rendering import render_body

    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    errors = FieldErrors()
    content = _clean_content(errors, title=None, summary=None, body=body, required=False)
    if body is None:
        errors.add("body", "Send the body to preview.")
    ids = citation_ids_of(current_revision(article)) if citation_ids is None else citation_ids
    if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids) or len(ids) > MAX_REFERENCES:
        errors.add("citation_ids", "The reference list must be citation ids.")
    errors.raise_if_any("Nothing to preview.")
    keys = dict(db.session.execute(select(Citation.id, Citation.key).where(Citation.id.in_(ids))).all()) if ids else {}
    numbers = {}
    for citation_id in ids:
        if citation_id in keys and keys[citation_id] not in numbers:
            numbers[keys[citation_id]] = len(numbers) + 1
    text = content["body"]
    rendered = render_body(text, numbers)
    scores = assess(text)
    unknown = list(dict.fromkeys(k for k in inline_citation_keys(text) if k not in numbers))
    return Preview(rendered.html, unknown, scores.word_count, scores.flesch_kincaid_grade, scores.reading_minutes)


def restore_revision(actor: User, article: Article, number: int, *, base_version, note=None) -> Revision:
    """Bring back an old revision's content as a new revision."""
    old = get_revision(article, number)
    note = note or f"Restored revision {number}"
    return _edit(
        actor, article, base_version=base_version, note=note, title=old.title, summary=old.summary,
        body=old.body, topic=old.topic, citation_ids=citation_ids_of(old),
    )


def set_citations(actor: User, article: Article, citation_ids: list[int], *, base_version=None, note: str) -> Revision:
    """Attach, detach or reorder citations: each is a new revision."""
    current = current_revision(article)
    return _edit(
        actor, article, base_version=article.version if base_version is None else base_version, note=note,
        title=current.title, summary=current.summary, body=current.body, topic=current.topic,
        citation_ids=citation_ids, changed_hint=["citations"],
    )


# --- The workflow door -----------------------------------------------------------------

def _facts(article: Article, access: ArticleAccess, comment: str | None) -> Facts:
    revision = current_revision(article)
    citations = revision.citations  # with the ids that the hash check reads: one statement
    keys = {c.key for c in citations}
    unresolved = tuple(dict.fromkeys(k for k in inline_citation_keys(revision.body) if k not in keys))
    tally = _signatures_that_count(article, access, revision)
    return Facts(
        active_reviewers=len(access.active_assignments),
        citations=len(citations),
        unresolved_inline_keys=unresolved,
        retracted_citations=tuple(c.key for c in citations if c.retracted),
        incomplete_citations=tuple(c.key for c in citations if c.missing),
        all_reviewers_approved_current=tally.counted,
        deactivated_signers=tally.deactivated_signers,
        comment=comment,
    )


@dataclass(frozen=True)
class SignatureTally:
    counted: bool  # every active reviewer holds a signature that counts on exactly this revision
    deactivated_signers: tuple[str, ...] = ()
    signature_ids: tuple[int, ...] = ()  # the signatures that count, one per reviewer


def _signatures_that_count(article: Article, access: ArticleAccess, revision: Revision) -> SignatureTally:
    """A signature counts when it is on this revision's content (checked against the text itself),
    its signer's declaration for this article is the one the signature recorded and does not block
    signing, and the signer's account is still active; a signer's latest signature is theirs."""
    assignments = access.active_assignments
    if not assignments or revision.id != article.current_revision_id or revision_hash(revision) != revision.content_hash:
        return SignatureTally(False)
    latest = {signer_id: (signature_id, conflict) for signature_id, signer_id, conflict in access.current_signatures}
    deactivated = tuple(a.reviewer.name for a in assignments
                        if a.reviewer_id in latest and not a.reviewer.is_active_account)
    counted = all(
        a.reviewer_id in latest and a.reviewer.is_active_account and a.has_declared
        and not a.conflict_blocks_signing and (latest[a.reviewer_id][1] or None) == (a.conflict_of_interest or None)
        and a.status_for(article.version) == Decision.APPROVED
        for a in assignments
    )
    ids = tuple(sorted(latest[a.reviewer_id][0] for a in assignments)) if counted else ()
    return SignatureTally(counted, deactivated, ids)


def _all_signed(article: Article, access: ArticleAccess, revision: Revision) -> bool:
    return _signatures_that_count(article, access, revision).counted


@dataclass(frozen=True)
class ActionRequest:
    """What the actor sent with a workflow action. A signature names the revision and content hash
    the signer read, so that it can never land on a text they did not see."""
    comment: str | None = None
    password: str | None = None
    revision: int | None = None
    content_hash: str | None = None
    conflict_of_interest: str | None = None


def transition(actor: User, article: Article, action, *, comment: str | None = None, password: str | None = None,
               revision=None, content_hash=None, conflict_of_interest=None) -> Article:
    """Apply one workflow action: permission, state, guards, then the action's own work. The
    caller holds the article's row lock (get_article(for_update=True)), so what is checked here
    is still true when the action's work is written."""
    action = parse_action(action)
    access = load_access(article)
    spec = TRANSITIONS[action]
    require(actor, spec.permission, access, message=_refusal(action, actor, access))
    check_state(action, article.state)
    errors = FieldErrors()
    comment = clean_text(errors, "comment", comment, max_length=MAX_NOTE)
    errors.raise_if_any()
    facts = _facts(article, access, comment)
    try:
        check_guards(spec, facts)
    except ValidationError as refused:
        if action == Action.SUBMIT and not facts.active_reviewers:
            notifications.reviewer_wanted(actor, article)
            raise ReviewerWanted(refused.message + " The senior editors have been told.", fields=refused.fields) from None
        raise
    request = ActionRequest(comment=comment, password=password, revision=revision, content_hash=content_hash,
                            conflict_of_interest=conflict_of_interest)
    _HANDLERS[action](actor, article, access, request)
    db.session.flush()
    return article


def settle_review(actor: User | None, article: Article, reason: str) -> None:
    """Re-evaluate the article after the signatures it needs changed without a new one (a pending
    reviewer removed or declining, a signature voided): it never waits for a signature nobody
    will give, and never stays approved without one it needs."""
    access = load_access(article)
    revision = current_revision(article)
    target = state_after_signatures_change(article.state, _all_signed(article, access, revision))
    if target is None:
        return
    if target == State.APPROVED:
        _mark_approved(actor, article, access, revision, reason=reason)
    else:
        from editorial.articles.schedules import void_pending

        _move(actor, article, State.IN_REVIEW, "approval_voided", {"reason": reason})
        void_pending(actor, article, "publish", reason)


def _refusal(action: Action, actor: User, access: ArticleAccess) -> str:
    if action == Action.PUBLISH and actor.id in access.current_signer_ids:
        return "You signed this revision: another senior editor must publish it (no one checks their own work)."
    return {
        Action.APPROVE: "Only an assigned physician reviewer who did not write this article can approve it.",
        Action.REQUEST_CHANGES: "Only an assigned physician reviewer can request changes.",
        Action.PUBLISH: "Only senior editors publish.",
        Action.UNPUBLISH: "Only senior editors unpublish.",
    }.get(action, "Only the author or an editor can do that.")


def _move(actor, article, to_state: State, action: Action | str, detail: dict | None = None) -> None:
    from_state = article.state
    article.state = to_state
    article.updated_at = utcnow()
    # One flush for the move and its event, with any event recorded just before (an approval's signature).
    audit.record(
        f"article.{action}", actor=actor, object_type="article", object_id=article.id, article_id=article.id,
        revision_number=article.version, from_state=from_state, to_state=to_state, detail=detail or {},
        flush=False,
    )
    db.session.flush()


def _add_comment(actor, article, kind: str, body: str | None) -> None:
    if body:
        db.session.add(Comment(article_id=article.id, revision_number=article.version, author_id=actor.id, kind=kind, body=body))


def _submit(actor, article, access, request: ActionRequest):
    comment = request.comment
    article.ever_submitted = True
    _add_comment(actor, article, "submission", comment)
    _move(actor, article, State.IN_REVIEW, Action.SUBMIT, {"note": comment or ""})
    notifications.review_requested(actor, article, access.assignments, comment)


def _withdraw(actor, article, access, request: ActionRequest):
    comment = request.comment
    _add_comment(actor, article, "withdrawal", comment)
    _move(actor, article, State.DRAFT, Action.WITHDRAW, {"note": comment or ""})


def _signing_problem(signer: User, assignment: Assignment) -> str | None:
    if not signer.credentials:
        return "Your credentials are not on file; ask an administrator to record them before you sign."
    if signer.disclosure is None or not signer.disclosure.strip():
        return 'You have no conflict-of-interest statement on file (even "None"); you cannot sign yet.'
    if signer.credential_valid_until is not None and signer.credential_valid_until < today_utc():
        return f"Your credential lapsed on {signer.credential_valid_until.isoformat()}; you cannot sign."
    if assignment.conflict_blocks_signing:
        return "You declared a conflict of interest for this article; an editor must waive it before you sign."
    return None


def _signed_revision(article: Article, request: ActionRequest) -> Revision:
    """The revision the signer read, which must still be the current one. Decided under the
    article's row lock, which the signature is written under too."""
    errors = FieldErrors()
    number, digest = request.revision, request.content_hash
    if isinstance(number, bool) or not isinstance(number, int):
        errors.add("revision", "Send the number of the revision you read and are signing.")
    if not isinstance(digest, str) or not digest:
        errors.add("content_hash", "Send the content hash of the revision you read and are signing.")
    errors.raise_if_any("The approval does not say which text it signs; nothing was signed.")
    revision = current_revision(article)
    if number != revision.number or digest.lower() != revision.content_hash:
        raise StaleVersion(
            f"You read revision {number}, but the article is now at revision {revision.number} "
            f"(content hash {revision.content_hash[:12]}…); nothing was signed. Read the current text before signing.",
            article.version,
        )
    return revision


def _mark_approved(actor, article: Article, access: ArticleAccess, revision: Revision, **detail) -> None:
    """Every needed signature is on this revision: the article is approved and its editors told."""
    _move(actor, article, State.APPROVED, Action.APPROVE, {"content_hash": revision.content_hash, **detail})
    notifications.article_approved(actor, article, access)


def _declare_at_signing(assignment: Assignment, given) -> bool:
    """The signer's conflict-of-interest declaration for this article: made earlier when accepting,
    or given with the approval. True when the approval itself declares (and so accepts)."""
    errors = FieldErrors()
    given = clean_text(errors, "conflict_of_interest", given, max_length=MAX_NOTE)
    errors.raise_if_any()
    if given is not None and not says_nothing_to_declare(given):
        if assignment.has_declared and assignment.conflict_of_interest == given:
            return False  # the conflict declared on accepting, repeated
        raise PermissionDenied(
            "A conflict of interest declared while signing signs nothing: declare it in your answer to the "
            "assignment, so that another editor can waive it, then sign.")
    if assignment.has_declared:
        if given is not None and assignment.conflict_of_interest:
            raise PermissionDenied(
                "You declared a conflict of interest for this article; it stands until an editor waives it.")
        return False
    if given is None:
        raise ValidationError(
            "Declare any conflict of interest with this article before signing; nothing was signed.",
            fields={"conflict_of_interest": 'Say "none" if you have no conflict of interest with this article.'})
    return True


def _approve(actor, article, access, request: ActionRequest):
    assignment = access.assignment_of(actor)
    revision = _signed_revision(article, request)
    if assignment.status_for(article.version) == Decision.APPROVED:
        raise InvalidTransition(f"You have already approved revision {article.version}.")
    declares_now = _declare_at_signing(assignment, request.conflict_of_interest)
    problem = _signing_problem(actor, assignment)
    if problem:
        raise PermissionDenied(problem)
    password = request.password
    if not isinstance(password, str) or not password or not verify_password(actor.password_hash, password):
        # The refusal itself is evidence (21 CFR Part 11 §11.300(d)): it is kept even though nothing else changes.
        from editorial.accounts.service import record_failed_attempt

        record_failed_attempt(actor, "signature")  # before audit.record (it locks the user's row)
        audit.record("signature.refused", actor=actor, object_type="article", object_id=article.id, article_id=article.id,
                     revision_number=article.version, detail={"reason": "password did not match"})
        raise ReauthenticationFailed("Your password did not match; the approval was not signed.")

    now = utcnow()
    actor.failed_attempts = 0
    if declares_now:
        from editorial.reviews.service import record_acceptance

        record_acceptance(actor, article, assignment, conflict=None, at=now)
    signature = Signature(
        article_id=article.id, revision_id=revision.id, revision_number=revision.number,
        content_hash=revision.content_hash, signer_id=actor.id, signed_at=now, meaning="approval",
        printed_name=actor.name, credentials=actor.credentials, specialty=actor.specialty,
        affiliation=actor.affiliation, disclosure=actor.disclosure, conflict_of_interest=assignment.conflict_of_interest,
    )
    db.session.add(signature)
    assignment.accepted_at = assignment.accepted_at or now
    assignment.decision = Decision.APPROVED
    assignment.decided_revision = article.version
    assignment.decided_at = now
    _add_comment(actor, article, "approval", request.comment)
    signed_before = access.current_signatures
    db.session.flush()
    access.add_signature(signature, signed_before)
    audit.record(
        "signature.recorded", actor=actor, object_type="signature", object_id=signature.id, article_id=article.id,
        revision_number=revision.number,
        detail={"meaning": "approval", "content_hash": revision.content_hash, "printed_name": actor.name,
                "credentials": actor.credentials, "conflict_of_interest": assignment.declaration},
        flush=False,  # written with the approval's own event when this was the last signature needed
    )
    if _all_signed(article, access, revision):
        _mark_approved(actor, article, access, revision)


def _request_changes(actor, article, access, request: ActionRequest):
    comment = request.comment
    assignment = access.assignment_of(actor)
    now = utcnow()
    assignment.accepted_at = assignment.accepted_at or now
    assignment.decision = Decision.CHANGES_REQUESTED
    assignment.decided_revision = article.version
    assignment.decided_at = now
    _add_comment(actor, article, "changes_requested", comment)
    _move(actor, article, State.CHANGES_REQUESTED, Action.REQUEST_CHANGES, {"comment": comment})
    notifications.changes_requested(actor, article, comment)


def _publish(actor, article, access, request: ActionRequest):
    now = utcnow()
    interval = review_interval_months(article)  # read before the changes below, or it would flush them twice
    revision = current_revision(article)
    tally = _signatures_that_count(article, access, revision)
    # The publication is recorded first: the database moves the live pointer only when the newest
    # event publishes exactly that revision (history_guard.live_pointer_guard), and the public page
    # shows exactly the signatures this event names.
    audit.record(
        "article.publish", actor=actor, object_type="article", object_id=article.id, article_id=article.id,
        revision_number=revision.number, from_state=article.state, to_state=State.PUBLISHED,
        detail={"live_revision": revision.number, "content_hash": revision.content_hash, "topic": revision.topic,
                "signatures": list(tally.signature_ids)},
    )
    article.state = State.PUBLISHED
    article.live_revision_id = revision.id
    article.published_at = now
    article.updated_at = now
    article.last_reviewed_at = now
    article.next_review_due = add_months(now.date(), interval)
    db.session.flush()
    notifications.article_published(actor, article)
    from editorial.audit.checkpoints import make_checkpoint

    make_checkpoint("publish")  # what readers now see is covered by a signed statement of the chain


def _start_rereview(actor, article, access, request: ActionRequest):
    """Reopen a live article for review without changing its text: the same content becomes a new
    revision, so earlier signatures no longer count and every reviewer signs again, while the live
    revision stays up until the re-approved one is published (which moves last_reviewed_at)."""
    comment = request.comment
    current = current_revision(article)
    _append_revision(actor, article, current.title, current.summary, current.body, citation_ids_of(current),
                     topic=current.topic, note=comment or "Scheduled medical re-review (no change to the text)",
                     changed=[])
    article.ever_submitted = True
    _move(actor, article, State.IN_REVIEW, Action.START_REREVIEW, {"note": comment or ""})
    notifications.review_requested(actor, article, access.assignments, comment)


def review_interval_months(article: Article) -> int:
    """The article's own interval, else its topic's (read with the article's lock: get_article),
    else the default of 12 months."""
    if article.review_interval_months:
        return article.review_interval_months
    if "topic_review_interval_months" in article.__dict__:
        topic_interval = article.topic_review_interval_months
    else:
        topic_interval = db.session.scalar(select(Topic.review_interval_months).where(Topic.name == article.topic))
    return topic_interval or DEFAULT_REVIEW_INTERVAL_MONTHS


def _unpublish(actor, article, access, request: ActionRequest):
    comment = request.comment
    live = article.live_revision_id
    article.live_revision_id = None
    _move(actor, article, State.ARCHIVED, Action.UNPUBLISH, {"was_live_revision_id": live, "note": comment or ""})


_HANDLERS = {
    Action.SUBMIT: _submit,
    Action.WITHDRAW: _withdraw,
    Action.APPROVE: _approve,
    Action.REQUEST_CHANGES: _request_changes,
    Action.PUBLISH: _publish,
    Action.UNPUBLISH: _unpublish,
    Action.START_REREVIEW: _start_rereview,
}


# --- What an action will do, before it is done (services.consequences) -----------------

# Workflow actions the desk confirms first: what readers see changes at once.
CONFIRMED_ACTIONS = frozenset({Action.PUBLISH, Action.UNPUBLISH})


def public_path(article: Article) -> str:
    return f"/health/{article.slug}"  # views.public.article


def _day(moment) -> str:
    return moment.strftime("%d %b %Y")


def _signers(signature_ids) -> list[str]:
    """"Printed name, credentials" of these signatures, oldest first, one per signer."""
    if not signature_ids:
        return []
    rows = db.session.execute(
        select(Signature.signer_id, Signature.printed_name, Signature.credentials)
        .where(Signature.id.in_(list(signature_ids))).order_by(Signature.id)
    )
    by_signer = {}
    for signer_id, name, credentials in rows:
        by_signer[signer_id] = f"{name}, {credentials}" if credentials else name
    return list(by_signer.values())


def transition_consequence(actor: User, article: Article, action) -> Consequence:
    """What publishing or unpublishing would do now. It makes transition()'s own checks first (who
    may, from which state, the guards), so a confirmation is never offered for a refused action."""
    action = parse_action(action)
    if action not in CONFIRMED_ACTIONS:
        raise ValidationError(f"{action.label} takes effect without a confirmation step.")
    access = load_access(article)
    spec = TRANSITIONS[action]
    require(actor, spec.permission, access, message=_refusal(action, actor, access))
    check_state(action, article.state)
    check_guards(spec, _facts(article, access, None))
    if action == Action.PUBLISH:
        return publish_consequence(article, access)
    return unpublish_consequence(article)


def publish_consequence(article: Article, access: ArticleAccess) -> Consequence:
    """Which revision goes live, where, under whose signatures, what it replaces and when it is due again."""
    revision = current_revision(article)
    signers = _signers(_signatures_that_count(article, access, revision).signature_ids)
    lines = [f"Revision {revision.number} goes live at {public_path(article)}: every reader sees it from now on."]
    if article.live_revision_id is not None:
        live = db.session.get(Revision, article.live_revision_id)
        lines.append(f"It replaces revision {live.number}, live since {_day(article.published_at)}.")
    lines.append(f"It goes out signed by {and_list(signers)}.")
    lines.append(f"Its next medical review falls due on {_day(add_months(today_utc(), review_interval_months(article)))}.")
    return Consequence(f"Publish “{article.title}”?", tuple(lines))


def unpublish_consequence(article: Article) -> Consequence:
    """That readers lose the page, which revision comes down, and what bringing it back takes."""
    live = db.session.get(Revision, article.live_revision_id)
    return Consequence(f"Take “{article.title}” down?", (
        f"Readers lose the page: {public_path(article)} answers “not found” from now on.",
        f"Revision {live.number}, live since {_day(article.published_at)}, comes down and the article is archived.",
        "Putting it back takes a new revision and a new medical review.",
    ))


def reference_change_consequence(actor: User, article: Article, citation_id, offset: int | None = None) -> Consequence:
    """What detaching a reference (offset None) or moving it (-1 up, +1 down) would do. Either saves
    a new revision, so every signature on the current one stops counting: named here, and only
    then is there anything to confirm (a draft nobody signed keeps its one-click buttons)."""
    access = load_access(article)
    require(actor, "edit_article", access, message="Only the author or an editor can change this article.")
    state = article.state
    after = edit_leads_to(state)  # refuses while in review
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    if offset is not None and offset not in (-1, 1):
        raise ValidationError("Move a reference up or down.", fields={"direction": "Choose up or down."})
    if offset is not None and not 0 <= ids.index(citation_id) + offset < len(ids):
        raise ValidationError("It cannot move further.", fields={"citation_id": "Already at the end of the list."})
    key = db.session.get(Citation, citation_id).key
    doing = f"Detaching [@{key}]" if offset is None else f"Moving [@{key}] {'up' if offset < 0 else 'down'}"
    signers = _signers([signature_id for signature_id, _, _ in access.current_signatures])
    lines = [f"{doing} saves revision {article.version + 1}."]
    if signers:
        lines.append(f"This voids {count_of(len(signers), 'signature')}: {and_list(signers)}. "
                     f"A signature counts only for the text it signed (revision {article.version}).")
    else:
        lines.append("No signature is at stake: nobody has signed this revision.")
    if after != state:
        lines.append(f"The article goes back to draft ({state.label} now) and needs a new medical review "
                     "before it is published.")
    if article.live_revision_id is not None:
        live = db.session.get(Revision, article.live_revision_id)
        lines.append(f"The live page stays as it is (revision {live.number}) until a newly approved revision is published.")
    from editorial.articles.schedules import pending_for

    for planned in pending_for(article):
        if planned.action == "publish":
            lines.append(f"The publication scheduled for {planned.run_at:%d %b %Y, %H:%M} UTC is cancelled.")
    return Consequence(f"{'Detach' if offset is None else 'Move'} [@{key}]?", tuple(lines), at_stake=bool(signers))


def citation_warnings(article: Article) -> list[str]:
    """Things worth a second look before review, that do not block it: attached sources the
    body never cites inline, and sources older than OLD_SOURCE_YEARS (medical guidance ages)."""
    from flask import current_app

    from editorial.core.dates import today_utc

    revision = current_revision(article)
    citations = revision.citations
    if not citations:
        return []
    cited = set(inline_citation_keys(revision.body))
    years = current_app.config.get("OLD_SOURCE_YEARS", 5)
    warnings = [f"[@{c.key}] is attached but never cited in the text." for c in citations if c.key not in cited]
    oldest = today_utc().year - years
    warnings += [f"[@{c.key}] is from {c.year}, more than {years} years ago: check it is still current."
                 for c in citations if c.year and c.year < oldest]
    return warnings


def revision_text(revision: Revision) -> str:
    """A revision as one text for diffs: title, topic and summary (when there are), body, and its
    ordered citations (when there are any)."""
    parts = [f"# {revision.title}", f"Topic: {revision.topic}" if revision.topic else "", revision.summary.strip(),
             revision.body.strip()]
    ids = citation_ids_of(revision)
    if ids:
        parts.append(f"References (citation ids, in order): {', '.join(map(str, ids))}")
    return "\n\n".join(part for part in parts if part) + "\n"


def reference_changes(old: Revision, new: Revision) -> diffing.ReferenceChanges:
    """References added, removed and moved from one revision to another (each list read with its citations)."""
    return diffing.reference_changes(old.citations, new.citations)


def unified_diff(old: Revision, new: Revision) -> str:
    return diffing.unified(revision_text(old), revision_text(new), f"revision {old.number}", f"revision {new.number}")


def live_revision_at(article: Article, moment) -> Revision | None:
    """What readers saw at a moment, reconstructed from the publication events of the audit trail."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.article_id == article.id,
            AuditEvent.action.in_(["article.publish", "article.unpublish"]),
            AuditEvent.at <= moment,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None or event.action == "article.unpublish":
        return None
    return get_revision(article, event.revision_number)



def attach_citation(actor: User, article: Article, citation_id, *, base_version=None) -> Revision:
    """Append a library citation to the article's ordered reference list."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    if isinstance(citation_id, bool) or not isinstance(citation_id, int):
        raise ValidationError("Choose a citation.", fields={"citation_id": "Expected a citation id."})
    citation = db.session.get(Citation, citation_id)
    if citation is None:
        raise ValidationError("No such citation.", fields={"citation_id": "No citation with this id."})
    ids = citation_ids_of(current_revision(article))
    if citation.id in ids:
        raise ValidationError("Already attached.", fields={"citation_id": f"{citation.key} is already in the reference list."})
    if citation.retracted:
        raise ValidationError("Retracted source.", fields={"citation_id": f"{citation.key} is retracted and cannot be cited."})
    revision = set_citations(actor, article, [*ids, citation.id], base_version=base_version, note=f"Attached reference {citation.key}")
    audit.record("citation.attached", actor=actor, object_type="citation", object_id=citation.id, article_id=article.id,
                 revision_number=revision.number, detail={"key": citation.key})
    return revision


def detach_citation(actor: User, article: Article, citation_id: int, *, base_version=None) -> Revision:
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    citation = db.session.get(Citation, citation_id)
    revision = set_citations(actor, article, [i for i in ids if i != citation_id], base_version=base_version,
                             note=f"Detached reference {citation.key}")
    audit.record("citation.detached", actor=actor, object_type="citation", object_id=citation_id, article_id=article.id,
                 revision_number=revision.number, detail={"key": citation.key})
    return revision


def move_citation(actor: User, article: Article, citation_id: int, offset: int, *, base_version=None) -> Revision:
    """Move a reference up (offset -1) or down (+1) in the list."""
    require(actor, "edit_article", load_access(article), message="Only the author or an editor can change this article.")
    ids = citation_ids_of(current_revision(article))
    if citation_id not in ids:
        raise NotFound("That citation is not attached to this article.")
    index = ids.index(citation_id)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ids):
        raise ValidationError("It cannot move further.", fields={"citation_id": "Already at the end of the list."})
    ids[index], ids[target] = ids[target], ids[index]
    citation = db.session.get(Citation, citation_id)
    return set_citations(actor, article, ids, base_version=base_version,
                         note=f"Moved reference {citation.key} {'up' if offset < 0 else 'down'}")
