"""Who may do what: the only place access rules live.

Views, API endpoints, CLI commands and templates ask `can(user, permission, obj)`;
services call `require(...)`, which raises PermissionDenied.
"""
from typing import Callable

from editorial.errors import PermissionDenied
from editorial.roles import Role

_RULES: dict[str, Callable] = {}


def rule(name: str):
    def register(func):
        _RULES[name] = func
        return func

    return register


def can(user, permission: str, obj=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(_RULES[permission](user, obj))


def require(user, permission: str, obj=None, message: str | None = None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(message or "You are not allowed to do that.")


@rule("manage_users")
def _manage_users(user, _obj):
    """Admins create users, change roles and profiles, and deactivate accounts."""
    return user.has_role(Role.ADMIN)


@rule("list_users")
def _list_users(user, _obj):
    """Editors pick reviewers, auditors reconstruct who did what, admins manage."""
    return user.has_role(Role.EDITOR, Role.ADMIN, Role.AUDITOR)


@rule("view_audit")
def _view_audit(user, _obj):
    """Auditors and admins read the audit trail."""
    return user.has_role(Role.AUDITOR, Role.ADMIN)


@rule("view_dashboard")
def _view_dashboard(user, role):
    """Each role's dashboard is for the holders of that role."""
    return role in user.roles
