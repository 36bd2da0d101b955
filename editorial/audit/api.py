"""The audit trail for auditors and admins (API.md)."""
import json

from flask import request
from pydantic import AwareDatetime, Field

from editorial.audit import log as audit_log
from editorial.articles import queries
from editorial.api import api_bp
from editorial.api.helpers import caller, list_body, page_args, whole_number
from editorial.api.openapi import documented
from editorial.api.schemas import MAX_ID, AuditPage, VerifyOut
from editorial.api.validation import PageQuery
from editorial.audit.chain import verify_chain
from editorial.core.errors import ValidationError
from editorial.accounts.permissions import require


class AuditQuery(PageQuery):
    article_id: int | None = Field(None, ge=0, le=MAX_ID)
    actor_id: int | None = Field(None, ge=0, le=MAX_ID)
    action: str | None = Field(None, description="An audit action name, e.g. article.published.")
    since: AwareDatetime | None = Field(None, description="ISO 8601 (a date alone is midnight UTC).")
    until: AwareDatetime | None = Field(None, description="ISO 8601 (a date alone is midnight UTC).")


def _event_json(event) -> dict:
    row = audit_log.event_dict(event)
    return {
        "id": row["id"], "at": row["at"],
        "actor": {"id": event.actor_id, "name": event.actor_name} if event.actor_id else None,
        "action": row["action"], "object_type": row["object_type"], "object_id": row["object_id"],
        "article_id": row["article_id"], "revision_number": row["revision_number"],
        "from_state": row["from_state"], "to_state": row["to_state"], "detail": json.loads(row["detail"]),
        "hash": row["hash"], "prev_hash": row["prev_hash"],
    }


@api_bp.get("/audit")
@documented("Audit events, oldest first", query=AuditQuery, response=AuditPage, errors=(403,), tag="audit")
def audit_events():
    require(caller(), "view_audit", message="Only auditors and admins read the audit trail.")
    # Ids audit_log would take but no query can use ('²' passes str.isdigit(); 2**70 overflows).
    bad = {name: "Expected a whole number." for name in ("article_id", "actor_id")
           if (request.args.get(name) or "").strip() and not whole_number(request.args[name].strip())}
    args = request.args.copy()
    for name in bad:
        args.pop(name)
    try:
        filters = audit_log.parse_filter(args)
    except ValidationError as exc:
        bad = {**exc.fields, **bad}
    if bad:
        raise ValidationError("Some filters are invalid.", fields=bad)
    page, per_page = page_args()
    return list_body(queries.paginate(audit_log.statement(filters), page, per_page), _event_json)


@api_bp.get("/audit/verify")
@documented("Verify the audit hash chain", response=VerifyOut, errors=(403,), tag="audit")
def audit_verify():
    require(caller(), "view_audit", message="Only auditors and admins verify the audit trail.")
    report = verify_chain()
    return {"ok": report.ok, "checked": report.checked, "first_broken_id": report.first_broken_id,
            "checkpoints": report.checkpoints, "problem": report.problem}
