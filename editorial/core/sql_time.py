"""Timestamps formatted by the database, for paths that read many rows: parsing thousands of
datetimes into Python objects only to format them again costs more than the rest of the work."""
from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_text(FunctionElement):
    """A UTCDateTime column as audit.format_time writes it: 'YYYY-MM-DDTHH:MM:SS.ffffffZ'."""

    type = String()
    inherit_cache = True


class utc_seconds_text(FunctionElement):
    """A UTCDateTime column as the API writes it (api.helpers.iso): 'YYYY-MM-DDTHH:MM:SSZ'."""

    type = String()
    inherit_cache = True


@compiles(utc_text, "sqlite")
def _utc_text_sqlite(element, compiler, **kw):
    # UTCDateTime stores naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format).
    return f"(replace({compiler.process(element.clauses, **kw)}, ' ', 'T') || 'Z')"


@compiles(utc_text)
def _utc_text_postgresql(element, compiler, **kw):
    return (f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")


@compiles(utc_seconds_text, "sqlite")
def _utc_seconds_text_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"


@compiles(utc_seconds_text)
def _utc_seconds_text_postgresql(element, compiler, **kw):
    return (f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
