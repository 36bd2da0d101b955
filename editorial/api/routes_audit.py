"""The audit trail for auditors and admins (API.md)."""
import json

from flask import request

from editorial import audit_log, queries
from editorial.api import api_bp
from editorial.api.helpers import caller, list_body, page_args
from editorial.audit import verify_chain
from editorial.permissions import require


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
def audit_events():
    require(caller(), "view_audit", message="Only auditors and admins read the audit trail.")
    filters = audit_log.parse_filter(request.args)
    page, per_page = page_args()
    return list_body(queries.paginate(audit_log.statement(filters), page, per_page), _event_json)


@api_bp.get("/audit/verify")
def audit_verify():
    require(caller(), "view_audit", message="Only auditors and admins verify the audit trail.")
    report = verify_chain()
    return {"ok": report.ok, "checked": report.checked, "first_broken_id": report.first_broken_id}
