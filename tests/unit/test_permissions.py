"""Permission rules, one row per rule and role."""
import pytest

from editorial.accounts.models import User, UserRole
from editorial.accounts.permissions import can
from editorial.accounts.roles import Role


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


# --- No one checks their own work (21 CFR Part 11 §11.10(f)) ---------------------------------

def _access(signers=(), author_id=99):
    from editorial.accounts.access import ArticleAccess
    from editorial.articles.models import Article

    return ArticleAccess(Article(id=1, author_id=author_id), assignments=[], revision_author_ids={author_id},
                         current_signatures=[(n, signer, None) for n, signer in enumerate(signers)])


def _person(user_id, *roles):
    user = user_with(*roles)
    user.id = user_id
    return user


def test_an_editor_may_not_publish_what_they_signed():
    both = _person(5, "editor", "reviewer")
    assert not can(both, "publish", _access(signers={5}))
    assert can(_person(6, "editor"), "publish", _access(signers={5}))


def test_the_author_who_is_an_editor_may_publish_after_independent_approval():
    author = _person(99, "writer", "editor")
    assert can(author, "publish", _access(signers={5}, author_id=99))


def test_an_editor_may_not_assign_themselves():
    editor = _person(5, "editor", "reviewer")
    assert not can(editor, "assign_reviewer", (_access(), editor))
    assert can(editor, "assign_reviewer", (_access(), _person(7, "reviewer")))
    assert not can(_person(8, "writer"), "assign_reviewer", (_access(), _person(7, "reviewer")))


def test_a_reviewer_may_not_waive_their_own_conflict():
    from editorial.reviews.models import Assignment

    editor = _person(5, "editor", "reviewer")
    assert not can(editor, "waive_conflict", (_access(), Assignment(reviewer_id=5)))
    assert can(editor, "waive_conflict", (_access(), Assignment(reviewer_id=7)))
