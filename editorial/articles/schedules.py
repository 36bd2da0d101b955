"""Scheduled publication and take-down. A schedule is a plan until the worker applies it."""
from datetime import datetime, timezone

from sqlalchemy import select

from editorial.accounts.models import User
from editorial.accounts.permissions import require
from editorial.articles.currency_models import Schedule
from editorial.articles.models import Article
from editorial.articles.workflow import State
from editorial.audit import chain as audit
from editorial.core.clock import now
from editorial.core.errors import InvalidTransition, NotFound, ValidationError
from editorial.core.extensions import db

ACTIONS = {"publish": State.APPROVED, "unpublish": State.PUBLISHED}
LABELS = {"publish": "Publish the approved revision", "unpublish": "Take the page down"}


def _refusal(article: Article, action: str) -> str | None:
    """Why `action` cannot be scheduled for this article now, or None."""
    if action == "publish" and article.state != State.APPROVED:
        return f"Only an approved article can be scheduled to publish; this one is {article.state.label}."
    if action == "unpublish" and (article.state != State.PUBLISHED or article.live_revision_id is None):
        return "There is no live page to take down: only a published article can be scheduled to come down."
    return None


def actions_for(article: Article) -> list[str]:
    """The schedule actions that make sense for the article as it stands (the form offers these)."""
    return [action for action in ACTIONS if _refusal(article, action) is None]


def pending_for(article: Article) -> list[Schedule]:
    return list(db.session.scalars(
        select(Schedule).where(Schedule.article_id == article.id, Schedule.status == "pending").order_by(Schedule.run_at)
    ))


def schedule(actor: User, article: Article, action: str, run_at) -> Schedule:
    """Plan `publish` (of the current approved revision) or `unpublish` at a future time."""
    require(actor, "manage_currency", message="Only senior editors schedule publication.")
    if action not in ACTIONS:
        raise ValidationError("Unknown action.", fields={"action": "Choose publish or unpublish."})
    if not isinstance(run_at, datetime):
        raise ValidationError("When?", fields={"run_at": "Give a date and time."})
    if run_at.tzinfo is None:
        run_at = run_at.replace(tzinfo=timezone.utc)
    if run_at <= now():
        raise ValidationError("That time has passed.", fields={"run_at": "Choose a time in the future."})
    refusal = _refusal(article, action)
    if refusal:
        raise InvalidTransition(refusal)
    if any(s.action == action for s in pending_for(article)):
        raise InvalidTransition(f"A {action} is already scheduled; cancel it first.")
    item = Schedule(article_id=article.id, action=action, run_at=run_at, created_by_id=actor.id,
                    revision_id=article.current_revision_id if action == "publish" else None)
    db.session.add(item)
    db.session.flush()
    audit.record("schedule.created", actor=actor, object_type="schedule", object_id=item.id, article_id=article.id,
                 revision_number=article.version, detail={"action": action, "run_at": run_at.isoformat()})
    return item


def close(item: Schedule, status: str, outcome: str, actor: User | None) -> None:
    item.status = status
    item.resolved_at = now()
    item.outcome = outcome
    db.session.flush()
    audit.record(f"schedule.{status}", actor=actor, object_type="schedule", object_id=item.id,
                 article_id=item.article_id, detail={"action": item.action, "outcome": outcome})


def cancel(actor: User, article: Article, schedule_id: int) -> None:
    require(actor, "manage_currency", message="Only senior editors cancel schedules.")
    item = db.session.get(Schedule, schedule_id)
    if item is None or item.article_id != article.id:
        raise NotFound("No such schedule.")
    if item.status != "pending":
        raise InvalidTransition("This schedule is no longer pending.")
    close(item, "cancelled", "cancelled by an editor", actor)


def void_pending(actor: User | None, article: Article, action: str, reason: str) -> None:
    """Void pending schedules that no longer make sense (e.g. the approved revision was replaced)."""
    for item in pending_for(article):
        if item.action == action:
            close(item, "voided", reason, actor)
