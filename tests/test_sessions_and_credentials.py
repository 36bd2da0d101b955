"""Sessions, API tokens and passwords (21 CFR Part 11 §11.300, issue #17): sign-out ends the session
on the server, a password change, a lock or a deactivation ends every session and token, an
administrator's password (or an aged one) must be changed before anything else, and an invitation
link lets the person choose their own password."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from editorial.core.clock import frozen_at, now
from editorial.core.extensions import db
from editorial.core.errors import PermissionDenied
from editorial.accounts.models import ApiToken, Invitation, User, UserSession
from editorial.articles.models import Article
from editorial.audit.models import AuditEvent
from editorial.articles import transitions
from editorial.accounts import service as user_service
from tests.conftest import TEST_PASSWORD, press_confirm

NEW_PASSWORD = "a-new-long-password"


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def copy_cookies(source, target):
    """What an attacker does with a stolen cookie: send it from another browser."""
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def actions_about(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))))


def open_sessions(app, user) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                                 UserSession.ended_at.is_(None))))


# --- Sessions -------------------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_no_longer_opens_the_account(client, app, make_user):
    user = make_user("writer")
    assert sign_in(client, user.email).status_code == 302
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    assert client.post("/sign-out").status_code == 302
    assert thief.get("/account").status_code == 302  # and no longer after sign-out
    assert thief.get("/dashboard/writer").headers["Location"].startswith("/sign-in")
    assert open_sessions(app, user) == []
    assert "session.ended" in actions_about(app, user)


def test_the_account_page_lists_sessions_and_ends_one_from_another_browser(client, app, make_user):
    user = make_user("writer")
    laptop, phone = client, app.test_client()
    sign_in(laptop, user.email)
    phone.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD},
               headers={"User-Agent": "PhoneBrowser/1.0"})
    page = laptop.get("/account").get_data(as_text=True)
    assert "Signed-in sessions" in page and "PhoneBrowser/1.0" in page and "this session" in page
    with app.app_context():
        phone_session = db.session.scalar(select(UserSession).where(UserSession.user_agent == "PhoneBrowser/1.0"))
    response = laptop.post(f"/account/sessions/{phone_session.id}/end")
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.ended")
                                  .order_by(AuditEvent.id.desc()))
        assert json.loads(event.detail)["reason"] == "ended_by_user" and event.actor_id == user.id


def test_sign_out_everywhere_else_keeps_only_this_session(client, app, make_user):
    user = make_user("writer")
    others = [app.test_client(), app.test_client()]
    for browser in [client, *others]:
        sign_in(browser, user.email)
    assert client.post("/account/sessions/end-others").status_code == 302
    assert [b.get("/account").status_code for b in others] == [302, 302]
    assert client.get("/account").status_code == 200
    assert len(open_sessions(app, user)) == 1


def test_nobody_ends_someone_elses_session(client, app, make_user, login):
    owner, other = make_user("writer"), make_user("writer")
    owner_browser = app.test_client()
    sign_in(owner_browser, owner.email)
    [owner_session] = open_sessions(app, owner)
    login(other)
    assert client.post(f"/account/sessions/{owner_session.id}/end").status_code == 404
    assert owner_browser.get("/account").status_code == 200


def test_a_password_change_ends_other_sessions_but_keeps_this_one(client, app, make_user):
    user = make_user("writer")
    other = app.test_client()
    sign_in(client, user.email)
    sign_in(other, user.email)
    client.post("/account", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                  "confirm_password": NEW_PASSWORD})
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert len(open_sessions(app, user)) == 1


def test_last_seen_is_written_at_most_once_a_minute_and_out_of_band_on_get(client, app, make_user):
    user = make_user("writer")
    start = now()
    with frozen_at(start):
        sign_in(client, user.email)
    [record] = open_sessions(app, user)
    with frozen_at(start + timedelta(seconds=30)):
        client.get("/account")  # a GET: the read-only check of conftest.py would fail any write in it
    assert open_sessions(app, user)[0].last_seen_at == record.last_seen_at
    later = start + timedelta(seconds=90)
    with frozen_at(later):
        assert client.get("/account").status_code == 200
    assert abs((open_sessions(app, user)[0].last_seen_at - later).total_seconds()) < 1
    updates = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        with frozen_at(later + timedelta(seconds=10)):
            client.get("/account")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert updates == []


def test_a_session_idle_past_the_timeout_is_not_listed_nor_accepted(client, app, make_user):
    user = make_user("writer")
    start = now()
    with frozen_at(start):
        sign_in(client, user.email)
    with frozen_at(start + timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 2)):
        assert client.get("/account").status_code == 302


# --- API tokens -----------------------------------------------------------------------------

def me(client, headers):
    return client.get("/api/v1/me", headers=headers).status_code


def test_a_password_change_revokes_every_token(client, app, make_user, login, token_for):
    user = make_user("writer")
    headers = token_for(user)
    assert me(client, headers) == 200
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert "Changing your password revokes every token" in page
    client.post("/account", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                  "confirm_password": NEW_PASSWORD})
    assert me(client, headers) == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "token.revoked")) == 1


def test_a_locked_accounts_tokens_stay_dead_after_unlock(client, app, make_user, login, token_for):
    user, admin = make_user("writer"), make_user("admin")
    headers = token_for(user)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        sign_in(app.test_client(), user.email, "wrong-password-123")
    assert me(client, headers) == 401
    login(admin)
    client.post(f"/admin/users/{user.id}/unlock")
    assert me(client, headers) == 401
    assert sign_in(app.test_client(), user.email).status_code == 302  # the person can sign in again


def test_deactivation_revokes_tokens_for_good(client, app, make_user, login, token_for):
    user, admin = make_user("writer"), make_user("admin")
    headers = token_for(user)
    login(admin)
    press_confirm(client, client.post(f"/admin/users/{user.id}/active", data={"active": "0"}))
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert me(client, headers) == 401
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None


def test_a_token_with_an_expiry_stops_at_it_and_shows_it(client, app, make_user, login):
    user = make_user("writer")
    login(user)
    page = client.post("/account/tokens", data={"label": "nightly", "expires_in_days": "30"}).get_data(as_text=True)
    raw = page.split('<code class="token">')[1].split("</code>")[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert me(client, headers) == 200
    with frozen_at(now() + timedelta(days=31)):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401 and "expired" in response.json["error"]["message"]
    assert "expires" in client.get("/account").get_data(as_text=True)


def test_a_bad_expiry_is_a_field_error(client, make_user, login):
    login(make_user("writer"))
    response = client.post("/account/tokens", data={"label": "x", "expires_in_days": "7000"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_last_used_is_recorded_at_most_once_a_minute_even_on_get(client, app, make_user, token_for):
    user = make_user("writer")
    headers = token_for(user)
    start = now()
    with frozen_at(start):
        assert me(client, headers) == 200  # a GET: written out of band, or conftest.py fails it
    with app.app_context():
        first = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    assert first is not None and abs((first - start).total_seconds()) < 1
    with frozen_at(start + timedelta(seconds=20)):
        me(client, headers)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id)) == first
    with frozen_at(start + timedelta(seconds=80)):
        me(client, headers)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id)) > first


# --- Passwords an administrator chose, invitations, aging ------------------------------------

ADMIN_CREATES = {"email": "dr.new@example.org", "name": "Dr. New Reviewer", "password": "an-admin-chosen-password",
                 "roles": ["reviewer"], "disclosure": "None"}


def admin_browser(app, make_user, login):
    browser = app.test_client()
    login(make_user("admin"), browser)
    return browser


def test_an_admin_set_password_must_be_changed_before_anything_else(client, app, make_user, login):
    admin = admin_browser(app, make_user, login)
    assert admin.post("/admin/users/new", data=ADMIN_CREATES).status_code == 302
    response = sign_in(client, ADMIN_CREATES["email"], ADMIN_CREATES["password"])
    assert response.headers["Location"] == "/account/password"
    for path in ["/dashboard/", "/account", "/articles/"]:
        assert client.get(path).headers["Location"].startswith("/account/password"), path
    page = client.get("/account/password").get_data(as_text=True)
    assert "An administrator set your password" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == ADMIN_CREATES["email"]))
        _, raw = user_service.issue_token(None, user)
        db.session.commit()
        user_id = user.id
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 403 and "password" in api.json["error"]["message"]
    changed = client.post("/account/password", data={"current_password": ADMIN_CREATES["password"],
                                                     "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/dashboard/").status_code == 302 and client.get("/account").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).must_change_password is False


def test_the_signing_service_refuses_a_user_who_must_change_their_password(app, newsroom):
    article_id = newsroom.ready_for_review()["id"]
    current = newsroom.article(article_id)["current_revision"]
    with app.app_context():
        reviewer = db.session.get(User, newsroom.reviewer.id)
        reviewer.must_change_password = True
        article = db.session.get(Article, article_id)
        with pytest.raises(PermissionDenied, match="change your password"):
            transitions.transition(reviewer, article, "approve", password=TEST_PASSWORD,
                                       revision=current["number"], content_hash=current["content_hash"],
                                       conflict_of_interest="none")
        db.session.rollback()


def test_an_admin_resets_a_password_the_person_must_then_change(client, app, make_user, login, token_for):
    user = make_user("reviewer")
    headers = token_for(user)
    browser = app.test_client()
    sign_in(browser, user.email)
    admin = admin_browser(app, make_user, login)
    assert admin.post(f"/admin/users/{user.id}/password", data={"password": "a-temporary-password"}).status_code == 302
    assert browser.get("/account").status_code == 302  # their sessions ended
    assert me(client, headers) == 401  # and their tokens
    assert sign_in(client, user.email, "a-temporary-password").headers["Location"] == "/account/password"
    assert "user.password_reset" in actions_about(app, user)


def test_an_invitation_lets_the_person_choose_their_password_once(client, app, make_user, login):
    admin = admin_browser(app, make_user, login)
    data = {**ADMIN_CREATES, "password": "", "invite": "y"}
    response = admin.post("/admin/users/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "/invitation/" in page
    link = "/invitation/" + page.split("/invitation/")[1].split('"')[0].split("<")[0]
    with app.app_context():
        stored = db.session.scalar(select(Invitation))
        assert link.rsplit("/", 1)[1] not in stored.token_hash  # only its hash is kept
    assert sign_in(client, ADMIN_CREATES["email"], "").status_code == 200  # no password yet
    assert "Choose your password" in client.get(link).get_data(as_text=True)
    weak = client.post(link, data={"new_password": "short", "confirm_password": "short"})
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.get_data(as_text=True)
    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert sign_in(app.test_client(), ADMIN_CREATES["email"], NEW_PASSWORD).headers["Location"] == "/dashboard/"
    again = app.test_client().get(link)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == ADMIN_CREATES["email"]))
    assert {"user.invited", "user.invitation_accepted"} <= set(actions_about(app, user))


def test_an_expired_or_unknown_invitation_says_so(client, app, make_user, login):
    admin = admin_browser(app, make_user, login)
    page = admin.post("/admin/users/new", data={**ADMIN_CREATES, "password": "", "invite": "y"},
                      follow_redirects=True).get_data(as_text=True)
    link = "/invitation/" + page.split("/invitation/")[1].split('"')[0].split("<")[0]
    with frozen_at(now() + timedelta(hours=app.config["INVITATION_VALID_HOURS"] + 1)):
        expired = client.get(link)
        assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
        assert client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 410
    assert client.get("/invitation/not-a-real-token").status_code == 404


def test_a_password_older_than_the_maximum_age_must_be_changed(client, app, make_user):
    user = make_user("writer")
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    try:
        with frozen_at(now() + timedelta(days=91)):
            assert sign_in(client, user.email).headers["Location"] == "/account/password"
            assert "more than 90 days old" in client.get("/account/password").get_data(as_text=True)
            client.post("/account/password", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                                   "confirm_password": NEW_PASSWORD})
            assert client.get("/dashboard/").status_code == 302
            assert client.get("/account").status_code == 200
    finally:
        app.config["PASSWORD_MAX_AGE_DAYS"] = None


def test_password_aging_is_off_by_default(client, app, make_user):
    user = make_user("writer")
    assert app.config["PASSWORD_MAX_AGE_DAYS"] is None
    with frozen_at(now() + timedelta(days=3650)):
        assert sign_in(client, user.email).headers["Location"] == "/dashboard/"


def test_an_invitation_sent_from_two_browsers_at_once_sets_one_password(isolated_app):
    import threading

    app = isolated_app
    with app.app_context():
        admin = user_service.create_user(None, email="admin@example.org", name="Ada Admin", password=TEST_PASSWORD,
                                         roles=["admin"])
        db.session.flush()
        invited = user_service.create_user(admin, email="new@example.org", name="Nina New", password=None,
                                           roles=["reviewer"], invite=True)
        raw = user_service.issue_invitation(admin, invited)
        db.session.commit()
    attempts = 4
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []
    lock = threading.Lock()

    def accept(n: int):
        client = app.test_client()
        barrier.wait()
        password = f"{NEW_PASSWORD}-{n}"
        response = client.post(f"/invitation/{raw}", data={"new_password": password, "confirm_password": password})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302] + [410] * (attempts - 1)
    with app.app_context():
        accepted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.invitation_accepted")).all()
        assert len(accepted) == 1


def test_a_required_two_factor_set_up_and_a_password_change_lead_one_to_the_other_without_a_loop(client, app, make_user, login):
    admin = admin_browser(app, make_user, login)
    admin.post("/admin/users/new", data=ADMIN_CREATES)
    before = app.config["REQUIRE_TWO_FACTOR_FOR"]
    app.config["REQUIRE_TWO_FACTOR_FOR"] = frozenset({"reviewer"})
    try:
        sign_in(client, ADMIN_CREATES["email"], ADMIN_CREATES["password"])
        landing = client.get("/dashboard/", follow_redirects=True)  # the test client raises on a redirect loop
        assert landing.status_code == 200
        assert landing.request.path in ("/account/password", "/account/two-factor")
    finally:
        app.config["REQUIRE_TWO_FACTOR_FOR"] = before
