"""Flask extensions, created unbound and initialised in create_app."""
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from editorial.core.model_base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Redis when REDIS_URL is set, so that every worker and server shares it; else this process's memory.
cache = Cache()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin). The busy timeout
    # is the driver's `timeout`, DB_BUSY_TIMEOUT_SECONDS (editorial/core/db_faults.py).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading = ContextVar("reading", default=False)
_out_of_band = ContextVar("out_of_band", default=False)


@contextmanager
def _while_set(flag: ContextVar):
    token = flag.set(True)
    try:
        yield
    finally:
        flag.reset(token)


def reading_only():
    """Transactions begun inside only read (a long audit walk, say): on SQLite they must not hold
    the write lock, or every writer would wait for them."""
    return _while_set(_reading)


def writing_out_of_band():
    """The one kind of write a safe request makes: recording that something went wrong while it read
    (a withheld public page). Its transaction begins as a writer's (unit_of_work.on_its_own)."""
    return _while_set(_out_of_band)


def out_of_band_write_in_progress() -> bool:
    return _out_of_band.get()


def transaction_only_reads() -> bool:
    # Requests with a safe method never write (tests/conftest.py fails any test where one does),
    # nor does a write request once it committed and reads what it answers (unit_of_work).
    if _out_of_band.get():
        return False
    if _reading.get():
        return True
    return has_request_context() and (request.method in SAFE_METHODS or g.get("committed_before_answering", False))


@event.listens_for(Engine, "begin")
def _begin(connection):
    if connection.dialect.name == "sqlite":
        # A writer takes the write lock up front: the audit chain and optimistic locking read
        # then write, and a deferred transaction could not upgrade its lock safely. A reader
        # begins deferred, so that readers in other processes run side by side (WAL).
        connection.exec_driver_sql("BEGIN" if transaction_only_reads() else "BEGIN IMMEDIATE")


_TRANSACTION_SCOPED: set[str] = set()


def transaction_scoped(key: str) -> str:
    """Register a session.info key whose value describes the transaction in progress (the audit
    chain's head, the access facts read in it): it is dropped when that transaction or a savepoint
    ends, by commit, rollback or close."""
    _TRANSACTION_SCOPED.add(key)
    return key


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_state(session, transaction) -> None:
    if transaction.parent is None or transaction.nested:  # not a flush's own subtransaction
        for key in _TRANSACTION_SCOPED:
            session.info.pop(key, None)


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "loaded_as_persistent")
def _hold_for_the_request(_session, instance):
    """The session's identity map holds rows weakly, so a row one step of a request read and let go
    (the current revision a permission check looked at, the author a notification addressed) was
    read again by the next step. A request keeps every row it touched until it ends (SQLAlchemy's
    "Session Referencing Behavior" recipe); commands and workers, outside requests, do not. So a
    request that streams many rows must read plain rows (as audit_log.export_batches does), not
    ORM objects, or its memory would grow with them."""
    if has_request_context():
        g.setdefault("held_rows", []).append(instance)
