"""The workflow door: every state change goes through transition(), nothing else sets
article.state. The handlers below apply what workflow.TRANSITIONS allows, and the
consequences say what an action will do before it is confirmed."""
from dataclasses import dataclass

from sqlalchemy import select

from editorial.accounts.access import ArticleAccess, load_access
from editorial.accounts.models import User
from editorial.accounts.passwords import verify_password
from editorial.accounts.permissions import require
from editorial.articles.currency_models import Topic
from editorial.articles.editing import MAX_NOTE, append_revision
from editorial.articles.history import citation_ids_of, current_revision, revision_hash, signers_of
from editorial.articles.models import Article, Revision
from editorial.articles.rendering import inline_citation_keys
from editorial.articles.schedules import void_pending
from editorial.articles.workflow import (
    TRANSITIONS, Action, Decision, Facts, State, check_guards, check_state, parse_action, state_after_signatures_change
)
from editorial.audit import chain as audit
from editorial.audit.checkpoints import make_checkpoint
from editorial.core.consequences import Consequence
from editorial.core.dates import add_months, today_utc
from editorial.core.errors import (
    InvalidTransition, PermissionDenied, ReauthenticationFailed, ReviewerWanted, StaleVersion, ValidationError
)
from editorial.core.extensions import db
from editorial.core.model_base import utcnow
from editorial.core.validation import FieldErrors, clean_text
from editorial.core.wording import and_list
from editorial.notifications import service as notifications
from editorial.reviews.declarations import says_nothing_to_declare
from editorial.reviews.models import Assignment, Comment, Signature

DEFAULT_REVIEW_INTERVAL_MONTHS = 12


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
    make_checkpoint("publish")  # what readers now see is covered by a signed statement of the chain


def _start_rereview(actor, article, access, request: ActionRequest):
    """Reopen a live article for review without changing its text: the same content becomes a new
    revision, so earlier signatures no longer count and every reviewer signs again, while the live
    revision stays up until the re-approved one is published (which moves last_reviewed_at)."""
    comment = request.comment
    current = current_revision(article)
    append_revision(actor, article, current.title, current.summary, current.body, citation_ids_of(current),
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


# Workflow actions the desk confirms first: what readers see changes at once.
CONFIRMED_ACTIONS = frozenset({Action.PUBLISH, Action.UNPUBLISH})


def public_path(article: Article) -> str:
    return f"/health/{article.slug}"  # views.public.article


def _day(moment) -> str:
    return moment.strftime("%d %b %Y")


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
    signers = signers_of(_signatures_that_count(article, access, revision).signature_ids)
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
