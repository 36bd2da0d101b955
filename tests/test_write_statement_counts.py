"""The statements approve and publish run, pinned exactly as the benchmark counts them (bench/run.py:
every statement a request sends, SQLite's BEGIN among them), on a database of its own with real
commits. Each statement is listed in the test's failure message; the password check is apart."""
from sqlalchemy import event

from editorial.core.extensions import db
from editorial.citations.models import Citation
from editorial.accounts import service as user_service
from tests.conftest import TEST_PASSWORD

# Approve, the last signature an article needs: BEGIN (SQLite) or the chain's lock (PostgreSQL); the
# token; the article locked with its current revision, author, topic interval and access facts (the
# assignments with their reviewers and assigning editors, who wrote it, the signatures on the current
# revision); its references; the assignment's decision and the signature; the chain head; the
# article approved; its two events (the signature's and the approval's) in one statement; the
# assigning editor's notification.
APPROVE = 10
# Publish: BEGIN or the chain's lock; the token; the article as above; its references; the chain
# head; the event; the article; the author's notification; the latest checkpoint with the events
# since; the new checkpoint.
PUBLISH = 10
# Save, by the author: BEGIN or the chain's lock; the token; the article locked with its current
# revision alone (the author is the caller, loaded with their roles by the token: not read again);
# the references; the revision; the article; a scheduled publication to void; the chain head; the
# event; the answer's reviewers, read before the commit so that the answer reads nothing after it.
SAVE = 10


def _api(client, method, path, headers, json=None, expected=200):
    response = client.open(f"/api/v1{path}", method=method, headers=headers, json=json)
    assert response.status_code == expected, response.json
    return response.json


def test_save_approve_and_publish_run_a_pinned_number_of_statements(isolated_app):
    app = isolated_app
    with app.app_context():
        def person(email, role, **profile):
            user = user_service.create_user(None, email=email, name=email.split("@")[0].title(), password=TEST_PASSWORD,
                                            roles=[role], **profile)
            db.session.flush()
            _, raw = user_service.issue_token(None, user)
            return {"Authorization": f"Bearer {raw}"}, user.id

        writer, _ = person("writer@example.org", "writer")
        editor, _ = person("editor@example.org", "editor")
        reviewer, reviewer_id = person("reviewer@example.org", "reviewer", credentials="MD", specialty="Oncology",
                                       affiliation="City Hospital", disclosure="None")
        citation = Citation(key="tom2019", title="A study", fingerprint="a study", year=2024, formatted="Doe J.")
        db.session.add(citation)
        db.session.commit()
        citation_id, engine = citation.id, db.engine
    client = app.test_client()

    def statements_of(method, path, headers, json):
        seen = []

        def note(_conn, _cursor, statement, *_args):
            seen.append(" ".join(statement.split())[:120])

        event.listen(engine, "before_cursor_execute", note)
        try:
            _api(client, method, path, headers, json)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return seen

    def one_round():
        article = _api(client, "POST", "/articles", writer, {"title": "Radiation", "body": "Text [@tom2019]."}, 201)
        aid = article["id"]
        save = statements_of("PATCH", f"/articles/{aid}", writer, {"base_version": 1, "body": "Text, longer [@tom2019]."})
        _api(client, "POST", f"/articles/{aid}/citations", writer, {"citation_id": citation_id}, 201)
        _api(client, "POST", f"/articles/{aid}/reviewers", editor, {"user_id": reviewer_id}, 201)
        _api(client, "PATCH", f"/articles/{aid}/reviewers/me", reviewer, {"accepted": True, "conflict_of_interest": "none"})
        current = _api(client, "POST", f"/articles/{aid}/transitions", writer, {"action": "submit"})["current_revision"]
        approve = statements_of("POST", f"/articles/{aid}/transitions", reviewer,
                                {"action": "approve", "password": TEST_PASSWORD, "revision": current["number"],
                                 "content_hash": current["content_hash"]})
        publish = statements_of("POST", f"/articles/{aid}/transitions", editor, {"action": "publish"})
        return save, approve, publish

    one_round()  # the first publication makes the first checkpoint
    save, approve, publish = one_round()
    assert len(save) == SAVE, "\n".join(save)
    assert len(approve) == APPROVE, "\n".join(approve)
    assert len(publish) == PUBLISH, "\n".join(publish)
