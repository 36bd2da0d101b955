"""Permission rules, one row per rule and role."""
import pytest

from editorial.models import User, UserRole
from editorial.permissions import can
from editorial.roles import Role


def user_with(*roles, active=True) -> User:
    user = User(email="x@example.org", name="X", password_hash="-", is_active_account=active, session_version=1)
    user.role_rows = [UserRole(role=r) for r in roles]
    return user


@pytest.mark.parametrize(
    "permission, allowed",
    [
        ("manage_users", {"admin"}),
        ("list_users", {"editor", "admin", "auditor"}),
        ("view_audit", {"auditor", "admin"}),
    ],
)
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_rules(permission, allowed, role):
    assert can(user_with(role), permission) is (role in allowed)


def test_deactivated_users_can_do_nothing():
    assert not can(user_with("admin", active=False), "manage_users")


def test_anonymous_can_do_nothing():
    assert not can(None, "list_users")


def test_dashboards_belong_to_their_roles():
    user = user_with("writer", "reviewer")
    assert can(user, "view_dashboard", Role.WRITER)
    assert can(user, "view_dashboard", Role.REVIEWER)
    assert not can(user, "view_dashboard", Role.EDITOR)
