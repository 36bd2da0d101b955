"""Two-factor sign-in (TOTP): enrolment, the code step of signing in, lockout, replay, expiry,
turning it off, and the roles that must use it."""
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from editorial.core.clock import frozen_at, now
from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.accounts.models import User
from editorial.accounts.two_factor_views import PENDING_KEY
from tests.conftest import TEST_PASSWORD


def sign_in(client, email, password=TEST_PASSWORD, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def pending_secret(app, user_id) -> str:
    """The secret being set up, decrypted (it is stored encrypted)."""
    from editorial.accounts import two_factor

    with app.app_context():
        return two_factor.pending_secret_of(db.session.get(User, user_id))


def fetch(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
    return user


def events(app, action, user_id=None):
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action)
        if user_id is not None:
            query = query.where(AuditEvent.object_id == str(user_id))
        return db.session.scalars(query.order_by(AuditEvent.id)).all()


def code_for(secret, steps_ahead=0):
    """A valid code for now (or the next step, to avoid the one the enrolment already used)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def wrong_code(secret):
    totp, t = pyotp.TOTP(secret), time.time()
    valid = {totp.at(t + 30 * k) for k in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enrol(client, login, app, user):
    """Turn two-factor sign-in on through the pages; returns the secret."""
    login(user)
    assert client.post("/account/two-factor/start").status_code == 302
    secret = pending_secret(app, user.id)
    response = client.post("/account/two-factor/confirm", data={"code": code_for(secret)})
    assert response.status_code == 200 and "Your recovery codes" in response.get_data(as_text=True)
    client.post("/sign-out")
    return secret


@pytest.fixture
def require_for(app):
    """Set REQUIRE_TWO_FACTOR_FOR for one test and put it back afterwards."""
    before = app.config["REQUIRE_TWO_FACTOR_FOR"]

    def set_roles(*roles):
        app.config["REQUIRE_TWO_FACTOR_FOR"] = frozenset(roles)

    yield set_roles
    app.config["REQUIRE_TWO_FACTOR_FOR"] = before


def test_enrolment_shows_the_key_refuses_a_wrong_code_and_accepts_a_right_one(client, login, make_user, app):
    user = make_user("reviewer")
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page

    assert client.post("/account/two-factor/start").status_code == 302
    secret = pending_secret(app, user.id)
    assert secret and fetch(app, user.id).two_factor_enabled is False
    setup = client.get("/account/two-factor")
    page = setup.get_data(as_text=True)
    assert '<img src="data:image/svg+xml' in page
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Vetted")
    assert pyotp.parse_uri(uri).secret == secret and "issuer=Vetted" in uri

    refused = client.post("/account/two-factor/confirm", data={"code": wrong_code(secret)})
    assert refused.status_code == 422
    assert "That code is not correct." in refused.get_data(as_text=True)
    assert fetch(app, user.id).two_factor_enabled is False

    accepted = client.post("/account/two-factor/confirm", data={"code": code_for(secret)})
    assert accepted.status_code == 200 and "Your recovery codes" in accepted.get_data(as_text=True)
    stored = fetch(app, user.id)
    assert stored.two_factor_enabled and stored.totp_pending_secret is None
    assert secret not in stored.totp_secret  # encrypted at rest (tests/test_two_factor_recovery.py)
    assert stored.totp_enabled_at is not None
    # This session was kept (the session version moved for the others).
    assert client.get("/account").status_code == 200
    (event,) = events(app, "user.two_factor_enabled", user.id)
    assert secret not in event.detail and event.actor_id == user.id


def test_enabling_signs_out_other_sessions(client, login, make_user, app):
    user = make_user("writer")
    other = app.test_client()
    login(user, other)
    enrol(client, login, app, user)
    assert other.get("/account").status_code == 302


def test_sign_in_needs_the_code_once_enrolled(client, login, make_user, app):
    user = make_user("editor")
    secret = enrol(client, login, app, user)

    response = sign_in(client, user.email, next_url="/articles/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/code"
    # Not signed in yet: desk pages still send the browser to sign in.
    assert client.get("/dashboard/editor").status_code == 302
    assert client.get("/dashboard/editor").headers["Location"].startswith("/sign-in")
    with client.session_transaction() as session:
        assert session[PENDING_KEY]["user_id"] == user.id
        assert "_user_id" not in session
        assert secret not in str(dict(session))

    page = client.get("/sign-in/code")
    assert page.status_code == 200 and "authenticator app" in page.get_data(as_text=True)
    done = client.post("/sign-in/code", data={"code": code_for(secret, 1)})
    assert done.status_code == 302 and done.headers["Location"] == "/articles/"
    assert client.get("/dashboard/editor").status_code == 200
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    assert events(app, "auth.second_factor_passed", user.id)
    assert events(app, "auth.password_accepted", user.id) and not events(app, "auth.signed_in", user.id)


def test_wrong_codes_are_audited_and_lock_the_account(client, login, make_user, app):
    app.config["LOCKOUT_THRESHOLD"], before = 3, app.config["LOCKOUT_THRESHOLD"]
    try:
        user = make_user("reviewer")
        secret = enrol(client, login, app, user)
        sign_in(client, user.email)
        bad = client.post("/sign-in/code", data={"code": wrong_code(secret)})
        assert bad.status_code == 200
        assert "That code is not correct." in bad.get_data(as_text=True)
        assert fetch(app, user.id).failed_attempts == 1
        failed = events(app, "auth.second_factor_failed", user.id)
        assert len(failed) == 1 and '"reason":"wrong_code"' in failed[0].detail

        # Entering the password again does not clear the count: only a full sign-in does.
        client.post("/sign-out")
        sign_in(client, user.email)
        assert fetch(app, user.id).failed_attempts == 1
        client.post("/sign-in/code", data={"code": wrong_code(secret)})
        client.post("/sign-in/code", data={"code": wrong_code(secret)})
        locked = fetch(app, user.id)
        assert locked.failed_attempts == 3 and locked.locked_at is not None
        (lock,) = events(app, "user.locked", user.id)
        assert "second factor" in lock.detail
        # The pending sign-in died with the lock; even a right code now sends back to sign in.
        again = client.post("/sign-in/code", data={"code": code_for(secret, 1)})
        assert again.status_code == 302 and again.headers["Location"] == "/sign-in"
        assert client.get("/dashboard/reviewer").status_code == 302
    finally:
        app.config["LOCKOUT_THRESHOLD"] = before


def test_a_right_code_clears_the_failure_count(client, login, make_user, app):
    user = make_user("writer")
    secret = enrol(client, login, app, user)
    sign_in(client, user.email)
    client.post("/sign-in/code", data={"code": wrong_code(secret)})
    assert fetch(app, user.id).failed_attempts == 1
    assert client.post("/sign-in/code", data={"code": code_for(secret, 1)}).status_code == 302
    assert fetch(app, user.id).failed_attempts == 0


def test_a_code_cannot_be_used_twice(client, login, make_user, app):
    user = make_user("editor")
    secret = enrol(client, login, app, user)
    # The code that confirmed the enrolment is spent already.
    spent = pyotp.TOTP(secret).generate_otp(fetch(app, user.id).totp_last_step)
    sign_in(client, user.email)
    reused = client.post("/sign-in/code", data={"code": spent})
    assert "already been used" in reused.get_data(as_text=True)
    code = code_for(secret, 1)
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    client.post("/sign-out")

    sign_in(client, user.email)
    replay = client.post("/sign-in/code", data={"code": code})
    assert replay.status_code == 200 and "already been used" in replay.get_data(as_text=True)
    assert client.get("/dashboard/editor").status_code == 302
    reasons = [e.detail for e in events(app, "auth.second_factor_failed", user.id)]
    assert all('"reason":"reused_code"' in r for r in reasons) and len(reasons) == 2
    assert all(code not in r for r in reasons)


def test_a_pending_sign_in_expires(client, login, make_user, app):
    user = make_user("writer")
    secret = enrol(client, login, app, user)
    sign_in(client, user.email)
    with frozen_at(now() + timedelta(minutes=6)):
        late = client.post("/sign-in/code", data={"code": code_for(secret, 1)})
    assert late.status_code == 302 and late.headers["Location"] == "/sign-in"
    assert "sign in again" in client.get("/sign-in").get_data(as_text=True)
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    assert client.get("/dashboard/writer").status_code == 302


def test_code_page_without_a_pending_sign_in_goes_to_sign_in(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.post("/sign-in/code", data={"code": "123456"}).headers["Location"] == "/sign-in"


def test_a_forged_or_stale_pending_marker_is_refused(client, login, make_user, app):
    user = make_user("writer")
    secret = enrol(client, login, app, user)
    sign_in(client, user.email)
    with app.app_context():  # the password changes elsewhere: the pending sign-in is void
        stored = db.session.get(User, user.id)
        stored.session_version += 1
        db.session.commit()
    assert client.post("/sign-in/code", data={"code": code_for(secret, 1)}).headers["Location"] == "/sign-in"


def test_turning_it_off_needs_the_password_and_a_code(client, login, make_user, app):
    user = make_user("reviewer")
    secret = enrol(client, login, app, user)
    login(fetch(app, user.id))

    no_password = client.post("/account/two-factor/disable", data={"password": "not-the-password", "code": code_for(secret, 1)})
    assert no_password.status_code == 422
    assert "That is not your current password." in no_password.get_data(as_text=True)
    no_code = client.post("/account/two-factor/disable", data={"password": TEST_PASSWORD, "code": wrong_code(secret)})
    assert no_code.status_code == 422
    assert "That code is not correct." in no_code.get_data(as_text=True)
    missing = client.post("/account/two-factor/disable", data={"password": TEST_PASSWORD, "code": ""})
    assert missing.status_code == 422
    assert fetch(app, user.id).two_factor_enabled
    assert fetch(app, user.id).failed_attempts == 2
    assert len(events(app, "user.two_factor_disable_refused", user.id)) == 2

    done = client.post("/account/two-factor/disable", data={"password": TEST_PASSWORD, "code": code_for(secret, 1)})
    assert done.status_code == 302
    stored = fetch(app, user.id)
    assert not stored.two_factor_enabled and stored.totp_secret is None and stored.failed_attempts == 0
    (event,) = events(app, "user.two_factor_disabled", user.id)
    assert secret not in event.detail and TEST_PASSWORD not in event.detail

    # Signing in is back to the password alone.
    client.post("/sign-out")
    assert sign_in(client, user.email).headers["Location"] == "/dashboard/"


def test_users_without_two_factor_sign_in_as_before(client, make_user, app):
    user = make_user("writer")
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    assert client.get("/dashboard/writer").status_code == 200
    assert not events(app, "auth.password_accepted", user.id) and events(app, "auth.signed_in", user.id)


def test_required_roles_must_enrol_before_anything_else(client, login, make_user, app, require_for, token_for):
    require_for("reviewer", "editor")
    reviewer = make_user("reviewer")
    writer = make_user("writer")
    headers = token_for(reviewer)

    login(writer)
    assert client.get("/dashboard/writer").status_code == 200  # a writer is not required to
    client.post("/sign-out")

    assert sign_in(client, reviewer.email).status_code == 302
    for path in ["/dashboard/", "/dashboard/reviewer", "/account", "/articles/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor", path
    assert client.post("/account/tokens", data={"label": "x"}).headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "required of every physician expert" in page.get_data(as_text=True)
    # The public site, the API (tokens are unaffected) and signing out still work.
    assert client.get("/health-topics").status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/static/css/app.css").status_code == 200

    client.post("/account/two-factor/start")
    secret = pending_secret(app, reviewer.id)
    assert client.post("/account/two-factor/confirm", data={"code": code_for(secret)}).status_code == 200
    assert client.get("/dashboard/reviewer").status_code == 200
    assert client.post("/sign-out").status_code == 302


def test_required_roles_config_rejects_unknown_role_names(app):
    from editorial.accounts.two_factor import check_required_roles

    check_required_roles({"REQUIRE_TWO_FACTOR_FOR": {"reviewer", "editor"}})
    with pytest.raises(ValueError, match="reviewers"):
        check_required_roles({"REQUIRE_TWO_FACTOR_FOR": {"reviewers"}})


def test_config_reads_the_roles_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("REQUIRE_TWO_FACTOR_FOR", " reviewer, editor ,")
    try:
        assert importlib.reload(config).Config.REQUIRE_TWO_FACTOR_FOR == {"reviewer", "editor"}
    finally:
        monkeypatch.delenv("REQUIRE_TWO_FACTOR_FOR")
        importlib.reload(config)
