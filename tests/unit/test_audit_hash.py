"""hash_of writes the canonical JSON by hand for speed; it must equal the json.dumps definition."""
import hashlib
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from editorial.audit import chain as audit
from editorial.audit.chain import HASHED_FIELDS, canonical_json, format_time, hash_of
from editorial.api.helpers import iso
from editorial.core.sql_time import utc_seconds_text, utc_text
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent

text_or_none = st.none() | st.text()
int_or_none = st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1)


def reference_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@settings(max_examples=300)
@given(
    at=st.text(), actor_id=int_or_none, actor_name=st.text(), action=st.text(), object_type=st.text(),
    object_id=text_or_none, article_id=int_or_none, revision_number=int_or_none, from_state=text_or_none,
    to_state=text_or_none, detail=st.text(), prev_hash=st.text(),
)
def test_hash_of_equals_the_canonical_json_definition(at, **fields):
    try:
        expected = reference_hash({"at": at, **fields})
    except UnicodeEncodeError:  # lone surrogates cannot be hashed either way
        return
    assert hash_of(at, *(fields[name] for name in HASHED_FIELDS)) == expected


def test_a_value_of_an_unexpected_type_is_written_as_json_dumps_would():
    # A tampered SQLite row can hold text in an integer column: it must hash differently from the int.
    fields = dict(actor_id="7", actor_name="A", action="x", object_type="t", object_id=None, article_id=1.5,
                  revision_number=True, from_state=None, to_state=None, detail="{}", prev_hash="0" * 64)
    expected = reference_hash({"at": "2026-01-01T00:00:00.000000Z", **fields})
    assert hash_of("2026-01-01T00:00:00.000000Z", *(fields[name] for name in HASHED_FIELDS)) == expected
    assert expected != reference_hash({"at": "2026-01-01T00:00:00.000000Z", **fields, "actor_id": 7})


def test_the_database_formats_times_exactly_as_python_does(app):
    moments = [datetime(2026, 3, 1, 9, 5, 7, 0, tzinfo=timezone.utc),
               datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc),
               datetime(1999, 1, 2, 3, 4, 5, 60, tzinfo=timezone.utc)]
    with app.app_context():
        from editorial.core.clock import frozen_at
        for moment in moments:
            with frozen_at(moment):
                audit.record("test.time", actor=None, object_type="test")
        rows = db.session.execute(
            select(AuditEvent.at, utc_text(AuditEvent.at), utc_seconds_text(AuditEvent.at))
            .where(AuditEvent.action == "test.time").order_by(AuditEvent.id)
        ).all()
        assert [text for _, text, _ in rows] == [format_time(m) for m in moments]
        assert [format_time(at) for at, _, _ in rows] == [format_time(m) for m in moments]
        assert [seconds for _, _, seconds in rows] == [iso(m) for m in moments]  # as the API writes times
        assert audit.verify_chain().ok


def test_the_api_writes_any_aware_time_in_utc():
    from datetime import timedelta

    paris_summer = timezone(timedelta(hours=2))
    assert iso(datetime(2026, 7, 1, 12, 30, 5, 999_999, tzinfo=paris_summer)) == "2026-07-01T10:30:05Z"
    assert iso(datetime(2026, 7, 1, 12, 30, 5, tzinfo=timezone.utc)) == "2026-07-01T12:30:05Z"
    assert iso(None) is None
