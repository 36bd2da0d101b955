"""Signing in and out, changing a password, and what anonymous visitors get."""
import pytest
from sqlalchemy import select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from tests.conftest import TEST_PASSWORD, press_confirm


def sign_in(client, email, password, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


@pytest.mark.parametrize("role", ["writer", "editor", "reviewer", "auditor", "admin"])
def test_each_role_lands_on_its_own_dashboard(client, make_user, role):
    user = make_user(role)
    response = sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    landing = client.get("/dashboard/", follow_redirects=True)
    assert landing.status_code == 200
    assert f"/dashboard/{role}" == landing.request.path
    assert user.name in landing.get_data(as_text=True)


def test_user_with_several_roles_can_open_each_dashboard(client, make_user, login):
    user = make_user("writer", "reviewer")
    login(user)
    assert client.get("/dashboard/writer").status_code == 200
    assert client.get("/dashboard/reviewer").status_code == 200
    assert client.get("/dashboard/editor").status_code == 403


def test_wrong_password_and_unknown_email_give_the_same_answer(client, make_user, app):
    user = make_user("writer")
    wrong = sign_in(client, user.email, "not-the-password")
    unknown = sign_in(client, "nobody@example.org", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The e-mail or password is not correct." in response.get_data(as_text=True)
    with app.app_context():
        failures = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all()
        assert len(failures) == 2
        assert all("password" not in f.detail for f in failures)


def test_empty_sign_in_form_shows_field_errors(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("This field is required.") == 2


def test_deactivated_user_cannot_sign_in_and_loses_sessions(client, make_user, login, app):
    admin = make_user("admin")
    user = make_user("writer")
    other = app.test_client()
    login(user, other)
    assert other.get("/dashboard/writer").status_code == 200
    login(admin)
    press_confirm(client, client.post(f"/admin/users/{user.id}/active", data={"active": "0"}))
    assert other.get("/dashboard/writer").status_code == 302  # session no longer valid
    response = sign_in(app.test_client(), user.email, TEST_PASSWORD)
    assert "This account is deactivated" in response.get_data(as_text=True)


def test_a_deactivated_user_with_the_right_password_is_told_whom_to_ask(client, make_user, login, app):
    admin = make_user("admin")
    user = make_user("writer")
    login(admin)
    press_confirm(client, client.post(f"/admin/users/{user.id}/active", data={"active": "0"}))
    reader = app.test_client()

    right = sign_in(reader, user.email, TEST_PASSWORD)
    html = right.get_data(as_text=True)
    assert right.status_code == 200
    assert "This account is deactivated. Ask an administrator to reactivate it." in html
    assert "The e-mail or password is not correct." not in html
    assert reader.get("/dashboard/writer").status_code == 302  # still not signed in

    # Before the password is right, nothing tells a deactivated account from an unknown e-mail.
    wrong = sign_in(reader, user.email, "not-the-password").get_data(as_text=True)
    unknown = sign_in(reader, "nobody@example.org", "not-the-password").get_data(as_text=True)
    for html in (wrong, unknown):
        assert "The e-mail or password is not correct." in html and "deactivated" not in html
    with app.app_context():
        reasons = [e.detail for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed").order_by(AuditEvent.id))]
        assert '"inactive"' in reasons[0] and '"bad_credentials"' in reasons[1]


def test_a_locked_account_gets_the_generic_answer_even_with_the_right_password(client, make_user, app):
    """Otherwise the lockout would tell a password-guesser when they hit the right one."""
    user = make_user("writer")
    for _ in range(app.config.get("LOCKOUT_THRESHOLD", 5)):
        sign_in(client, user.email, "not-the-password")
    html = sign_in(client, user.email, TEST_PASSWORD).get_data(as_text=True)
    assert "The e-mail or password is not correct." in html and "deactivated" not in html


def test_protected_pages_redirect_anonymous_visitors_to_sign_in(client):
    for path in ["/dashboard/", "/dashboard/writer", "/admin/users", "/account"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in?next="), path


def test_sign_in_follows_a_local_next_but_not_another_site(client, make_user):
    user = make_user("admin")
    assert sign_in(client, user.email, TEST_PASSWORD, "/admin/users").headers["Location"] == "/admin/users"
    client.post("/sign-out")
    assert sign_in(client, user.email, TEST_PASSWORD, "https://evil.example/x").headers["Location"] == "/dashboard/"
    client.post("/sign-out")
    assert sign_in(client, user.email, TEST_PASSWORD, "//evil.example").headers["Location"] == "/dashboard/"


def test_sign_out(client, make_user, login):
    login(make_user("writer"))
    assert client.post("/sign-out").status_code == 302
    assert client.get("/dashboard/writer").status_code == 302


def test_change_password(client, make_user, login, app):
    user = make_user("writer")
    login(user)
    other_session = app.test_client()
    login(user, other_session)

    bad = client.post("/account", data={"current_password": "wrong-one-here", "new_password": "short", "confirm_password": "short"})
    page = bad.get_data(as_text=True)
    assert "That is not your current password." in page
    assert "Use at least 10 characters." in page

    mismatch = client.post("/account", data={"current_password": TEST_PASSWORD, "new_password": "a-new-long-password", "confirm_password": "different-password"})
    assert "The two new passwords differ." in mismatch.get_data(as_text=True)

    ok = client.post("/account", data={"current_password": TEST_PASSWORD, "new_password": "a-new-long-password", "confirm_password": "a-new-long-password"})
    assert ok.status_code == 302
    assert client.get("/dashboard/writer").status_code == 200  # this session stays
    assert other_session.get("/dashboard/writer").status_code == 302  # others are signed out
    fresh = app.test_client()
    assert sign_in(fresh, user.email, TEST_PASSWORD).status_code == 200  # old password refused
    assert sign_in(fresh, user.email, "a-new-long-password").status_code == 302


def test_forms_refuse_posts_without_csrf_token(app, make_user):
    user = make_user("writer")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_api_tokens_can_be_issued_and_revoked_in_the_account_page(client, make_user, login, app):
    user = make_user("writer")
    login(user)
    response = client.post("/account/tokens", data={"label": "my script"})
    page = response.get_data(as_text=True)
    assert "shown only this once" in page
    raw = page.split('<code class="token">')[1].split("</code>")[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).json["email"] == user.email
    with app.app_context():
        from editorial.accounts.models import ApiToken

        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    client.post(f"/account/tokens/{token_id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(client, make_user, login, app, token_for):
    owner = make_user("writer")
    headers = token_for(owner)
    login(make_user("writer"))
    with app.app_context():
        from editorial.accounts.models import ApiToken

        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=headers).status_code == 200
