"""Sign-in under concurrent requests over real connections (isolated_app): one TOTP code signs in
one browser only, and wrong guesses sent at once are all counted, locking exactly at the threshold."""
import threading
import time

import pyotp
from sqlalchemy import select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.accounts.models import User
from editorial.accounts import two_factor, service as users
from tests.conftest import TEST_PASSWORD

BROWSERS = 4  # three refusals stay under the lockout threshold


def _run_at_once(count, work):
    barrier = threading.Barrier(count)
    results, errors, lock = [], [], threading.Lock()

    def run(n):
        try:
            barrier.wait()
            outcome = work(n)
            with lock:
                results.append(outcome)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _events(app, action, user_id):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                           AuditEvent.object_id == str(user_id))).all()


def test_one_code_sent_from_several_browsers_at_once_signs_in_one(isolated_app):
    app = isolated_app
    with app.app_context():
        user = users.create_user(None, email="doc@example.org", name="Doc", password=TEST_PASSWORD, roles=["reviewer"])
        db.session.flush()
        two_factor.start(user)
        secret = two_factor.pending_secret_of(user)
        two_factor.confirm(user, pyotp.TOTP(secret).now())
        db.session.commit()
        user_id = user.id
    # A code of the next step: the enrolment spent the current one.
    code = pyotp.TOTP(secret).at(time.time() + 30)

    clients = [app.test_client() for _ in range(BROWSERS)]
    for client in clients:  # each browser has passed the password step
        response = client.post("/sign-in", data={"email": "doc@example.org", "password": TEST_PASSWORD})
        assert response.headers["Location"] == "/sign-in/code"

    statuses = _run_at_once(BROWSERS, lambda n: clients[n].post("/sign-in/code", data={"code": code}).status_code)

    assert sorted(statuses) == [200] * (BROWSERS - 1) + [302]
    signed_in = [client for client in clients if client.get("/dashboard/reviewer").status_code == 200]
    assert len(signed_in) == 1
    assert len(_events(app, "auth.second_factor_passed", user_id)) == 1
    refused = _events(app, "auth.second_factor_failed", user_id)
    assert len(refused) == BROWSERS - 1 and all('"reason":"reused_code"' in e.detail for e in refused)


def test_wrong_passwords_sent_at_once_are_all_counted_and_lock_at_the_threshold(isolated_app):
    app = isolated_app
    threshold = app.config["LOCKOUT_THRESHOLD"]
    guesses = 2 * threshold
    with app.app_context():
        user = users.create_user(None, email="w@example.org", name="W", password=TEST_PASSWORD, roles=["writer"])
        db.session.commit()
        user_id = user.id

    def guess(n):
        return app.test_client().post("/sign-in", data={"email": "w@example.org", "password": f"wrong-guess-{n}"}).status_code

    assert _run_at_once(guesses, guess) == [200] * guesses
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored.failed_attempts == guesses and stored.locked_at is not None
    (locked,) = _events(app, "user.locked", user_id)
    assert f'"failed_attempts":{threshold}' in locked.detail
    # Locked: even the right password is refused now.
    response = app.test_client().post("/sign-in", data={"email": "w@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 200 and "/dashboard" not in response.headers.get("Location", "")


def test_wrong_codes_sent_at_once_lock_the_account_once(isolated_app):
    app = isolated_app
    threshold = app.config["LOCKOUT_THRESHOLD"]
    with app.app_context():
        user = users.create_user(None, email="r@example.org", name="R", password=TEST_PASSWORD, roles=["reviewer"])
        db.session.flush()
        two_factor.start(user)
        secret = two_factor.pending_secret_of(user)
        two_factor.confirm(user, pyotp.TOTP(secret).now())
        db.session.commit()
        user_id = user.id
    valid = {pyotp.TOTP(secret).at(time.time() + 30 * k) for k in (-2, -1, 0, 1, 2)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    clients = [app.test_client() for _ in range(2 * threshold)]
    for client in clients:
        client.post("/sign-in", data={"email": "r@example.org", "password": TEST_PASSWORD})

    _run_at_once(len(clients), lambda n: clients[n].post("/sign-in/code", data={"code": wrong}).status_code)
    # A browser that came after the lock finds its pending sign-in void (not counted); every
    # refusal before is counted, none lost.
    refused = _events(app, "auth.second_factor_failed", user_id)
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored.failed_attempts == len(refused) >= threshold and stored.locked_at is not None
    (locked,) = _events(app, "user.locked", user_id)
    assert f'"failed_attempts":{threshold}' in locked.detail
