"""Administrators manage accounts in the web pages; bad input changes nothing."""
import re

import pytest
from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.accounts.models import User
from tests.conftest import press_confirm

VALID = {
    "email": "new.reviewer@example.org",
    "name": "Dr. New Reviewer",
    "password": "a-long-enough-password",
    "roles": ["reviewer"],
    "credentials": "MD",
    "specialty": "Breast surgeon",
    "affiliation": "Northside Clinic",
    "disclosure": "None",
    "credential_valid_until": "2030-01-31",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user("admin"))
    return client


def test_admin_creates_a_reviewer_with_a_profile(admin_client, app):
    response = admin_client.post("/admin/users/new", data=VALID)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == VALID["email"]))
        assert user.name == "Dr. New Reviewer"
        assert {r.value for r in user.roles} == {"reviewer"}
        assert (user.credentials, user.specialty, user.disclosure) == ("MD", "Breast surgeon", "None")
        assert str(user.credential_valid_until) == "2030-01-31"
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.created")) >= 1
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Dr. New Reviewer" in listing


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Not a valid e-mail address"),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
        ({"password": "short"}, "Use at least 10 characters."),
        ({"roles": []}, "Choose at least one role."),
        ({"roles": ["superuser"]}, "is not a valid choice for this field"),
        ({"credential_valid_until": "next tuesday"}, "Not a valid date value."),
        ({"disclosure": "y" * 4001}, "Field cannot be longer than 4000 characters."),
    ],
)
def test_bad_input_rerenders_with_the_error_and_creates_nothing(admin_client, app, change, field_message):
    before = user_count(app)
    response = admin_client.post("/admin/users/new", data={**VALID, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_message in page
    assert 'class="field-error"' in page
    assert user_count(app) == before


def test_duplicate_email_is_refused(admin_client, app, make_user):
    existing = make_user("writer")
    before = user_count(app)
    response = admin_client.post("/admin/users/new", data={**VALID, "email": existing.email.upper()})
    assert response.status_code == 422
    assert "A user with this e-mail already exists." in response.get_data(as_text=True)
    assert user_count(app) == before


def test_admin_edits_roles_and_profile(admin_client, app, make_user):
    user = make_user("writer")
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={"name": "Renamed Person", "roles": ["writer", "reviewer"], "credentials": "RN", "disclosure": "None"},
    )
    assert response.status_code == 302
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert fresh.name == "Renamed Person"
        assert {r.value for r in fresh.roles} == {"writer", "reviewer"}
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
        assert "user.roles_changed" in actions and "user.updated" in actions


def test_edit_form_shows_current_values(admin_client, make_user):
    user = make_user("reviewer", credentials="MD", specialty="Oncologist")
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="Oncologist"' in page
    checked = re.findall(r'<input checked id="roles-\d" name="roles" required type="checkbox" value="(\w+)">', page)
    assert checked == ["reviewer"]  # the user's one role, and only it, is ticked


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(client, app, make_user, login):
    admin = make_user("admin")
    login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"name": admin.name, "roles": ["writer"]})
    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    with app.app_context():
        assert db.session.get(User, admin.id).is_active_account


def test_deactivate_and_reactivate(admin_client, app, make_user):
    user = make_user("writer")
    press_confirm(admin_client, admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"}))
    with app.app_context():
        assert not db.session.get(User, user.id).is_active_account
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    with app.app_context():
        assert db.session.get(User, user.id).is_active_account
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
        assert "user.deactivated" in actions and "user.reactivated" in actions


@pytest.mark.parametrize("role", ["writer", "editor", "reviewer", "auditor"])
def test_only_admins_manage_users(client, make_user, login, role, app):
    login(make_user(role))
    before = user_count(app)
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data=VALID).status_code == 403
    assert user_count(app) == before


def test_user_list_is_paginated_and_runs_a_fixed_number_of_queries(admin_client, make_user, count_queries):
    for _ in range(30):
        make_user("writer")
    with count_queries() as small:
        first = admin_client.get("/admin/users")
    for _ in range(10):
        make_user("reviewer")
    with count_queries() as large:
        admin_client.get("/admin/users")
    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert large.count == small.count
    assert admin_client.get("/admin/users?page=2").status_code == 200
