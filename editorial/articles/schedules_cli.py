"""`flask --app editorial schedules run`: the worker step that applies due schedules (cron, every minute)."""
import click
from flask.cli import AppGroup

from editorial.core.wording import count_of
from editorial.articles.schedules import apply_due

schedules_cli = AppGroup("schedules", help="Scheduled publication and take-down.")


@schedules_cli.command("run")
def run_due():
    """Apply every pending schedule whose time has come; safe to run from cron every minute."""
    results = apply_due()
    for schedule_id, status in results:
        click.echo(f"schedule {schedule_id}: {status}")
    click.echo(f"{count_of(len(results), 'due schedule')} handled.")
