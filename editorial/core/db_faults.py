"""Database faults, named: connect and statement timeouts, a 503 with Retry-After when the database
is unreachable or too slow, and the load balancer's health endpoints.

- Timeouts (config.py): DB_CONNECT_TIMEOUT_SECONDS bounds opening a connection (PostgreSQL's
  connect_timeout); DB_STATEMENT_TIMEOUT_SECONDS makes PostgreSQL cancel a statement running longer
  (statement_timeout, set for every connection), so a hung database frees the worker well before
  gunicorn's timeout kills it; on SQLite DB_BUSY_TIMEOUT_SECONDS bounds the wait for another
  writer's lock. Migrations run without the statement timeout (migrations/env.py).
- An OperationalError (connection refused or lost, a timeout, a cancelled statement, SQLite's
  "database is locked") or a pool timeout answers 503 with Retry-After: a page, or under /api the
  error envelope with the code "unavailable". The request's transaction is rolled back.
- GET /healthz: the process is up (touches no database). GET /readyz: the database answers and its
  migrations are at the head, else 503. Neither needs a sign-in; both are JSON and never cached.
"""
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, g, jsonify, render_template
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from editorial.core.extensions import db, login_manager

bp = Blueprint("health", __name__)

UNAVAILABLE = ("Vetted is temporarily unavailable: its database cannot be reached or is too slow to answer. "
               "Please try again in a minute. If you were saving something, check whether it was saved "
               "before you send it again.")
API_UNAVAILABLE = "The database is unavailable or too slow to answer; try again later."


def engine_options(url: str, config) -> dict:
    """SQLAlchemy engine options carrying the configured timeouts to the driver."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if url.startswith("postgresql"):
        connect_args.setdefault("connect_timeout", int(config.get("DB_CONNECT_TIMEOUT_SECONDS") or 5))
        statement_ms = int(float(config.get("DB_STATEMENT_TIMEOUT_SECONDS") or 0) * 1000)
        connect_args["options"] = f"{connect_args.get('options', '')} -c statement_timeout={statement_ms}".strip()
        options.setdefault("pool_pre_ping", True)  # after an outage, drop dead pooled connections
    elif url.startswith("sqlite"):
        connect_args.setdefault("timeout", float(config.get("DB_BUSY_TIMEOUT_SECONDS") or 10))
    options["connect_args"] = connect_args
    return options


def _retry_after() -> str:
    return str(int(current_app.config.get("DB_UNAVAILABLE_RETRY_AFTER_SECONDS") or 30))


def unavailable_response(exc: Exception):
    from editorial.core.errorhandlers import error_response, wants_json

    current_app.logger.error("Database unavailable: %s", exc.__class__.__name__, exc_info=exc)
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        pass  # the connection is gone; the session is discarded at the end of the request anyway
    if wants_json():
        response, status = error_response(503, "unavailable", API_UNAVAILABLE)
    else:
        # The page must not read the database again: the navigation would load the signed-in user.
        g._login_user = login_manager.anonymous_user()
        response, status = current_app.make_response(
            render_template("error.html", status=503, message=UNAVAILABLE)), 503
    response.status_code = status
    response.headers["Retry-After"] = _retry_after()
    response.headers["Cache-Control"] = "no-store"
    return response


def _migrations_heads() -> list[str]:
    heads = current_app.extensions.get("vetted_migration_heads")
    if heads is None:
        script = ScriptDirectory(current_app.extensions["migrate"].directory)
        heads = current_app.extensions["vetted_migration_heads"] = sorted(script.get_heads())
    return heads


@bp.get("/healthz")
def healthz():
    response = jsonify({"status": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz():
    head = _migrations_heads()
    try:
        connection = db.session.connection()
        connection.execute(text("SELECT 1"))
        current = sorted(MigrationContext.configure(connection).get_current_heads())
    except (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError) as exc:
        current_app.logger.warning("Not ready: the database is unreachable (%s)", exc.__class__.__name__)
        db.session.rollback()
        body, status = {"status": "unavailable", "database": "unreachable"}, 503
    else:
        db.session.rollback()
        ready = current == head
        body = {"status": "ready" if ready else "unavailable", "database": "ok",
                "migrations": {"current": current, "head": head}}
        status = 200 if ready else 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = _retry_after()
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    for error in (sa_exc.OperationalError, sa_exc.TimeoutError):
        app.register_error_handler(error, unavailable_response)
