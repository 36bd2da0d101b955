"""One unit of work per request and per command: services flush, this module commits or rolls back.

- A request that may write (POST, PUT, PATCH, DELETE) ends its transaction once, as it answers
  (after_request, before the answer is sent): committed when it answered below 400, rolled back
  otherwise, so that a 4xx or 500 leaves nothing half-written. A refusal turned into an answer (the
  error handler, a page shown again with the refusal: refused()) rolls back whatever the status,
  unless the refusal was itself recorded (DomainError.keeps_audit_record: its audit record and
  failure count must stand). The answer is sent only once the commit succeeded: a commit the
  database refuses for being unreachable or too slow answers 503 (db_faults). An answer that
  describes the changed rows (the API's) may be built after the commit, from the rows as the
  request left them (commit_before_answering): then the writer's locks are not held while it is
  read and serialised.
- A safe request (GET, HEAD, OPTIONS) only reads (tests/conftest.py fails a test where one writes):
  its transaction ends with the request's session, after a streamed answer (the audit export) too.
  The writes that stand apart from the request's own (when a session was last seen, when a token was
  last used, a withheld public page recorded) go through on_its_own().
- A command (flask --app editorial ...) is one unit of work too: committed when it returns or exits
  with 0, rolled back when it raises or exits otherwise; a refusal is printed and exits 1.
- Mail is never sent from a request: it is queued in the outbox in the same transaction as what it
  reports, and the worker sends what was committed (notifications/service.py).
"""
import functools
import logging
import sys
from contextlib import contextmanager

import click
from flask import g, request
from flask.cli import with_appcontext
from sqlalchemy import exc as sa_exc

from editorial.core.errors import DomainError
from editorial.core.extensions import SAFE_METHODS, db, writing_out_of_band

log = logging.getLogger(__name__)


def refused(refusal: DomainError) -> None:
    """Note that the request answers with this refusal: its changes are rolled back as it ends,
    unless the refusal keeps its audit record."""
    g.refusal = refusal


def _should_commit(status: int) -> bool:
    refusal = g.get("refusal")
    if refusal is not None:
        return refusal.keeps_audit_record
    return status < 400


def _end_request_transaction(response):
    if request.method in SAFE_METHODS:
        return response
    if g.get("committed_before_answering"):
        _roll_back()  # what followed the commit only read
        return response
    if not _should_commit(response.status_code):
        _roll_back()
        return response
    try:
        db.session.commit()
    except (sa_exc.OperationalError, sa_exc.TimeoutError) as exc:
        from editorial.core.db_faults import unavailable_response

        return unavailable_response(exc)
    except Exception:
        _roll_back()
        raise
    return response


def commit_before_answering() -> None:
    """Commit the request's changes now, keeping every row loaded so far as the request left it, and
    read whatever the answer still needs in transactions that only read. The answer describes what
    was committed, and the locks a write holds (SQLite's one writer, PostgreSQL's audit chain and
    the changed article's row) are not held while it is read and serialised: with eight clients on
    SQLite that was a third of each write's wait. A refused commit raises, and answers 503 (db_faults)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    g.committed_before_answering = True


def _roll_back() -> None:
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        pass  # the connection is gone (a 503 said so); the session is discarded with the request


@contextmanager
def on_its_own(failure: str, *args):
    """A small write in a transaction of its own, apart from the request's unit of work (a session
    seen, a token used, a withheld page recorded): the transaction in progress, which has only read,
    ends first, so that this one begins as a writer's; it commits at once, and a failure costs only
    this write: it is logged (`failure % args`), never raised."""
    db.session.rollback()
    with writing_out_of_band():
        try:
            yield
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception(failure, *args)


def one_command(callback):
    """Run a command's callback as one unit of work (see the module's docstring)."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            result = callback(*args, **kwargs)
        except DomainError as refusal:
            (db.session.commit if refusal.keeps_audit_record else db.session.rollback)()
            click.echo(f"Error: {refusal.message}", err=True)
            for field, message in refusal.fields.items():
                click.echo(f"  {field}: {message}", err=True)
            sys.exit(1)
        except SystemExit as done:
            (db.session.commit if done.code in (None, 0) else db.session.rollback)()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result
    return with_appcontext(run)


def _wrap_commands(group: click.Group) -> None:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _wrap_commands(command)
        elif command.callback is not None and not getattr(command.callback, "one_unit_of_work", False):
            # The commands are module-level objects, shared by every app this process creates: wrap once.
            command.callback = one_command(command.callback)
            command.callback.one_unit_of_work = True


def init_app(app) -> None:
    """Call last in create_app: the hook then runs first of the after_request hooks (so the headers
    the others add are on a 503 too), and every command is registered."""
    app.after_request(_end_request_transaction)
    _wrap_commands(app.cli)
