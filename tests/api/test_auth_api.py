"""Bearer tokens and the error envelope of API.md."""
from editorial.core.extensions import db
from editorial.accounts.models import ApiToken, User
from editorial.accounts import service as user_service


def assert_error(response, status, code):
    assert response.status_code == status
    assert response.is_json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_me_without_a_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_me_with_a_bad_or_malformed_token_is_401(client):
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_me_with_a_token(client, make_user, token_for):
    user = make_user("writer", "reviewer")
    response = client.get("/api/v1/me", headers=token_for(user))
    assert response.status_code == 200
    assert response.json == {"id": user.id, "email": user.email, "name": user.name, "roles": ["writer", "reviewer"]}


def test_tokens_are_stored_hashed(app, make_user):
    user = make_user("writer")
    with app.app_context():
        token, raw = user_service.issue_token(None, db.session.get(User, user.id))
        db.session.commit()
        stored = db.session.get(ApiToken, token.id)
        assert raw not in (stored.token_hash, stored.label)
        assert len(stored.token_hash) == 64


def test_token_of_a_deactivated_user_stops_working(client, app, make_user, token_for):
    admin = make_user("admin")
    user = make_user("writer")
    headers = token_for(user)
    with app.app_context():
        user_service.set_active(db.session.get(User, admin.id), db.session.get(User, user.id), False)
        db.session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_users_list_needs_editor_admin_or_auditor(client, make_user, token_for):
    assert_error(client.get("/api/v1/users", headers=token_for(make_user("writer"))), 403, "forbidden")
    make_user("reviewer", credentials="MD", specialty="Oncologist")
    response = client.get("/api/v1/users?role=reviewer", headers=token_for(make_user("editor")))
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["total"] >= 1
    assert all("reviewer" in item["roles"] for item in body["items"])
    assert "password_hash" not in body["items"][0]


def test_bad_paging_and_unknown_role_are_422(client, make_user, token_for):
    headers = token_for(make_user("auditor"))
    assert_error(client.get("/api/v1/users?per_page=500", headers=headers), 422, "invalid")
    response = client.get("/api/v1/users?role=pope", headers=headers)
    assert_error(response, 422, "invalid")
    assert "role" in response.json["error"]["fields"]


def test_unknown_api_path_is_a_404_envelope(client, make_user, token_for):
    assert_error(client.get("/api/v1/no-such-thing", headers=token_for(make_user("writer"))), 404, "not_found")
