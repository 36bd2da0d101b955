"""The audit API's answers: the response models and the functions that build them."""
import json
from typing import Any

from pydantic import Field

from editorial.api.schemas import HashedTime, Out, PageOut, Sha256
from editorial.audit.models import AuditEvent


class ActorOut(Out):
    id: int
    name: str


class AuditEventOut(Out):
    id: int
    at: HashedTime
    actor: ActorOut | None
    action: str
    object_type: str
    object_id: str | None
    article_id: int | None
    revision_number: int | None
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]
    hash: Sha256
    prev_hash: Sha256


class AuditPage(PageOut):
    items: list[AuditEventOut]


class VerifyOut(Out):
    ok: bool
    checked: int
    first_broken_id: int | None
    checkpoints: int = Field(description="Signed checkpoints the chain was checked against.")
    problem: str | None = Field(description="What is wrong at first_broken_id.")


def audit_event(event: AuditEvent) -> AuditEventOut:
    return AuditEventOut(
        id=event.id, at=event.at,
        actor=ActorOut(id=event.actor_id, name=event.actor_name) if event.actor_id else None,
        action=event.action, object_type=event.object_type, object_id=event.object_id, article_id=event.article_id,
        revision_number=event.revision_number, from_state=event.from_state, to_state=event.to_state,
        detail=json.loads(event.detail), hash=event.hash, prev_hash=event.prev_hash,
    )


def verify_report(report) -> VerifyOut:
    return VerifyOut(ok=report.ok, checked=report.checked, first_broken_id=report.first_broken_id,
                       checkpoints=report.checkpoints, problem=report.problem)
