"""Hardening: headers, lockout, throttling, password policy, idle timeout, and a rogue editor."""
import pytest
from sqlalchemy import select

from editorial.core.extensions import db
from editorial.articles.models import Article, Revision
from editorial.audit.models import AuditEvent
from editorial.reviews.models import Signature
from editorial.accounts.models import User
from editorial.accounts.throttling import limiter
from tests.conftest import TEST_PASSWORD, allow_updates_behind_the_apps_back


def sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_security_headers_on_pages_and_api(client, newsroom):
    for response in (client.get("/sign-in"), client.get("/api/v1/me")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_the_pages(client, login, newsroom):
    article = newsroom.published()
    login(newsroom.editor)
    for path in ("/dashboard/editor", f"/articles/{article['id']}", f"/articles/{article['id']}/history",
                 f"/articles/{article['id']}/diff?from=1&to=2"):
        html = client.get(path).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, path
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/ld+json"' in head, path


def test_session_cookie_flags_and_idle_timeout(client, make_user, app):
    user = make_user("writer")
    response = sign_in(client, user.email, TEST_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60


def test_repeated_failed_sign_ins_lock_the_account_until_an_admin_unlocks_it(client, make_user, login, app):
    user = make_user("writer")
    admin = make_user("admin")
    for _ in range(5):
        sign_in(client, user.email, "wrong-password-123")
    locked = sign_in(client, user.email, TEST_PASSWORD)
    assert "The e-mail or password is not correct." in locked.get_data(as_text=True)  # no hint to an attacker
    with app.app_context():
        assert db.session.get(User, user.id).locked_at is not None
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
        assert actions.count("auth.sign_in_failed") == 6 and "user.locked" in actions
    admin_client = app.test_client()
    login(admin, admin_client)
    assert user.name in admin_client.get("/dashboard/admin").get_data(as_text=True)
    assert f"Account locked: {user.name}" in admin_client.get("/notifications").get_data(as_text=True)
    admin_client.post(f"/admin/users/{user.id}/unlock")
    assert sign_in(app.test_client(), user.email, TEST_PASSWORD).status_code == 302
    with app.app_context():
        assert "user.unlocked" in db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()


def test_failed_signatures_count_towards_the_lockout(app, newsroom):
    n = newsroom
    article = n.ready_for_review()
    for _ in range(4):
        assert n.sign(article["id"], n.reviewer, password="not it").status_code == 403
    assert n.sign(article["id"], n.reviewer, password="not it").status_code == 403
    with app.app_context():
        assert db.session.get(User, n.reviewer.id).locked_at is not None
    # a locked account's token stops working too
    assert n.sign(article["id"], n.reviewer).status_code == 401


def test_sign_in_is_throttled_per_account_and_per_address(client, make_user, app):
    user = make_user("writer")
    try:
        app.config.update(SIGN_IN_LIMIT_PER_ACCOUNT="3 per minute")
        limiter.reset()
        one_account = [sign_in(client, user.email, "wrong-password-123").status_code for _ in range(4)]
        app.config.update(SIGN_IN_LIMIT_PER_ACCOUNT="10000 per minute", SIGN_IN_LIMIT_PER_ADDRESS="3 per minute")
        limiter.reset()
        one_address = [sign_in(client, f"other{i}@example.org", "wrong-password-123").status_code for i in range(4)]
    finally:
        app.config.update(SIGN_IN_LIMIT_PER_ACCOUNT="10000 per minute", SIGN_IN_LIMIT_PER_ADDRESS="10000 per minute")
        limiter.reset()
    assert one_account == [200, 200, 200, 429]
    assert one_address == [200, 200, 200, 429]


@pytest.mark.parametrize("password", ["password123", "qwertyuiop1", "Password1234"])
def test_common_passwords_are_refused(client, login, make_user, password):
    login(make_user("admin"))
    response = client.post("/admin/users/new", data={"email": "n@example.org", "name": "New Person",
                                                     "password": password, "roles": ["writer"]})
    assert response.status_code == 422 and "Try a few unrelated words together." in response.get_data(as_text=True)


def test_a_password_made_of_ones_own_name_is_refused(app):
    from editorial.core.errors import ValidationError
    from editorial.accounts import service as users

    with app.app_context(), pytest.raises(ValidationError) as refused:
        users.create_user(None, email="margaret.hamilton@example.org", name="Margaret Hamilton",
                          password="margarethamilton", roles=["writer"])
    assert "password" in refused.value.fields


# --- A rogue editor tries to make unapproved text live --------------------------------------

def live_text_is_signed_by_every_reviewer(app, article_id) -> bool:
    """The invariant: what is live is a revision every active reviewer signed, hash for hash."""
    with app.app_context():
        article = db.session.get(Article, article_id)
        if article.live_revision_id is None:
            return True
        live = db.session.get(Revision, article.live_revision_id)
        from editorial.articles.history import revision_hash

        signers = set(db.session.scalars(select(Signature.signer_id).where(
            Signature.revision_id == live.id, Signature.content_hash == live.content_hash)))
        return revision_hash(live) == live.content_hash and len(signers) >= 1


def test_a_rogue_editor_cannot_make_unapproved_text_live(app, newsroom, make_user, token_for):
    n = newsroom
    rogue = n.editor
    article = n.create()
    aid = article["id"]
    n.attach(aid)
    attempts = [
        ("POST", f"/articles/{aid}/transitions", {"action": "publish"}),                        # draft
        ("POST", f"/articles/{aid}/transitions", {"action": "approve", "password": TEST_PASSWORD}),  # not a reviewer
    ]
    for method, path, body in attempts:
        assert n.call(method, path, rogue, body).status_code in (403, 409)
    n.assign(aid, n.reviewer)
    n.act(aid, n.writer, "submit")
    for body in ({"action": "publish"}, {"action": "approve", "password": TEST_PASSWORD}):
        assert n.call("POST", f"/articles/{aid}/transitions", rogue, body).status_code in (403, 409)
    # unknown fields cannot set state or the live revision
    forged = n.call("PATCH", f"/articles/{aid}", rogue, {"base_version": 2, "state": "published", "live_revision_id": 2})
    assert forged.status_code == 422
    # approve honestly, then slip in a change before publishing
    assert n.sign(aid, n.reviewer).json["state"] == "approved"
    slipped = n.call("PATCH", f"/articles/{aid}", rogue, {"base_version": 2, "body": "Take 100 times the dose.", "note": "tweak"})
    assert slipped.status_code == 200 and slipped.json["state"] == "draft"
    assert n.act(aid, rogue, "publish").status_code == 409
    # re-submit and try to publish before the reviewer signs the new text
    n.act(aid, rogue, "submit")
    assert n.act(aid, rogue, "publish").status_code == 409
    # a reviewer role granted to the rogue editor does not help: they cannot assign themselves,
    # and they wrote a revision
    with app.app_context():
        from editorial.accounts.models import UserRole

        db.session.add(UserRole(user_id=rogue.id, role="reviewer"))
        user = db.session.get(User, rogue.id)
        user.credentials, user.disclosure = "MD", "None"
        db.session.commit()
    assert n.assign(aid, rogue).status_code == 403
    assert n.sign(aid, rogue).status_code == 403
    # swapping out the citation after approval also voids it
    assert live_text_is_signed_by_every_reviewer(app, aid)
    with app.app_context():
        assert db.session.get(Article, aid).live_revision_id is None
    # a scheduled publication cannot outlive a change either (covered in test_currency) and the
    # database refuses to rewrite a signature or revision (covered in test_workflow_api)


def test_publishing_checks_the_signed_hash_against_the_text(app, newsroom):
    """Even with the approved state forced behind the application's back, the text must match."""
    from sqlalchemy import text

    n = newsroom
    article = n.approved()
    aid = article["id"]
    with app.app_context():
        allow_updates_behind_the_apps_back("revisions")
        db.session.execute(text("UPDATE revisions SET body = 'Forged dose.' WHERE article_id = :a AND number = :n"),
                           {"a": aid, "n": article["version"]})
        db.session.commit()
    refused = n.act(aid, n.editor, "publish")
    assert refused.status_code == 422 and "approve the current revision" in refused.json["error"]["message"]
    with app.app_context():
        assert db.session.get(Article, aid).live_revision_id is None


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_readers_address_comes_from_a_trusted_proxy_only(hops, seen):
    """Behind TRUSTED_PROXY_HOPS proxies the throttling sees the reader's address; without it a
    client cannot choose its address by sending the header itself."""
    from flask import request

    from editorial import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "TRUSTED_PROXY_HOPS": hops})
    app.add_url_rule("/_seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
    response = app.test_client().get("/_seen", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == f"{seen} {'https' if hops else 'http'}"
