"""All models, imported here so Alembic and the app see one metadata."""
from editorial.models.audit import AuditEvent
from editorial.models.base import Base
from editorial.models.users import ApiToken, User, UserRole

__all__ = ["ApiToken", "AuditEvent", "Base", "User", "UserRole"]
