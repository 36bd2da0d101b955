"""Assigning physician experts, their answers, conflict waivers and the review thread."""
from sqlalchemy import func, select

from editorial.audit import chain as audit
from editorial.accounts.access import load_access
from editorial.core.dates import today_utc
from editorial.core.errors import InvalidTransition, NotFound, PermissionDenied
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.reviews.models import Assignment, Comment, Signature
from editorial.accounts.models import User
from editorial.core.model_base import utcnow
from editorial.accounts.permissions import can, require
from editorial.accounts.roles import Role
from editorial.notifications import service as notifications
from editorial.core.bounds import MAX_ID
from editorial.reviews.declarations import says_nothing_to_declare
from editorial.articles.editing import MAX_NOTE
from editorial.articles.transitions import settle_review
from editorial.core.validation import FieldErrors, clean_date, clean_text
from editorial.articles.workflow import Decision, State

# The browser sends about 32 characters each side of a selected passage; some slack for other clients.
MAX_QUOTE_CONTEXT = 64

# Assigning a reviewer to an approved or archived article would silently change what
# "every reviewer approved" means; re-open the article by editing it first.
ASSIGNABLE_STATES = frozenset({State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.PUBLISHED})


def reviewer_problem(reviewer: User | None, article: Article, revision_author_ids: set[int]) -> str | None:
    """Why this user cannot be assigned to this article, or None."""
    if reviewer is None or not reviewer.is_active:
        return "No such active user."
    if not reviewer.has_role(Role.REVIEWER):
        return f"{reviewer.name} is not a physician reviewer."
    if reviewer.id == article.author_id or reviewer.id in revision_author_ids:
        return f"{reviewer.name} wrote this article; the maker never checks their own work."
    if reviewer.credential_valid_until is not None and reviewer.credential_valid_until < today_utc():
        return f"{reviewer.name}'s credential lapsed on {reviewer.credential_valid_until.isoformat()}."
    return None


def assign_reviewer(actor: User, article: Article, reviewer_id, due_date=None) -> Assignment:
    access = load_access(article)
    require(actor, "assign_reviewers", access, message="Only senior editors assign reviewers.")
    if article.state not in ASSIGNABLE_STATES:
        raise InvalidTransition(f"Reviewers cannot be assigned while the article is {article.state.label}.")
    errors = FieldErrors()
    if isinstance(reviewer_id, bool) or not isinstance(reviewer_id, int) or not 1 <= reviewer_id <= MAX_ID:
        errors.add("user_id", "Choose a reviewer.")
        errors.raise_if_any()
    due = clean_date(errors, "due_date", due_date, "Due date")
    if due is not None and due < today_utc():
        errors.add("due_date", "The due date is in the past.")
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is not None:
        require(actor, "assign_reviewer", (access, reviewer),
                message="You cannot assign yourself: another senior editor chooses who checks your work.")
    problem = reviewer_problem(reviewer, article, access.revision_author_ids)
    if problem:
        errors.add("user_id", problem)
    elif (existing := access.assignment_of(reviewer)) is not None and existing.declined_at is None:
        errors.add("user_id", f"{reviewer.name} is already assigned.")
    errors.raise_if_any("The reviewer was not assigned.")

    assignment = Assignment(article_id=article.id, reviewer_id=reviewer.id, assigned_by_id=actor.id, due_date=due)
    previous = access.assignment_of(reviewer)
    if previous is not None:  # a declined assignment is closed and replaced
        previous.removed_at = utcnow()
        previous.removed_by_id = actor.id
    db.session.add(assignment)
    db.session.flush()
    audit.record("review.assigned", actor=actor, object_type="assignment", object_id=assignment.id, article_id=article.id,
                 revision_number=article.version,
                 detail={"reviewer_id": reviewer.id, "reviewer": reviewer.name, "due_date": due.isoformat() if due else None})
    notifications.reviewer_assigned(actor, article, assignment)
    return assignment


def _assignment_for(access, reviewer_id) -> Assignment:
    for assignment in access.assignments:
        if assignment.reviewer_id == reviewer_id and assignment.removed_at is None:
            return assignment
    raise NotFound("That reviewer is not assigned to this article.")


def remove_assignment(actor: User, article: Article, reviewer_id: int) -> None:
    """Remove a pending assignment; one with a decision on the current revision stays on record."""
    access = load_access(article)
    require(actor, "assign_reviewers", access, message="Only senior editors remove reviewers.")
    assignment = _assignment_for(access, reviewer_id)
    # A signer whose account was deactivated may be removed: the editor's explicit choice to go on
    # without their signature (which stays on record as evidence).
    if assignment.status_for(article.version) in (Decision.APPROVED, Decision.CHANGES_REQUESTED) and assignment.reviewer.is_active_account:
        raise InvalidTransition("This reviewer already decided on the current revision; the assignment cannot be removed.")
    assignment.removed_at = utcnow()
    assignment.removed_by_id = actor.id
    db.session.flush()
    audit.record("review.removed", actor=actor, object_type="assignment", object_id=assignment.id, article_id=article.id,
                 revision_number=article.version, detail={"reviewer_id": reviewer_id})
    settle_review(actor, article, f"{assignment.reviewer.name} was removed from the reviewers")


def respond(actor: User, article: Article, *, accepted, reason=None, conflict_of_interest=None) -> Assignment:
    """The assigned reviewer accepts, declaring any conflict of interest for this article ("none" is
    a declaration; without one they accept but must declare when signing), or declines with a reason.
    A conflict declared after signing voids that signature."""
    access = load_access(article)
    require(actor, "respond_to_assignment", access, message="You are not assigned to review this article.")
    assignment = access.assignment_of(actor)
    errors = FieldErrors()
    if not isinstance(accepted, bool):
        errors.add("accepted", "Say whether you accept (true) or decline (false).")
    reason = clean_text(errors, "reason", reason, max_length=MAX_NOTE)
    conflict = clean_text(errors, "conflict_of_interest", conflict_of_interest, max_length=MAX_NOTE)
    if accepted is False and not reason:
        errors.add("reason", "Say why you decline.")
    errors.raise_if_any()
    if assignment.declined_at is not None:
        raise InvalidTransition("You already declined this assignment.")
    if assignment.status_for(article.version) == Decision.APPROVED and accepted is False:
        raise InvalidTransition("You approved the current revision; you can no longer decline it.")
    if not accepted:
        assignment.declined_at = utcnow()
        assignment.decline_reason = reason
        db.session.flush()
        audit.record("review.declined", actor=actor, object_type="assignment", object_id=assignment.id,
                     article_id=article.id, revision_number=article.version,
                     detail={"reason": reason, "conflict_of_interest": assignment.declaration})
        settle_review(actor, article, f"{actor.name} declined the review")
        return assignment
    statement = None if conflict is None or says_nothing_to_declare(conflict) else conflict
    if conflict is not None and statement is None and assignment.conflict_of_interest:
        raise InvalidTransition(
            "You declared a conflict of interest for this article; it stays on record. Ask an editor to waive it.")
    signed = assignment.status_for(article.version) == Decision.APPROVED
    new_conflict = statement is not None and statement != assignment.conflict_of_interest
    record_acceptance(actor, article, assignment, conflict=statement, declared=conflict is not None, at=utcnow())
    if signed and new_conflict:
        _void_signature(actor, article, assignment, "a conflict of interest was declared after signing")
    if new_conflict and actor.id in _live_signer_ids(article):
        # Readers see it beside the reviewer's name at once (public.page); the editors decide what next.
        audit.record("review.conflict_after_publication", actor=actor, object_type="assignment", object_id=assignment.id,
                     article_id=article.id, revision_number=article.version,
                     detail={"conflict_of_interest": statement})
        notifications.conflict_after_publication(actor, article, statement)
    return assignment


def _live_signer_ids(article: Article) -> set[int]:
    if article.live_revision_id is None:
        return set()
    return set(db.session.scalars(select(Signature.signer_id).where(Signature.revision_id == article.live_revision_id)))


def record_acceptance(actor: User, article: Article, assignment: Assignment, *, conflict: str | None,
                      declared: bool = True, at) -> None:
    """Accept the assignment, with the declaration made (`conflict` None with `declared`: none)."""
    assignment.accepted_at = assignment.accepted_at or at
    if declared:
        if conflict != assignment.conflict_of_interest or not assignment.has_declared:
            assignment.conflict_waived_at = None
            assignment.conflict_waived_by_id = None
            assignment.conflict_waiver_reason = None
        assignment.conflict_of_interest = conflict
        assignment.conflict_declared_at = at
    db.session.flush()
    audit.record("review.accepted", actor=actor, object_type="assignment", object_id=assignment.id, article_id=article.id,
                 revision_number=article.version,
                 detail={"reason": None, "conflict_of_interest": assignment.declaration})


def _void_signature(actor: User, article: Article, assignment: Assignment, reason: str) -> None:
    """The signature stays on record as evidence but no longer counts: the reviewer is pending again."""
    voided_revision = assignment.decided_revision
    assignment.decision = None
    assignment.decided_at = None
    db.session.flush()
    audit.record("signature.voided", actor=actor, object_type="assignment", object_id=assignment.id,
                 article_id=article.id, revision_number=voided_revision,
                 detail={"reason": reason, "reviewer_id": assignment.reviewer_id})
    settle_review(actor, article, f"{assignment.reviewer.name}'s signature was voided: {reason}")


def waive_conflict(actor: User, article: Article, reviewer_id: int, reason) -> Assignment:
    access = load_access(article)
    require(actor, "assign_reviewers", access, message="Only senior editors waive conflicts of interest.")
    assignment = _assignment_for(access, reviewer_id)
    require(actor, "waive_conflict", (access, assignment),
            message="You declared this conflict yourself: another senior editor must decide whether to waive it.")
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=MAX_NOTE, required=True)
    errors.raise_if_any()
    if not assignment.conflict_of_interest:
        raise InvalidTransition("This reviewer declared no conflict of interest.")
    if assignment.conflict_waived_at is not None:
        raise InvalidTransition("This conflict of interest is already waived.")
    assignment.conflict_waived_at = utcnow()
    assignment.conflict_waived_by_id = actor.id
    assignment.conflict_waiver_reason = reason
    db.session.flush()
    audit.record("review.conflict_waived", actor=actor, object_type="assignment", object_id=assignment.id,
                 article_id=article.id, detail={"reviewer_id": reviewer_id, "reason": reason})
    return assignment


def add_comment(actor: User, article: Article, body, quote=None, quote_prefix=None, quote_suffix=None) -> Comment:
    """A note in the review thread, tied to the current revision; it may quote the passage it is about,
    with the text just before and after it (a text-quote selector) to find that passage again."""
    require(actor, "comment", load_access(article), message="Only people working on this article can comment.")
    errors = FieldErrors()
    body = clean_text(errors, "body", body, max_length=MAX_NOTE, required=True, label="Comment")
    quote = clean_text(errors, "quote", quote, max_length=MAX_NOTE, label="Quoted passage")
    quote_prefix = clean_text(errors, "quote_prefix", quote_prefix, max_length=MAX_QUOTE_CONTEXT, label="Text before the passage")
    quote_suffix = clean_text(errors, "quote_suffix", quote_suffix, max_length=MAX_QUOTE_CONTEXT, label="Text after the passage")
    errors.raise_if_any("The comment was not saved.")
    if quote is None:  # context of no passage means nothing
        quote_prefix = quote_suffix = None
    comment = Comment(article_id=article.id, revision_number=article.version, author_id=actor.id, body=body, quote=quote,
                      quote_prefix=quote_prefix, quote_suffix=quote_suffix)
    db.session.add(comment)
    db.session.flush()
    audit.record("comment.added", actor=actor, object_type="comment", object_id=comment.id, article_id=article.id,
                 revision_number=article.version, detail={"quote": bool(quote)})
    return comment


def resolve_comment(actor: User, article: Article, comment_id: int) -> Comment:
    access = load_access(article)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.article_id != article.id:
        raise NotFound("No such comment.")
    if not (can(actor, "edit_article", access) or comment.author_id == actor.id):
        raise PermissionDenied("Only the author, an editor or the comment's writer can resolve it.")
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = actor.id
        db.session.flush()
        audit.record("comment.resolved", actor=actor, object_type="comment", object_id=comment.id, article_id=article.id)
    return comment


def open_workload(reviewer_ids: list[int]) -> dict[int, int]:
    """Open assignments per reviewer (not removed, not declined, on articles not yet published)."""
    if not reviewer_ids:
        return {}
    rows = db.session.execute(
        select(Assignment.reviewer_id, func.count(Assignment.id))
        .join(Article, Article.id == Assignment.article_id)
        .where(
            Assignment.reviewer_id.in_(reviewer_ids), Assignment.is_active, Article.is_open,
        )
        .group_by(Assignment.reviewer_id)
    ).all()
    return dict(rows)
