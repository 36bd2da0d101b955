"""Revisions and signatures checked against the audit events that recorded them.

The chain and its signed checkpoints prove the audit events; these rows are proved through them:
each revision's content hash must be the one its `revision.saved` event recorded, and each signature's
content hash and printed name the ones its `signature.recorded` event recorded. Someone who rewrote a
revision's text or its reference list (revision_citations) and recomputed its hash (and its
signatures' hashes) is named here, since the events cannot be rewritten unnoticed.
"""
import json
from dataclasses import dataclass

from sqlalchemy import select

from editorial.audit.chain import _driver_rows
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.articles.models import Revision
from editorial.reviews.models import Signature


_HASH_KEY = '"content_hash":"'


def _content_hash_in(detail: str) -> str | None:
    """The content_hash an event's canonical-JSON detail records. Read by position, not parsed: a
    verify over a million events reads 200,000 of these (a hex digest has nothing to escape)."""
    at = detail.find(_HASH_KEY)
    if at < 0:
        return json.loads(detail).get("content_hash")  # not canonical JSON: read it the slow way
    start = at + len(_HASH_KEY)
    return detail[start:start + 64]


@dataclass
class RowProblem:
    event_id: int | None
    message: str


def first_problem() -> tuple[int, RowProblem | None]:
    """(rows checked, the first revision or signature that does not match its event, or None)."""
    connection = db.session.connection()
    saved = {}
    for event_id, article_id, number, detail in _driver_rows(connection, select(
            AuditEvent.id, AuditEvent.article_id, AuditEvent.revision_number, AuditEvent.detail)
            .where(AuditEvent.action == "revision.saved")):
        saved[(article_id, number)] = (event_id, _content_hash_in(detail))
    checked = 0
    for article_id, number, content_hash in _driver_rows(connection, select(
            Revision.article_id, Revision.number, Revision.content_hash).order_by(Revision.id)):
        checked += 1
        event_id, recorded = saved.get((article_id, number), (None, None))
        if recorded != content_hash:
            where = f"article {article_id} revision {number}"
            return checked, RowProblem(event_id, f"{where} does not have the content hash its revision.saved event recorded"
                                       if event_id else f"{where} has no revision.saved event")
    signed = {}
    for event_id, object_id, detail in _driver_rows(connection, select(
            AuditEvent.id, AuditEvent.object_id, AuditEvent.detail).where(AuditEvent.action == "signature.recorded")):
        recorded = json.loads(detail)
        signed[object_id] = (event_id, recorded.get("content_hash"), recorded.get("printed_name"))
    for signature_id, content_hash, printed_name in _driver_rows(connection, select(
            Signature.id, Signature.content_hash, Signature.printed_name).order_by(Signature.id)):
        checked += 1
        event_id, recorded_hash, recorded_name = signed.get(str(signature_id), (None, None, None))
        if (recorded_hash, recorded_name) != (content_hash, printed_name):
            return checked, RowProblem(event_id, f"signature {signature_id} is not what its signature.recorded event recorded"
                                       if event_id else f"signature {signature_id} has no signature.recorded event")
    return checked, None
