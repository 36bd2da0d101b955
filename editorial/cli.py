"""Command line (flask --app editorial ...), as API.md lists it."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from editorial.audit import verify_chain
from editorial.errors import DomainError
from editorial.extensions import db
from editorial.roles import Role
from editorial.services import users as user_service

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def audit_verify_export(path):
    """Check an exported JSON Lines log offline: each event's hash, and the links between consecutive events."""
    from editorial.audit_log import verify_export

    with open(path, encoding="utf-8") as handle:
        result = verify_export(handle)
    for problem in result.problems[:50]:
        click.echo(problem)
    click.echo(f"{'OK' if result.ok else 'NOT OK'}: {result.checked} events checked, {len(result.problems)} problems.")
    sys.exit(0 if result.ok else 1)


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    click.echo(f"Error: {exc.message}", err=True)
    for field, message in exc.fields.items():
        click.echo(f"  {field}: {message}", err=True)
    sys.exit(1)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema through the Alembic migrations (safe to run twice)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database is at the latest schema.")


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
    try:
        user = user_service.create_user(
            None, email=email, name=name, password=password, roles=list(roles),
            credentials=credentials, specialty=specialty, affiliation=affiliation, disclosure=disclosure,
        )
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
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
    try:
        _, raw = user_service.issue_token(None, user, label)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once; keep it secret):")
    click.echo(raw)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo newsroom and print its logins."""
    from editorial.demo import DEMO_PASSWORD, seed

    people = seed()
    db.session.commit()
    click.echo(f"Demo newsroom ready. Every demo account's password is: {DEMO_PASSWORD}")
    for user in people:
        click.echo(f"  {', '.join(r.value for r in user.sorted_roles):<10} {user.email:<28} {user.name}")


@audit_cli.command("verify")
def audit_verify():
    """Walk the hash chain; exit 1 and name the first broken event when it is not intact."""
    report = verify_chain()
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events checked.")
        return
    click.echo(f"Audit chain BROKEN at event {report.first_broken_id} (after {report.checked - 1} intact events).")
    click.echo(report.first_broken_id)
    sys.exit(1)


articles_cli = AppGroup("articles", help="Work with articles from the command line.")


@articles_cli.command("list")
@click.option("--state", default=None)
def articles_list(state):
    """List articles with their state and version."""
    from sqlalchemy import select

    from editorial.models import Article

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
def articles_transition(article_id, action, email, comment):
    """Apply a workflow action as a user (the same rules as the pages and the API).
    Approving asks for that user's password, which is their signature."""
    from editorial.services import articles as article_service

    actor = user_service.find_by_email(email)
    if actor is None:
        click.echo(f"Error: no user with e-mail {email}", err=True)
        sys.exit(1)
    password = click.prompt("Password (your signature)", hide_input=True) if action == "approve" else None
    try:
        article = article_service.get_article(article_id, for_update=True)
        article_service.transition(actor, article, action, comment=comment, password=password)
    except DomainError as exc:
        if exc.keeps_audit_record:
            db.session.commit()
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        _fail(exc)
    db.session.commit()
    click.echo(f"Article {article.id} is now {article.state} (version {article.version}).")


def init_app(app):
    app.cli.add_command(articles_cli)
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
