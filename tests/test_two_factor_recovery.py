"""Two-factor sign-in when the phone is gone: one-time recovery codes, an administrator's audited
reset, and TOTP secrets encrypted at rest with a key kept outside the database."""
import re

import pytest
from sqlalchemy import select, text

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.accounts.two_factor_models import RecoveryCode
from editorial.accounts.models import User
from editorial.accounts import two_factor
from tests.conftest import TEST_PASSWORD
from tests.test_two_factor import code_for, fetch, sign_in

CODE_PATTERN = re.compile(r"\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b")


def events(app, action, user_id):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                           AuditEvent.object_id == str(user_id))).all()


def pending_secret(app, user_id):
    with app.app_context():
        return two_factor.pending_secret_of(db.session.get(User, user_id))


def turn_on(client, login, app, user):
    """Enrol through the pages; returns (secret, the recovery codes the page showed once)."""
    login(user)
    client.post("/account/two-factor/start")
    secret = pending_secret(app, user.id)
    page = client.post("/account/two-factor/confirm", data={"code": code_for(secret)})
    assert page.status_code == 200
    codes = CODE_PATTERN.findall(page.get_data(as_text=True))
    client.post("/sign-out")
    return secret, codes


def test_turning_it_on_shows_ten_recovery_codes_once_and_stores_only_their_hashes(client, login, make_user, app):
    user = make_user("reviewer")
    secret, codes = turn_on(client, login, app, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10
        dump = " ".join(row.code_hash for row in stored)
    assert not any(code.replace("-", "") in dump or code in dump for code in codes)
    (event,) = events(app, "user.recovery_codes_generated", user.id)
    assert not any(code in event.detail for code in codes)
    # Shown once: the set-up page afterwards only counts them.
    login(fetch(app, user.id))
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert not CODE_PATTERN.findall(page) and "10 of 10 recovery codes left" in page


def test_a_recovery_code_signs_in_once(client, login, make_user, app):
    user = make_user("editor")
    _, codes = turn_on(client, login, app, user)
    sign_in(client, user.email)
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "recovery code" in page
    done = client.post("/sign-in/code", data={"code": codes[3].upper().replace("-", " ")})
    assert done.status_code == 302 and done.headers["Location"] == "/dashboard/"
    assert "9 recovery codes left" in client.get("/dashboard/", follow_redirects=True).get_data(as_text=True)
    (used,) = events(app, "auth.second_factor_passed", user.id)
    assert '"method":"recovery_code"' in used.detail and codes[3] not in used.detail
    client.post("/sign-out")

    sign_in(client, user.email)
    again = client.post("/sign-in/code", data={"code": codes[3]})
    assert again.status_code == 200 and "not correct" in again.get_data(as_text=True)
    assert fetch(app, user.id).failed_attempts == 1
    assert client.post("/sign-in/code", data={"code": codes[4]}).status_code == 302


def test_recovery_codes_of_one_user_do_not_sign_in_another(client, login, make_user, app):
    one, other = make_user("writer"), make_user("writer")
    _, codes = turn_on(client, login, app, one)
    turn_on(client, login, app, other)
    sign_in(client, other.email)
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 200


def test_regenerating_needs_the_password_and_voids_the_old_codes(client, login, make_user, app):
    user = make_user("reviewer")
    _, old_codes = turn_on(client, login, app, user)
    login(fetch(app, user.id))
    refused = client.post("/account/two-factor/recovery-codes", data={"current_password": "not-my-password"})
    assert refused.status_code == 422 and "not your current password" in refused.get_data(as_text=True)
    assert fetch(app, user.id).failed_attempts == 1
    page = client.post("/account/two-factor/recovery-codes", data={"current_password": TEST_PASSWORD})
    assert page.status_code == 200
    new_codes = CODE_PATTERN.findall(page.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert len(events(app, "user.recovery_codes_generated", user.id)) == 2
    client.post("/sign-out")
    sign_in(client, user.email)
    assert client.post("/sign-in/code", data={"code": old_codes[0]}).status_code == 200
    assert client.post("/sign-in/code", data={"code": new_codes[0]}).status_code == 302


def test_a_recovery_code_can_turn_two_factor_off(client, login, make_user, app):
    """The phone is lost: sign in with a recovery code, then turn it off to set up the new phone."""
    user = make_user("writer")
    _, codes = turn_on(client, login, app, user)
    login(fetch(app, user.id))
    done = client.post("/account/two-factor/disable", data={"password": TEST_PASSWORD, "code": codes[0]})
    assert done.status_code == 302
    assert not fetch(app, user.id).two_factor_enabled
    with app.app_context():
        assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()


def test_an_admin_resets_another_users_two_factor_and_it_is_audited(client, login, make_user, app):
    admin, user = make_user("admin"), make_user("reviewer")
    other_browser = app.test_client()
    turn_on(client, login, app, user)
    login(fetch(app, user.id), other_browser)
    assert other_browser.get("/account").status_code == 200

    login(admin)
    form = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f"/admin/users/{user.id}/two-factor/reset" in form
    done = client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert done.status_code == 302
    assert "must set it up again" in client.get(done.headers["Location"]).get_data(as_text=True)
    stored = fetch(app, user.id)
    assert not stored.two_factor_enabled and stored.totp_pending_secret is None
    with app.app_context():
        assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    (event,) = events(app, "user.two_factor_reset", user.id)
    assert event.actor_id == admin.id
    # The user's sessions ended (they began with the old second factor); the password alone signs in now.
    assert other_browser.get("/account").status_code == 302
    client.post("/sign-out")
    assert sign_in(client, user.email).headers["Location"] == "/dashboard/"


def test_an_admin_cannot_reset_their_own_two_factor(client, login, make_user, app):
    admin = make_user("admin")
    turn_on(client, login, app, admin)
    login(fetch(app, admin.id))
    assert f"/admin/users/{admin.id}/two-factor/reset" not in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    refused = client.post(f"/admin/users/{admin.id}/two-factor/reset")
    assert refused.status_code == 403 and "another administrator" in refused.get_data(as_text=True)
    assert fetch(app, admin.id).two_factor_enabled


def test_only_admins_reset_two_factor(client, login, make_user, app):
    editor, user = make_user("editor"), make_user("writer")
    turn_on(client, login, app, user)
    login(editor)
    assert client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 403
    assert fetch(app, user.id).two_factor_enabled


def test_totp_secrets_are_encrypted_at_rest(client, login, make_user, app):
    user = make_user("reviewer")
    login(user)
    client.post("/account/two-factor/start")
    secret = pending_secret(app, user.id)
    with app.app_context():
        raw_pending = db.session.execute(text("SELECT totp_pending_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
    assert secret not in raw_pending and re.fullmatch(r"[A-Z2-7]{32}", secret)
    client.post("/account/two-factor/confirm", data={"code": code_for(secret)})
    with app.app_context():
        raw = db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
    assert raw and secret not in raw
    # The key is the app's, not the database's: another key cannot read it.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(raw.encode())


def test_a_secret_the_key_cannot_read_refuses_the_code_and_points_to_recovery(client, login, make_user, app):
    user = make_user("writer")
    secret, codes = turn_on(client, login, app, user)
    from cryptography.fernet import Fernet

    with app.app_context():  # the key changed since (or the row was tampered with)
        forged = Fernet(Fernet.generate_key()).encrypt(secret.encode()).decode()
        db.session.execute(text("UPDATE users SET totp_secret = :s WHERE id = :id"), {"s": forged, "id": user.id})
        db.session.commit()
    sign_in(client, user.email)
    refused = client.post("/sign-in/code", data={"code": code_for(secret, 1)})
    assert refused.status_code == 200 and "recovery code" in refused.get_data(as_text=True)
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 302


def test_the_key_comes_from_the_environment_or_a_file_and_a_malformed_one_refuses_to_start(tmp_path):
    from cryptography.fernet import Fernet

    from config import TestConfig
    from editorial import create_app

    key = Fernet.generate_key().decode()
    key_file = tmp_path / "totp.key"
    key_file.write_text(key + "\n")
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.sqlite", "TOTP_ENCRYPTION_KEY": None,
                      "TOTP_ENCRYPTION_KEY_FILE": str(key_file)})
    with app.app_context():
        from editorial.core import secret_box

        assert Fernet(key.encode()).decrypt(secret_box.encrypt("ABC").encode()) == b"ABC"
    with pytest.raises(ValueError, match="TOTP_ENCRYPTION_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.sqlite", "TOTP_ENCRYPTION_KEY": "not-a-key"})


def test_migration_0019_encrypts_the_secrets_stored_in_plain_text_and_downgrade_decrypts_them(tmp_path):
    from flask_migrate import downgrade, upgrade

    from config import TestConfig
    from editorial import create_app
    from editorial.core import secret_box

    config = type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite"})
    app = create_app(config)
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="0013")
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO users (email, name, password_hash, is_active, session_version, created_at, failed_attempts,"
            " totp_secret, totp_pending_secret) VALUES ('a@example.org', 'A', 'x', 1, 1, '2026-01-01', 0, :s, NULL)"),
            {"s": plain})
        db.session.commit()
    with app.app_context():
        upgrade(directory=directory, revision="0019")
    with app.app_context():
        stored = db.session.execute(text("SELECT totp_secret FROM users")).scalar()
        assert stored != plain and secret_box.decrypt(stored) == plain
        db.session.commit()
    with app.app_context():
        downgrade(directory=directory, revision="0013")
    with app.app_context():
        assert db.session.execute(text("SELECT totp_secret FROM users")).scalar() == plain
        db.session.commit()
        db.engine.dispose()
