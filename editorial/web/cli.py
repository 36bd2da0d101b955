"""Command line (flask --app editorial ...), as API.md lists it."""
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from editorial.audit.chain import verify_chain
from editorial.core.extensions import db
from editorial.accounts.roles import Role
from editorial.accounts import service as user_service

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False),
              help="The audit public key you trust (from /transparency/audit-public-key.pem); "
                   "without it the export's own key checks its checkpoint.")
def audit_verify_export(path, public_key):
    """Check an exported JSON Lines log offline: each event's hash, the links between events, its
    manifest (count, ends) and, for a complete export, the signed checkpoint it carries."""
    from editorial.audit.log import verify_export

    trusted = Path(public_key).read_text(encoding="utf-8") if public_key else None
    with open(path, encoding="utf-8") as handle:
        result = verify_export(handle, trusted)
    for problem in result.problems[:50]:
        click.echo(problem)
    for note in result.notes:
        click.echo(f"Note: {note}.")
    click.echo(f"{'OK' if result.ok else 'NOT OK'}: {result.checked} events checked, {len(result.problems)} problems.")
    sys.exit(0 if result.ok else 1)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema through the Alembic migrations (safe to run twice)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database is at the latest schema.")


@click.command("db-roles")
@click.argument("app_role")
@click.option("--password-env", default=None, metavar="VAR",
              help="Set the role's login password from this environment variable (never on the command line).")
@click.option("--print", "print_only", is_flag=True, help="Print the SQL instead of running it.")
@with_appcontext
def db_roles(app_role, password_env, print_only):
    """PostgreSQL: create or re-grant APP_ROLE, the role the app runs as (owns nothing, cannot rewrite
    history or disable triggers). Run as the owner, after every init-db."""
    from sqlalchemy import text

    from editorial.audit.db_roles import role_statements

    password = os.environ.get(password_env) if password_env else None
    if password_env and not password:
        click.echo(f"Error: {password_env} is not set.", err=True)
        sys.exit(1)
    try:
        statements = role_statements(app_role, password=password)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if print_only:
        for statement in statements:
            click.echo(statement.replace(password, "********") + ";" if password else statement + ";")
        return
    if db.engine.dialect.name != "postgresql":
        click.echo("Error: db-roles is for PostgreSQL; SQLite has no roles (its file's owner can rewrite it).", err=True)
        sys.exit(1)
    for statement in statements:
        db.session.execute(text(statement))
    click.echo(f"Role {app_role} is ready: connect the app as it; keep running init-db as the owner.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", required=True)
@click.option("--credentials")
@click.option("--specialty")
@click.option("--affiliation")
@click.option("--disclosure")
def users_create(email, name, roles, password, credentials, specialty, affiliation, disclosure):
    """Create a user."""
    user = user_service.create_user(
        None, email=email, name=name, password=password, roles=list(roles),
        credentials=credentials, specialty=specialty, affiliation=affiliation, disclosure=disclosure,
    )
    click.echo(f"Created user {user.id}: {user.email} ({', '.join(r.value for r in user.sorted_roles)})")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="command line")
def users_token(email, label):
    """Issue a new API token and print it as the last line."""
    user = user_service.find_by_email(email)
    if user is None:
        click.echo(f"Error: no user with e-mail {email}", err=True)
        sys.exit(1)
    _, raw = user_service.issue_token(None, user, label)
    click.echo(f"API token for {user.email} (shown once; keep it secret):")
    click.echo(raw)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo newsroom and print its logins."""
    from editorial.demo.seed import DEMO_PASSWORD, seed

    people = seed()
    click.echo(f"Demo newsroom ready. Every demo account's password is: {DEMO_PASSWORD}")
    for user in people:
        click.echo(f"  {', '.join(r.value for r in user.sorted_roles):<10} {user.email:<28} {user.name}")
    if db.engine.dialect.name == "sqlite":
        click.echo("Note: this demo keeps its data in a SQLite file; whoever owns the file can rewrite it, "
                   "triggers and all. The signed audit checkpoints, kept outside it, are what detect that "
                   "(flask --app editorial audit verify).")


@audit_cli.command("verify")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1, show_default="CPU count",
              help="Check this many id ranges in parallel processes.")
def audit_verify(jobs):
    """Walk the hash chain; exit 1 and name the first broken event when it is not intact."""
    report = verify_chain(jobs=jobs)
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events checked against {report.checkpoints} signed "
                   f"checkpoints; {report.rows_checked} revisions and signatures match the events that recorded them.")
        return
    click.echo(f"Audit chain BROKEN at event {report.first_broken_id}: {report.problem}.")
    click.echo(report.first_broken_id if report.first_broken_id is not None else "")
    sys.exit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Sign the chain's head with the audit key (cron, at least hourly; publishing makes one too)."""
    from editorial.audit.checkpoints import make_checkpoint

    checkpoint = make_checkpoint("scheduled")
    if checkpoint is None:
        click.echo("Nothing new since the latest checkpoint.")
        return
    click.echo(f"Checkpoint: event {checkpoint.event_id} ({checkpoint.event_count} events), hash {checkpoint.event_hash}.")


articles_cli = AppGroup("articles", help="Work with articles from the command line.")


@articles_cli.command("list")
@click.option("--state", default=None)
def articles_list(state):
    """List articles with their state and version."""
    from sqlalchemy import select

    from editorial.articles.models import Article

    statement = select(Article).order_by(Article.id)
    if state:
        statement = statement.where(Article.state == state)
    for article in db.session.scalars(statement):
        click.echo(f"{article.id:>6}  {article.state:<18} v{article.version:<4} {article.slug}")


@articles_cli.command("transition")
@click.argument("article_id", type=int)
@click.argument("action")
@click.option("--as", "email", required=True, help="The e-mail of the person taking the action.")
@click.option("--comment", default=None)
@click.option("--revision", type=int, default=None, help="approve: the revision you read (default: shown and confirmed).")
@click.option("--content-hash", default=None, help="approve: that revision's content hash (default: shown and confirmed).")
@click.option("--conflict-of-interest", default=None,
              help='approve: your declaration for this article ("none"), unless made when accepting.')
def articles_transition(article_id, action, email, comment, revision, content_hash, conflict_of_interest):
    """Apply a workflow action as a user (the same rules as the pages and the API).
    Approving names the revision and content hash signed (shown and confirmed when not given)
    and asks for that user's password, which is their signature."""
    from editorial.articles import history as article_history, transitions

    actor = user_service.find_by_email(email)
    if actor is None:
        click.echo(f"Error: no user with e-mail {email}", err=True)
        sys.exit(1)
    password = None
    if action == "approve":
        if (revision is None) != (content_hash is None):
            click.echo("Error: give both --revision and --content-hash (what you read), or neither to be shown them.",
                       err=True)
            sys.exit(1)
        if revision is None:
            shown = article_history.current_revision(article_history.get_article(article_id))
            click.echo(f"You are signing revision {shown.number}, content hash {shown.content_hash}.")
            click.confirm("Sign this revision?", abort=True)
            revision, content_hash = shown.number, shown.content_hash
            db.session.rollback()  # the signature is checked again under the article's lock below
        password = click.prompt("Password (your signature)", hide_input=True)
    article = article_history.get_article(article_id, for_update=True)
    transitions.transition(actor, article, action, comment=comment, password=password, revision=revision,
                               content_hash=content_hash, conflict_of_interest=conflict_of_interest)
    click.echo(f"Article {article.id} is now {article.state} (version {article.version}).")


def init_app(app):
    from editorial.articles.schedules_cli import schedules_cli

    app.cli.add_command(schedules_cli)
    app.cli.add_command(articles_cli)
    app.cli.add_command(init_db)
    app.cli.add_command(db_roles)
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(citations_cli)
    app.cli.add_command(notifications_cli)


from editorial.citations.retractions import SOURCES as RETRACTION_SOURCES# noqa: E402 (this group is appended)

citations_cli = AppGroup("citations", help="Work with the citation library.")


@citations_cli.command("check-retractions")
@click.option("--source", "source_name", default="crossref", show_default=True,
              type=click.Choice(RETRACTION_SOURCES), help="Where to look retractions up.")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 1000))
def citations_check_retractions(source_name, batch):
    """The retraction worker: look up every unretracted DOI and flag the retracted ones.
    Exits 0 when some lookups failed (they are listed), 1 only when none succeeded."""
    from editorial.citations.retractions import source_from_config
    from editorial.citations.retraction_checks import check_library

    # RETRACTION_FETCH in app config replaces HTTP (tests); CROSSREF_MAILTO joins Crossref's polite pool.
    source = source_from_config(source_name, current_app.config)
    report = check_library(source, None, batch=batch, commit=True)
    for doi, reason in sorted(report.errors.items()):
        click.echo(f"  could not check {doi}: {reason}", err=True)
    click.echo(f"Checked {report.checked}, flagged {len(report.flagged)}, errors {len(report.errors)}.")
    for key in report.flagged:
        click.echo(f"  retracted: [@{key}]")
    if report.total_failure:
        sys.exit(1)


@citations_cli.command("load-retraction-watch")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", default=None, help="The editor to record as the actor (default: system).")
def citations_load_retraction_watch(file, email):
    """Flag citations that a Retraction Watch CSV export lists as retracted (by DOI or PMID)."""
    from editorial.citations.retraction_checks import load_retraction_watch

    actor = None
    if email:
        actor = user_service.find_by_email(email)
        if actor is None:
            click.echo(f"Error: no user with e-mail {email}", err=True)
            sys.exit(1)
    report = load_retraction_watch(file, actor)
    click.echo(f"Read {report.checked} retractions ({report.skipped} other rows skipped), "
               f"flagged {len(report.flagged)}.")
    for key in report.flagged:
        click.echo(f"  retracted: [@{key}]")


notifications_cli = AppGroup("notifications", help="The notification outbox: reminders and e-mail delivery.")


def _reminder_days(days):
    from editorial.notifications import service as notification_service

    return notification_service.reminder_days(current_app.config) if days is None else days


@notifications_cli.command("remind")
@click.option("--days", type=click.IntRange(0, 365), default=None,
              help="Remind reviewers this many days before the due date (default NOTIFY_REMINDER_DAYS or 2).")
def notifications_remind(days):
    """Queue reminders for reviews due soon or overdue; each is queued once however often this runs."""
    from editorial.notifications import service as notification_service

    created = notification_service.queue_reminders(_reminder_days(days))
    click.echo(f"Queued {created} new reminders.")


@notifications_cli.command("send")
@click.option("--days", type=click.IntRange(0, 365), default=None, help="As for `remind`.")
@click.option("--no-remind", is_flag=True, help="Only deliver; do not queue reminders first.")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True)
def notifications_send(days, no_remind, batch):
    """The worker (safe to run from cron every minute): queue due reminders, then e-mail what is due.
    Each message is sent at most once; failures are retried with back-off. Without SMTP_HOST
    nothing is sent and the messages stay on the admin outbox page."""
    from editorial.core.mailer import SmtpSettings, setting
    from editorial.notifications import service as notification_service

    if not no_remind:
        created = notification_service.queue_reminders(_reminder_days(days))
        click.echo(f"Queued {created} new reminders.")
    settings = SmtpSettings.from_config(current_app.config)
    if not settings.configured:
        waiting = notification_service.pending_count()
        click.echo(f"SMTP is not configured (SMTP_HOST is not set): nothing was sent; {waiting} messages "
                   "wait in the outbox (/admin/outbox).")
        return
    report = notification_service.deliver(
        settings, batch=batch,
        max_attempts=int(setting(current_app.config, "NOTIFY_MAX_ATTEMPTS", notification_service.DEFAULT_MAX_ATTEMPTS)),
        cap_minutes=int(setting(current_app.config, "NOTIFY_BACKOFF_CAP_MINUTES",
                                notification_service.DEFAULT_BACKOFF_CAP_MINUTES)),
    )
    for error in report.errors[:50]:
        click.echo(f"  {error}", err=True)
    click.echo(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}; "
               f"{report.waiting} pending.")
