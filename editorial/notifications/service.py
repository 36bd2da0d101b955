"""Notifications: a transactional outbox and the worker that delivers it.

Writing. The workflow services call the event functions below (reviewer_assigned, changes_requested,
article_approved, article_published) inside their own transaction, so a notification exists
exactly when the change it reports was committed; a refused or rolled-back action leaves none.
Reminders are inserted by the worker (queue_reminders), once per assignment and due date,
however often it runs (a unique dedupe key).

Who is told:
- review_requested    every assigned reviewer (not declined), each time the article is submitted or
                      resubmitted, and a reviewer assigned while it is in review: with the writer's
                      note and a link to what changed since that reviewer last decided (nothing is
                      sent on assigning a reviewer to an article not yet submitted);
- reviewer_wanted     the senior editors, once per revision, when a writer tries to submit an article
                      no reviewer is assigned to;
- changes_requested   the article's author;
- published           the article's author;
- approved            the editors who assigned the article's active reviewers (each still an active
                      senior editor); when none of them is, every active senior editor;
- reminder_before     a reviewer whose due date is today or within NOTIFY_REMINDER_DAYS (default 2);
- reminder_overdue    a reviewer whose due date has passed;
never the person who took the action themselves, and never a deactivated account.

Delivering (deliver()): rows are claimed in a short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED;
SQLite's write lock already lets one writer in), marked `sending` and committed BEFORE the SMTP
server is contacted; each is marked `sent` right after the server accepted it. A failure puts the
row back to `pending` with exponential back-off (1, 2, 4 ... minutes, capped), or `failed` after
NOTIFY_MAX_ATTEMPTS attempts or a permanent (5xx) refusal. Delivery is at most once: a message whose
connection broke while it was being sent (the server may have taken it) fails instead of being
retried, and a row left in `sending` (a worker died mid-send) is never resent automatically; an
administrator decides on the outbox page.

Wording. Each kind's subject and text are the Jinja template templates/email/<kind>.txt, rendered when
the event happens (compose) and stored in the outbox as plain text, which the notifications page
shows. The e-mail is multipart/alternative: that text, then HTML, both rendered when it is sent
(email_parts: email/message.txt and email/message.html, shared by every kind, the HTML escaped).
The HTML is made from the stored text rather than stored beside it, which would need a new column.
"""
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from editorial.audit import chain as audit
from editorial.core.clock import now
from editorial.core.dates import today_utc
from editorial.core.errors import InvalidTransition, NotFound
from editorial.core.extensions import db
from editorial.core.mailer import SmtpConnection, SmtpSettings, build_message, setting
from editorial.articles.models import Article
from editorial.reviews.models import Assignment
from editorial.notifications.models import Notification
from editorial.accounts.models import User, UserRole
from editorial.accounts.permissions import require
from editorial.accounts.roles import Role
from editorial.articles.workflow import Decision, State

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)

KIND_LABELS = {
    "review_assigned": "Assigned to review",  # sent before #16 on assigning; older rows keep it
    "review_requested": "Review requested",
    "reviewer_wanted": "Reviewer wanted",
    "changes_requested": "Changes requested",
    "approved": "Ready to publish",
    "published": "Published",
    "reminder_before": "Review due soon",
    "reminder_overdue": "Review overdue",
    "account_locked": "Account locked",
    "page_withheld": "Live page withheld",
    "conflict_after_publication": "Conflict declared after publication",
}

DEFAULT_REMINDER_DAYS = 2
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_BACKOFF_CAP_MINUTES = 60
# A row still `sending` this long after it was claimed belongs to a worker that stopped mid-send.
STUCK_AFTER = timedelta(minutes=15)
MAX_SUBJECT = 300
MAX_ERROR = 1_000


def article_link(article_id: int) -> str:
    return f"/articles/{article_id}"


def since_my_review_link(article_id: int) -> str:
    """Opens, for whoever follows it, what changed since they last decided (views.articles.since_my_review)."""
    return f"/articles/{article_id}/since-my-review"


# --- Writing to the outbox --------------------------------------------------------------

def notify(user: User, kind: str, subject: str, body: str, *, article_id: int | None = None,
           dedupe_key: str | None = None, link: str | None = None) -> Notification | None:
    """Add one message to the outbox in the caller's transaction. With a dedupe key, a second
    insert of the same key adds nothing (and returns None), even when two workers race."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if user is None or not user.is_active_account:
        return None
    moment = now()
    notification = Notification(
        user_id=user.id, kind=kind, subject=subject[:MAX_SUBJECT], body=body,
        link=link or (article_link(article_id) if article_id is not None else None), article_id=article_id,
        created_at=moment, next_attempt_at=moment, status=PENDING, attempts=0, dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        db.session.add(notification)
        db.session.flush()
        return notification
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return None
    try:
        with db.session.begin_nested():  # a concurrent worker may insert the same key first
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def compose(kind: str, **context) -> tuple[str, str]:
    """The subject and text of one kind of message, from its template (templates/email/<kind>.txt)."""
    message = current_app.jinja_env.get_template(f"email/{kind}.txt").make_module(context)
    return str(message.subject()), str(message.body())


def _tell(user: User | None, kind: str, *, article_id: int | None = None, dedupe_key: str | None = None,
          link: str | None = None, **context) -> Notification | None:
    """Compose one kind of message for this user (the template's `recipient`) and add it to the outbox."""
    if user is None:
        return None
    subject, body = compose(kind, recipient=user, **context)
    return notify(user, kind, subject, body, article_id=article_id, dedupe_key=dedupe_key, link=link)


def reviewer_assigned(actor: User, article: Article, assignment: Assignment) -> None:
    """Called by reviews.service.assign_reviewer. A reviewer assigned while the article is in review
    is asked at once; one assigned earlier hears nothing until there is something to read (the
    submission asks every assigned reviewer: review_requested). Their desk lists it meanwhile."""
    if article.state != State.IN_REVIEW or assignment.reviewer_id == actor.id:
        return
    _ask_to_review(db.session.get(User, assignment.reviewer_id), article, assignment, asked_by=actor, note=None)


def review_requested(actor: User, article: Article, assignments: list[Assignment], note: str | None) -> None:
    """Called by articles.transitions._submit: every assigned reviewer who has not declined is asked
    again, each with the link to what changed since they last decided."""
    for assignment in assignments:
        if assignment.is_active and assignment.reviewer_id != actor.id:
            _ask_to_review(assignment.reviewer, article, assignment, asked_by=actor, note=note)


def _ask_to_review(reviewer: User, article: Article, assignment: Assignment, *, asked_by: User, note: str | None) -> None:
    looked = assignment.revision_to_compare(article.version)
    _tell(reviewer, "review_requested", article=article, asked_by=asked_by, note=note, due_date=assignment.due_date,
          looked=looked, signed=assignment.decision == Decision.APPROVED,
          article_id=article.id, link=article_link(article.id) if looked is None else since_my_review_link(article.id))


def reviewer_wanted(actor: User, article: Article) -> None:
    """Called by articles.transitions.transition when a submission was refused for want of a reviewer:
    the senior editors hear of it once for each revision, however often the writer tries."""
    for editor in db.session.scalars(_active_role_members(Role.EDITOR)):
        if editor.id == actor.id:
            continue
        _tell(editor, "reviewer_wanted", actor=actor, article=article,
              article_id=article.id, dedupe_key=f"reviewer-wanted:{article.id}:{article.version}:{editor.id}")


def changes_requested(actor: User, article: Article, comment: str | None) -> None:
    """Called by articles.transitions._request_changes: tell the author."""
    author = db.session.get(User, article.author_id)
    if author is None or author.id == actor.id:
        return
    _tell(author, "changes_requested", actor=actor, article=article, comment=comment, article_id=article.id)


def article_published(actor: User, article: Article) -> None:
    """Called by articles.transitions._publish: tell the author."""
    author = db.session.get(User, article.author_id)
    if author is None or author.id == actor.id:
        return
    _tell(author, "published", actor=actor, article=article, article_id=article.id)


def approval_recipients(access) -> list[User]:
    """The editors who assigned the article's active reviewers, where each is still an active senior
    editor; otherwise every active senior editor (so an approval is never announced to nobody)."""
    assigners = sorted({a.assigned_by for a in access.active_assignments}, key=lambda u: u.id)  # read with them
    assigners = [u for u in assigners if u.is_active_account and u.has_role(Role.EDITOR)]
    if assigners:
        return assigners
    return list(db.session.scalars(_active_role_members(Role.EDITOR)))


def _active_role_members(role: Role | str):
    """Active accounts holding this role, oldest first."""
    return (select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == str(role), User.is_active_account.is_(True)).order_by(User.id))


def article_approved(actor: User, article: Article, access) -> None:
    """Called by articles.transitions._approve when the last signature made the article approved."""
    signers = len(access.active_assignments)
    for editor in approval_recipients(access):
        if editor.id == actor.id:
            continue
        _tell(editor, "approved", actor=actor, article=article, signers=signers, article_id=article.id)


# --- Reminders ---------------------------------------------------------------------------

def _active_admins(except_id: int | None = None) -> list[User]:
    statement = _active_role_members(Role.ADMIN)
    if except_id is not None:
        statement = statement.where(User.id != except_id)
    return list(db.session.scalars(statement))


def account_locked(user: User, kind: str) -> None:
    """Every active administrator hears that an account locked itself after repeated failures."""
    for admin in _active_admins(except_id=user.id):
        _tell(admin, "account_locked", locked=user, failed_action=kind)


def conflict_after_publication(actor: User, article: Article, statement: str) -> None:
    """The editors hear that a reviewer of the live page declared a conflict after signing it."""
    from editorial.accounts.access import load_access

    for editor in approval_recipients(load_access(article)):
        _tell(editor, "conflict_after_publication", actor=actor, article=article, statement=statement,
              article_id=article.id)


def page_withheld(article_id: int, revision_number: int | None, reason: str) -> None:
    """Every active administrator hears that a live page was withheld from readers (it fails closed)."""
    for admin in _active_admins():
        _tell(admin, "page_withheld", revision_number=revision_number, reason=reason, article_id=article_id)


def reminder_days(config=None) -> int:
    return int(setting(config, "NOTIFY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def queue_reminders(days: int = DEFAULT_REMINDER_DAYS) -> int:
    """Insert the reminders that are due now; returns how many were new. Safe to run at any
    frequency: each (assignment, due date) gets at most one 'before' and one 'overdue' reminder.
    Flushes; the caller commits."""
    today = today_utc()
    rows = db.session.execute(
        select(Assignment, Article).join(Article, Article.id == Assignment.article_id)
        .where(
            Assignment.is_active, Assignment.due_date.is_not(None), Assignment.due_date <= today + timedelta(days=days),
            Article.state == State.IN_REVIEW, Assignment.awaits_decision_on(Article.version),
        )
        .order_by(Assignment.id)
    ).all()
    created = 0
    for assignment, article in rows:
        reviewer = db.session.get(User, assignment.reviewer_id)
        due = assignment.due_date
        if due >= today:
            kind, key = "reminder_before", f"reminder-before:{assignment.id}:{due.isoformat()}"
        else:
            kind, key = "reminder_overdue", f"reminder-overdue:{assignment.id}:{due.isoformat()}"
        if _tell(reviewer, kind, article=article, due_date=due, due_today=due == today,
                 article_id=article.id, dedupe_key=key) is not None:
            created += 1
    db.session.flush()
    return created


# --- Delivering ---------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    configured: bool = True
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # pending rows left for later (back-off, or no SMTP configured)
    errors: list[str] = field(default_factory=list)


def message_id(notification_id: int, settings: SmtpSettings) -> str:
    return f"<vetted-notification-{notification_id}@{settings.domain}>"


def backoff(attempts: int, cap_minutes: int = DEFAULT_BACKOFF_CAP_MINUTES) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8 ... minutes, at most cap_minutes."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap_minutes))


def email_parts(notification: Notification, settings: SmtpSettings) -> tuple[str, str]:
    """The text and the HTML of the e-mail for a stored notification (templates/email/message.txt, .html)."""
    context = {"notification": notification,
               "url": f"{settings.base_url}{notification.link}" if notification.link else None}
    return tuple(current_app.jinja_env.get_template(f"email/message.{part}").render(context) for part in ("txt", "html"))


def _claim(batch: int) -> list[int]:
    """Take up to `batch` due rows, mark them `sending` and commit, before any SMTP traffic."""
    moment = now()
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.status == PENDING, Notification.next_attempt_at <= moment)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        row.status = SENDING
        row.claimed_at = moment
        row.attempts += 1
    ids = [row.id for row in rows]
    db.session.commit()
    return ids


def _settle(notification_id: int, *, error: str | None = None, permanent: bool = False,
            max_attempts: int, cap_minutes: int) -> str:
    """Record the outcome of one attempt and commit it at once."""
    row = db.session.get(Notification, notification_id, populate_existing=True)
    moment = now()
    if error is None:
        row.status, row.sent_at, row.last_error = SENT, moment, None
    elif permanent or row.attempts >= max_attempts:
        row.status, row.last_error = FAILED, error[:MAX_ERROR]
    else:
        row.status, row.last_error = PENDING, error[:MAX_ERROR]
        row.next_attempt_at = moment + backoff(row.attempts, cap_minutes)
    status = row.status
    db.session.commit()  # (reading row.status after this would open a new transaction during SMTP traffic)
    return status


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: {exc.smtp_code} {error}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _message_level(exc: BaseException) -> bool:
    """A refusal of this one message; the connection is still good for the next."""
    return isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError))


def deliver(settings: SmtpSettings, *, batch: int = 50, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
            cap_minutes: int = DEFAULT_BACKOFF_CAP_MINUTES, connect=SmtpConnection, max_batches: int = 100) -> DeliveryReport:
    """Send what is due. Commits as it goes (the claim, then each outcome)."""
    report = DeliveryReport(configured=settings.configured)
    if not settings.configured:
        report.waiting = pending_count()
        return report
    outcome = {SENT: "sent", PENDING: "retrying", FAILED: "failed"}
    for _ in range(max_batches):
        ids = _claim(batch)
        if not ids:
            break
        rows = db.session.scalars(
            select(Notification).options(joinedload(Notification.user)).where(Notification.id.in_(ids))
            .order_by(Notification.id)
        ).all()
        work = []
        for row in rows:
            if not row.user.is_active_account:
                work.append((row.id, None))
            else:
                text, html = email_parts(row, settings)
                work.append((row.id, build_message(
                    settings, to=row.user.email, subject=row.subject, text=text, html=html,
                    message_id=message_id(row.id, settings), date=now(),
                )))
        db.session.rollback()  # end the read transaction before talking to the SMTP server
        settled: set[int] = set()

        def settle(nid, error=None, permanent=False):
            status = _settle(nid, error=error, permanent=permanent, max_attempts=max_attempts, cap_minutes=cap_minutes)
            settled.add(nid)
            key = outcome[status]
            setattr(report, key, getattr(report, key) + 1)
            if error:
                report.errors.append(f"notification {nid}: {error}")

        connection_error = None
        try:
            with connect(settings) as smtp:
                for nid, message in work:
                    if message is None:
                        settle(nid, "recipient account is deactivated", permanent=True)
                        continue
                    try:
                        smtp.send(message)
                    except (smtplib.SMTPException, OSError) as exc:
                        if not _message_level(exc):
                            # The connection broke in the middle of this message: the server may have
                            # accepted it before its answer was lost, so sending it again could send it
                            # twice. It fails (visible in the outbox, where an administrator can requeue
                            # it); the rest of the batch is retried below.
                            settle(nid, f"{_describe(exc)} (the connection broke while sending; it may have "
                                        "been delivered, so it is not retried automatically)", permanent=True)
                            raise
                        settle(nid, _describe(exc), permanent=_is_permanent(exc))
                    else:
                        settle(nid)
        except (smtplib.SMTPException, OSError) as exc:
            # Could not connect, or the connection broke: every row not yet settled waits for a retry.
            connection_error = _describe(exc)
            for nid, _message in work:
                if nid not in settled:
                    settle(nid, connection_error)
        if connection_error or len(ids) < batch:
            break
    report.waiting = pending_count()
    return report


def pending_count() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.status == PENDING)) or 0


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(
        select(Notification.status, func.count(Notification.id)).group_by(Notification.status)
    ).all())


# --- Reading and the administrator's outbox ---------------------------------------------

def user_statement(user: User):
    """The user's own notifications, newest first."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def outbox_statement(status: str | None = None):
    statement = select(Notification).options(joinedload(Notification.user)).order_by(Notification.id.desc())
    if status:
        statement = statement.where(Notification.status == status)
    return statement


def is_stuck(notification: Notification) -> bool:
    """Left in `sending` by a worker that stopped mid-send: it may or may not have gone out."""
    return (notification.status == SENDING and notification.claimed_at is not None
            and now() - notification.claimed_at >= STUCK_AFTER)


def can_requeue(notification: Notification) -> bool:
    return notification.status == FAILED or is_stuck(notification)


def requeue(actor: User, notification_id: int) -> Notification:
    """An administrator sends a failed (or stuck) message again: back to pending, attempts from zero."""
    require(actor, "requeue_notification", message="Only administrators requeue messages.")
    notification = db.session.scalar(
        select(Notification).where(Notification.id == notification_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    if notification is None:
        raise NotFound("No such message.")
    if not can_requeue(notification):
        raise InvalidTransition(
            "Only a failed message, or one stuck in sending for more than "
            f"{int(STUCK_AFTER.total_seconds() // 60)} minutes, can be requeued."
        )
    from_status, attempts = notification.status, notification.attempts
    notification.status = PENDING
    notification.attempts = 0
    notification.next_attempt_at = now()
    notification.claimed_at = None
    db.session.flush()
    audit.record("notification.requeued", actor=actor, object_type="notification", object_id=notification.id,
                 article_id=notification.article_id,
                 detail={"from_status": from_status, "attempts": attempts, "user_id": notification.user_id})
    return notification
