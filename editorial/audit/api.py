"""The audit trail for auditors and admins (API.md)."""
from typing import Annotated

from pydantic import AfterValidator, Field

from editorial.api import api_bp
from editorial.api import schemas as api_schemas
from editorial.api.helpers import allowed
from editorial.api.openapi import documented
from editorial.api.validation import PageQuery, QueryTime, clipped, query_int
from editorial.audit import log as audit_log
from editorial.audit import schemas as audit_schemas
from editorial.audit.chain import verify_chain
from editorial.audit.schemas import AuditPage, VerifyOut
from editorial.core import reading


class AuditQuery(PageQuery):
    article_id: query_int() | None = None
    actor_id: query_int() | None = None
    action: Annotated[str, AfterValidator(str.strip), clipped(64)] | None = Field(
        None, description="An audit action name, e.g. article.published.")
    article: Annotated[str, AfterValidator(lambda words: " ".join(words.split())), clipped(200)] | None = Field(
        None, description="Words of the article's title, any case.")
    since: QueryTime | None = Field(None, description="ISO 8601 (a date alone is midnight UTC).")
    until: QueryTime | None = Field(None, description="ISO 8601 (a date alone is midnight UTC).")


@api_bp.get("/audit")
@allowed("view_audit", "Only auditors and admins read the audit trail.")
@documented(AuditPage, errors=(403,), tag="audit")
def audit_events(query: AuditQuery):
    """Audit events, oldest first"""
    filters = audit_log.AuditFilter(**query.model_dump(exclude={"page", "per_page"}))
    return api_schemas.page_of(AuditPage, reading.paginate(audit_log.statement(filters), query.page, query.per_page),
                             audit_schemas.audit_event)


@api_bp.get("/audit/verify")
@allowed("view_audit", "Only auditors and admins verify the audit trail.")
@documented(VerifyOut, errors=(403,), tag="audit")
def audit_verify():
    """Verify the audit hash chain"""
    return audit_schemas.verify_report(verify_chain())
