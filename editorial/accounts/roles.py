"""The roles a user can hold; a user may hold several."""
from enum import StrEnum


class Role(StrEnum):
    WRITER = "writer"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.WRITER: "Writer",
    Role.EDITOR: "Senior editor",
    Role.REVIEWER: "Physician expert",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}

# The dashboard a user lands on is that of their first role in this order.
LANDING_ORDER = [Role.EDITOR, Role.REVIEWER, Role.WRITER, Role.AUDITOR, Role.ADMIN]
