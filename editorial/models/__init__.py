"""All models, imported here so Alembic and the app see one metadata."""
from editorial.models.articles import Article, Revision, RevisionCitation
from editorial.models.audit import AuditCheckpoint, AuditEvent
from editorial.models.base import Base
from editorial.models.citations import Citation
from editorial.models.currency import PematScore, Schedule, Topic
from editorial.models.feedback import ArticleFeedback
from editorial.models.notifications import Notification
from editorial.models.reviews import Assignment, Comment, Signature
from editorial.models.two_factor import RecoveryCode
from editorial.models.users import ApiToken, Invitation, User, UserRole, UserSession

__all__ = [
    "ApiToken", "Article", "AuditCheckpoint", "ArticleFeedback", "Assignment", "AuditEvent", "Base", "Citation", "Comment",
    "Invitation", "Notification", "PematScore", "RecoveryCode", "Revision", "RevisionCitation", "Schedule", "Signature",
    "Topic", "User", "UserRole", "UserSession",
]
