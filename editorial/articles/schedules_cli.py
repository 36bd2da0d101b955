"""Applying due schedules: the worker step (`flask --app editorial schedules run`, from cron every
minute), which goes through the workflow door as the editor who scheduled each change."""
from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from editorial.accounts.models import User
from editorial.articles import history as article_history
from editorial.articles import transitions
from editorial.articles.currency_models import Schedule
from editorial.articles.schedules import close
from editorial.articles.workflow import State
from editorial.core.clock import now
from editorial.core.extensions import db
from editorial.core.wording import count_of

schedules_cli = AppGroup("schedules", help="Scheduled publication and take-down.")


@schedules_cli.command("run")
def run_due():
    """Apply every pending schedule whose time has come; safe to run from cron every minute."""
    results = apply_due()
    for schedule_id, status in results:
        click.echo(f"schedule {schedule_id}: {status}")
    click.echo(f"{count_of(len(results), 'due schedule')} handled.")


def apply_due(moment: datetime | None = None) -> list[tuple[int, str]]:
    """Apply every pending schedule whose time has come, each in its own transaction.
    Publishing goes through the workflow door as the editor who scheduled it."""
    moment = moment or now()
    due_ids = list(db.session.scalars(
        select(Schedule.id).where(Schedule.status == "pending", Schedule.run_at <= moment).order_by(Schedule.run_at)
    ))
    db.session.commit()
    results = []
    for schedule_id in due_ids:
        item = db.session.get(Schedule, schedule_id)
        article = article_history.get_article(item.article_id, for_update=True)
        if item.status != "pending":  # another worker got here first
            db.session.rollback()
            continue
        actor = db.session.get(User, item.created_by_id)
        if item.action == "publish" and (article.state != State.APPROVED or article.current_revision_id != item.revision_id):
            close(item, "voided", "the scheduled revision is no longer the approved one", None)
        elif item.action == "unpublish" and article.state != State.PUBLISHED:
            close(item, "voided", f"the article is {article.state}, not published", None)
        else:
            try:
                transitions.transition(actor, article, item.action, comment=f"Scheduled {item.action} #{item.id}")
            except Exception as exc:  # a refused transition voids the schedule, it never half-applies
                db.session.rollback()
                item = db.session.get(Schedule, schedule_id)
                close(item, "voided", getattr(exc, "message", str(exc))[:500], None)
            else:
                close(item, "applied", f"{item.action} applied", actor)
        db.session.commit()
        results.append((schedule_id, item.status))
    return results
