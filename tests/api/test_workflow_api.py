"""The medical-review workflow through the API: the journey, and every refusal of API.md."""
import pytest
from sqlalchemy import func, select

from editorial.articles.models import Article, Revision
from editorial.audit.models import AuditEvent
from editorial.core.extensions import db
from editorial.reviews.models import Signature
from tests.conftest import TEST_PASSWORD


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def snapshot(app, article_id):
    """Everything a refused request must leave unchanged."""
    with app.app_context():
        article = db.session.get(Article, article_id)
        return {
            "state": article.state, "version": article.version, "live": article.live_revision_id,
            "revisions": db.session.scalar(select(func.count(Revision.id)).where(Revision.article_id == article_id)),
            "signatures": db.session.scalar(select(func.count(Signature.id)).where(Signature.article_id == article_id)),
            "events": db.session.scalar(select(func.count(AuditEvent.id))),
        }


def assert_refused(app, newsroom, article_id, response, status, code):
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_the_whole_journey(app, newsroom):
    n = newsroom
    article = n.create(summary="What IORT is.", topic="Breast cancer")
    assert (article["state"], article["version"], article["author"]["id"]) == ("draft", 1, n.writer.id)
    assert article["current_revision"]["number"] == 1 and len(article["current_revision"]["content_hash"]) == 64
    assert article["live_revision"] is None

    edited = n.call("PATCH", f"/articles/{article['id']}", n.writer, {"base_version": 1, "body": "Better body [@tom2019]."}).json
    assert edited["version"] == 2 and edited["body"] == "Better body [@tom2019]."
    attached = n.attach(article["id"])
    assert attached["version"] == 3 and attached["citations"][0]["key"] == "tom2019"

    for reviewer in (n.reviewer, n.reviewer2):
        assert n.assign(article["id"], reviewer, due_date="2099-01-31").status_code == 201
    submitted = n.act(article["id"], n.writer, "submit", comment="Ready for medical review").json
    assert submitted["state"] == "in_review"
    assert {r["status"] for r in submitted["reviewers"]} == {"pending"}

    first = n.sign(article["id"], n.reviewer).json
    assert first["state"] == "in_review"
    second = n.sign(article["id"], n.reviewer2).json
    assert second["state"] == "approved"
    assert {(r["status"], r["decided_revision"]) for r in second["reviewers"]} == {("approved", 3)}

    published = n.act(article["id"], n.editor, "publish").json
    assert published["state"] == "published"
    assert published["live_revision"]["number"] == 3
    assert published["live_revision"]["content_hash"] == published["current_revision"]["content_hash"]
    assert published["last_reviewed_at"].endswith("Z") and published["next_review_due"]

    with app.app_context():
        signatures = db.session.scalars(select(Signature).where(Signature.article_id == article["id"])).all()
        assert {s.printed_name for s in signatures} == {"Dr. Rita Review", "Dr. Sam Second"}
        assert all(s.meaning == "approval" and s.content_hash == published["live_revision"]["content_hash"] for s in signatures)
        assert {s.credentials for s in signatures} == {"MD", "MD, PhD"}

    unpublished = n.act(article["id"], n.editor, "unpublish").json
    assert unpublished["state"] == "archived" and unpublished["live_revision"] is None


def test_wrong_password_refuses_the_signature_and_keeps_a_record(app, newsroom):
    n = newsroom
    article = n.ready_for_review()
    before = snapshot(app, article["id"])
    response = n.sign(article["id"], n.reviewer, password="not my password")
    assert_refused(app, n, article["id"], response, 403, "reauthentication_failed")
    after = snapshot(app, article["id"])
    assert after["events"] == before["events"] + 1
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert last.action == "signature.refused" and last.actor_id == n.reviewer.id
        assert "not my password" not in last.detail
    missing = n.sign(article["id"], n.reviewer, password=None)
    assert_refused(app, n, article["id"], missing, 403, "reauthentication_failed")


REFUSALS = [
    # (setup, who, action, extra, status, code)
    ("draft_no_reviewer", "writer", "submit", {}, 422, "invalid"),
    ("draft_no_citation", "writer", "submit", {}, 422, "invalid"),
    ("draft_unresolved_key", "writer", "submit", {}, 422, "invalid"),
    ("ready", "other_writer", "submit", {}, 403, "forbidden"),
    ("ready", "reviewer", "submit", {}, 403, "forbidden"),
    ("ready", "writer", "withdraw", {}, 409, "invalid_transition"),
    ("ready", "reviewer", "approve", {"password": TEST_PASSWORD}, 409, "invalid_transition"),
    ("ready", "writer", "publish", {}, 403, "forbidden"),
    ("ready", "editor", "publish", {}, 409, "invalid_transition"),
    ("ready", "editor", "unpublish", {}, 409, "invalid_transition"),
    ("ready", "writer", "fly_to_the_moon", {}, 422, "invalid"),
    ("in_review", "writer", "submit", {}, 409, "invalid_transition"),
    ("in_review", "editor", "approve", {"password": TEST_PASSWORD}, 403, "forbidden"),
    ("in_review", "writer", "approve", {"password": TEST_PASSWORD}, 403, "forbidden"),
    ("in_review", "auditor", "approve", {"password": TEST_PASSWORD}, 403, "forbidden"),
    ("in_review", "reviewer", "request_changes", {}, 422, "invalid"),
    ("in_review", "reviewer", "request_changes", {"comment": "   "}, 422, "invalid"),
    ("in_review", "editor", "publish", {}, 409, "invalid_transition"),
    ("in_review", "writer", "publish", {}, 403, "forbidden"),
    ("approved", "reviewer", "approve", {"password": TEST_PASSWORD}, 409, "invalid_transition"),
    ("approved", "reviewer", "request_changes", {"comment": "late"}, 409, "invalid_transition"),
    ("approved", "writer", "publish", {}, 403, "forbidden"),
    ("approved", "editor", "unpublish", {}, 409, "invalid_transition"),
    ("published", "editor", "publish", {}, 409, "invalid_transition"),
    ("published", "writer", "unpublish", {}, 403, "forbidden"),
    ("published", "writer", "withdraw", {}, 409, "invalid_transition"),
]


def setup_article(n, setup):
    if setup == "draft_no_reviewer":
        article = n.create()
        n.attach(article["id"])
        return article
    if setup == "draft_no_citation":
        article = n.create(body="No inline citations.")
        n.assign(article["id"], n.reviewer)
        return article
    if setup == "draft_unresolved_key":
        article = n.create(body="Cites [@tom2019] and [@missing2020].")
        n.attach(article["id"])
        n.assign(article["id"], n.reviewer)
        return article
    if setup == "ready":
        article = n.create()
        n.attach(article["id"])
        n.assign(article["id"], n.reviewer)
        return n.article(article["id"])
    if setup == "in_review":
        return n.ready_for_review()
    if setup == "approved":
        return n.approved()
    if setup == "published":
        return n.published()
    raise AssertionError(setup)


@pytest.mark.parametrize("setup, who, action, extra, status, code", REFUSALS)
def test_refusals_change_nothing(app, newsroom, setup, who, action, extra, status, code):
    article = setup_article(newsroom, setup)
    before = snapshot(app, article["id"])
    response = newsroom.act(article["id"], getattr(newsroom, who), action, **extra)
    assert_refused(app, newsroom, article["id"], response, status, code)
    assert snapshot(app, article["id"]) == before


def test_submit_lists_every_unmet_condition(newsroom):
    article = newsroom.create(body="Cites [@nowhere1].")
    response = newsroom.act(article["id"], newsroom.writer, "submit")
    message = response.json["error"]["message"]
    assert "No physician reviewer is assigned yet: ask a senior editor" in message
    assert "Attach at least one citation" in message
    assert "[@nowhere1]" in message


def test_edit_rules(app, newsroom):
    n = newsroom
    article = n.ready_for_review()
    aid, version = article["id"], article["version"]
    before = snapshot(app, aid)
    in_review = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": version, "body": "x", "note": "fix"})
    assert_refused(app, n, aid, in_review, 409, "invalid_transition")
    n.act(aid, n.writer, "withdraw")
    stale = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": version - 1, "body": "x", "note": "fix"})
    assert_refused(app, n, aid, stale, 409, "stale_version")
    no_note = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": version, "body": "x"})
    assert_refused(app, n, aid, no_note, 422, "invalid")
    assert "note" in no_note.json["error"]["fields"]
    other = n.call("PATCH", f"/articles/{aid}", n.other_writer, {"base_version": version, "body": "x", "note": "mine"})
    assert_refused(app, n, aid, other, 403, "forbidden")
    reviewer = n.call("PATCH", f"/articles/{aid}", n.reviewer, {"base_version": version, "body": "x", "note": "fix"})
    assert_refused(app, n, aid, reviewer, 403, "forbidden")
    same = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": version, "body": article["body"], "note": "n"})
    assert_refused(app, n, aid, same, 422, "invalid")
    assert snapshot(app, aid)["revisions"] == before["revisions"]
    ok = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": version, "body": "Fixed [@tom2019].", "note": "Dose corrected"})
    assert ok.status_code == 200 and ok.json["version"] == version + 1
    revisions = n.call("GET", f"/articles/{aid}/revisions", n.writer).json["items"]
    assert revisions[-1]["note"] == "Dose corrected"


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"base_version": "1", "body": "x"}, 422, "base_version"),
        ({"base_version": 1, "body": 5}, 422, "body"),
        ({"base_version": 1, "colour": "red"}, 422, "colour"),
        ({"body": "x"}, 422, "base_version"),
    ],
)
def test_malformed_edits(app, newsroom, body, status, field):
    article = newsroom.create()
    response = newsroom.call("PATCH", f"/articles/{article['id']}", newsroom.writer, body)
    assert response.status_code == status
    assert field in response.json["error"]["fields"]


def test_malformed_json_is_400(newsroom):
    article = newsroom.create()
    response = newsroom.client.post(
        f"/api/v1/articles/{article['id']}/transitions", data="{not json",
        headers={**newsroom.headers[newsroom.writer.id], "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_too_long_fields_are_422(newsroom):
    response = newsroom.call("POST", "/articles", newsroom.writer, {"title": "t" * 301, "body": "b"})
    assert response.status_code == 422 and "title" in response.json["error"]["fields"]
    response = newsroom.call("POST", "/articles", newsroom.writer, {"title": "", "body": "b"})
    assert response.status_code == 422 and "title" in response.json["error"]["fields"]


def test_only_writers_and_editors_create(newsroom):
    for user in (newsroom.reviewer, newsroom.auditor):
        response = newsroom.call("POST", "/articles", user, {"title": "T", "body": "B"})
        assert response.status_code == 403


def test_edit_after_approval_voids_every_approval(app, newsroom):
    n = newsroom
    article = n.approved()
    edited = n.call("PATCH", f"/articles/{article['id']}", n.writer,
                    {"base_version": article["version"], "body": "Changed [@tom2019].", "note": "Late fix"}).json
    assert edited["state"] == "draft"
    assert {r["status"] for r in edited["reviewers"]} == {"pending"}
    n.act(article["id"], n.writer, "submit")
    again = n.sign(article["id"], n.reviewer).json
    assert again["state"] == "in_review"  # the other reviewer's old signature does not count


def test_live_revision_stays_until_a_new_approved_revision_is_published(app, newsroom):
    n = newsroom
    article = n.published()
    aid, live = article["id"], article["live_revision"]
    edited = n.call("PATCH", f"/articles/{aid}", n.writer,
                    {"base_version": article["version"], "body": "Draft of an update [@tom2019].", "note": "Update"}).json
    assert edited["state"] == "draft" and edited["live_revision"] == live
    n.act(aid, n.writer, "submit")
    assert n.article(aid)["live_revision"] == live
    n.sign(aid, n.reviewer)
    n.sign(aid, n.reviewer2)
    assert n.article(aid)["live_revision"] == live
    republished = n.act(aid, n.editor, "publish").json
    assert republished["live_revision"]["number"] == edited["version"]


def test_request_changes_then_revise_and_resubmit(app, newsroom):
    n = newsroom
    article = n.ready_for_review()
    aid = article["id"]
    sent_back = n.act(aid, n.reviewer, "request_changes", comment="The dose in paragraph 2 is wrong.").json
    assert sent_back["state"] == "changes_requested"
    assert any(r["status"] == "changes_requested" for r in sent_back["reviewers"])
    revised = n.call("PATCH", f"/articles/{aid}", n.writer,
                     {"base_version": sent_back["version"], "body": "Dose fixed [@tom2019].", "note": "Fixed the dose"}).json
    assert revised["state"] == "changes_requested"
    assert {r["status"] for r in revised["reviewers"]} == {"pending"}
    assert n.act(aid, n.writer, "submit").json["state"] == "in_review"


def test_assignment_rules(app, newsroom, make_user):
    n = newsroom
    article = n.create()
    aid = article["id"]
    lapsed = make_user("reviewer", credentials="MD", disclosure="None", credential_valid_until="2020-01-01")
    for user, fragment in [
        (n.other_writer, "not a physician reviewer"),
        (n.writer, "not a physician reviewer"),
        (lapsed, "lapsed"),
    ]:
        response = n.assign(aid, user)
        assert response.status_code == 422
        assert fragment in response.json["error"]["fields"]["user_id"]
    writer_reviewer = make_user("writer", "reviewer", credentials="MD", disclosure="None")
    n.call("PATCH", f"/articles/{aid}", n.editor, {"base_version": 1, "body": "x"})
    own = n.call("POST", f"/articles/{aid}/reviewers", n.editor, {"user_id": writer_reviewer.id})
    assert own.status_code == 201  # did not write a revision
    assert n.assign(aid, n.reviewer).status_code == 201
    assert n.assign(aid, n.reviewer).status_code == 422  # already assigned
    assert n.call("POST", f"/articles/{aid}/reviewers", n.writer, {"user_id": n.reviewer2.id}).status_code == 403
    assert n.assign(aid, n.reviewer2, due_date="2001-01-01").status_code == 422
    assert n.assign(aid, n.reviewer2, due_date="soon").status_code == 422
    removed = n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer.id}", n.editor)
    assert removed.status_code == 200 and n.reviewer.id not in [r["user"]["id"] for r in removed.json["reviewers"]]
    assert n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer.id}", n.editor).status_code == 404


def test_a_reviewer_who_edited_cannot_approve(app, newsroom, make_user, token_for):
    n = newsroom
    editor_reviewer = make_user("editor", "reviewer", credentials="MD", disclosure="None")
    n.headers[editor_reviewer.id] = token_for(editor_reviewer)
    article = n.create()
    aid = article["id"]
    n.attach(aid)
    assert n.assign(aid, editor_reviewer).status_code == 201
    assert n.assign(aid, n.reviewer).status_code == 201
    edit = n.call("PATCH", f"/articles/{aid}", editor_reviewer, {"base_version": 2, "body": "Edited [@tom2019]."})
    assert edit.status_code == 200
    n.act(aid, n.writer, "submit")
    refused = n.sign(aid, editor_reviewer)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"


def test_decline_needs_a_reason_and_blocks_signing(app, newsroom):
    n = newsroom
    article = n.ready_for_review()
    aid = article["id"]
    no_reason = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": False})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["error"]["fields"]
    declined = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": False, "reason": "Out of my field"})
    assert declined.status_code == 200
    assert any(r["status"] == "declined" for r in declined.json["reviewers"])
    assert n.sign(aid, n.reviewer).status_code == 403
    # the declined reviewer no longer counts: the other one's approval completes the review
    assert n.sign(aid, n.reviewer2).json["state"] == "approved"
    stranger = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.other_writer, {"accepted": True})
    assert stranger.status_code == 403


def test_declared_conflict_blocks_signing_until_waived(app, newsroom):
    n = newsroom
    article = n.ready_for_review(reviewers=[n.reviewer])
    aid = article["id"]
    accepted = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer,
                      {"accepted": True, "conflict_of_interest": "I consult for a device maker."})
    assert accepted.json["reviewers"][0]["conflict_of_interest"] == "I consult for a device maker."
    blocked = n.sign(aid, n.reviewer)
    assert blocked.status_code == 403 and "conflict of interest" in blocked.json["error"]["message"]
    no_reason = n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer.id}/waive-conflict", n.editor, {"reason": ""})
    assert no_reason.status_code == 422
    by_writer = n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer.id}/waive-conflict", n.writer, {"reason": "ok"})
    assert by_writer.status_code == 403
    waived = n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer.id}/waive-conflict", n.editor,
                    {"reason": "Minor and disclosed on the page."})
    assert waived.status_code == 200
    assert n.sign(aid, n.reviewer, conflict_of_interest=None).json["state"] == "approved"
    with app.app_context():
        signature = db.session.scalars(select(Signature).where(Signature.article_id == aid)).one()
        assert signature.conflict_of_interest == "I consult for a device maker."


@pytest.mark.parametrize("profile_change, fragment", [
    ({"disclosure": None}, "conflict-of-interest statement"),
    ({"credentials": None}, "credentials are not on file"),
])
def test_reviewer_profile_must_be_complete_to_sign(app, newsroom, profile_change, fragment):
    n = newsroom
    article = n.ready_for_review(reviewers=[n.reviewer])
    with app.app_context():
        from editorial.accounts.models import User

        user = db.session.get(User, n.reviewer.id)
        for key, value in profile_change.items():
            setattr(user, key, value)
        db.session.commit()
    response = n.sign(article["id"], n.reviewer)
    assert response.status_code == 403 and fragment in response.json["error"]["message"]


def test_signature_keeps_the_profile_as_it_was(app, newsroom):
    n = newsroom
    n.approved()
    with app.app_context():
        from editorial.accounts.models import User

        db.session.get(User, n.reviewer.id).affiliation = "Somewhere Else"
        db.session.commit()
        signature = db.session.scalars(select(Signature).where(Signature.signer_id == n.reviewer.id)).one()
        assert signature.affiliation == "City Hospital"


def test_revisions_and_signatures_are_immutable_in_the_database(app, newsroom):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    newsroom.approved()
    with app.app_context():
        for statement in ("UPDATE revisions SET body = 'forged'", "DELETE FROM revisions",
                          "UPDATE signatures SET content_hash = 'forged'", "DELETE FROM signatures"):
            nested = db.session.begin_nested()
            with pytest.raises(DatabaseError):
                db.session.execute(text(statement))
            nested.rollback()


def test_diff_and_revision_endpoints(newsroom):
    n = newsroom
    article = n.create(body="Line one.\nLine two.")
    aid = article["id"]
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": 1, "body": "Line one.\nLine 2."})
    diff = n.call("GET", f"/articles/{aid}/diff?from=1&to=2", n.writer).json
    assert diff["from"] == 1 and diff["to"] == 2
    assert "-Line two." in diff["unified"] and "+Line 2." in diff["unified"]
    first = n.call("GET", f"/articles/{aid}/revisions/1", n.writer).json
    assert first["body"] == "Line one.\nLine two." and first["number"] == 1
    assert n.call("GET", f"/articles/{aid}/revisions/9", n.writer).status_code == 404
    assert n.call("GET", f"/articles/{aid}/diff?from=x&to=2", n.writer).status_code == 422


def test_visibility_of_articles(newsroom):
    n = newsroom
    article = n.create()
    aid = article["id"]
    assert n.call("GET", f"/articles/{aid}", n.other_writer).status_code == 403
    assert n.call("GET", f"/articles/{aid}", n.reviewer).status_code == 403
    assert n.call("GET", f"/articles/{aid}", n.auditor).status_code == 200
    assert n.call("GET", "/articles/999999", n.editor).status_code == 404
    n.assign(aid, n.reviewer)
    assert n.call("GET", f"/articles/{aid}", n.reviewer).status_code == 200
    mine = n.call("GET", "/articles?assigned_to=me", n.reviewer).json
    assert [a["id"] for a in mine["items"]] == [aid]
    others = n.call("GET", "/articles", n.other_writer).json
    assert aid not in [a["id"] for a in others["items"]]
    assert n.call("GET", "/articles?state=flying", n.editor).status_code == 422


def test_as_of_reconstructs_what_was_live(newsroom):
    n = newsroom
    article = n.published()
    aid = article["id"]
    assert n.call("GET", f"/articles/{aid}/as-of?at=2000-01-01T00:00:00Z", n.editor).status_code == 404
    now = n.call("GET", f"/articles/{aid}/as-of?at=2999-01-01T00:00:00Z", n.auditor).json
    assert now["number"] == article["live_revision"]["number"]
    assert n.call("GET", f"/articles/{aid}/as-of?at=yesterday", n.auditor).status_code == 422
    assert n.call("GET", f"/articles/{aid}/as-of?at=2999-01-01T00:00:00Z", n.writer).status_code == 403


def test_a_script_with_only_tokens_drives_the_whole_journey(newsroom, client):
    """API.md end to end: create, cite, assign, submit, sign, publish, read the public JSON,
    read the audit trail and verify it, each step with nothing but a bearer token."""
    n = newsroom
    citation = n.call("POST", "/citations", n.writer, {
        "type": "article-journal", "title": "A trial of single-dose radiation", "container_title": "J Trials",
        "authors": [{"family": "Rivera", "given": "Ana"}], "year": 2024, "doi": "10.1234/trial.2024.1",
    }).json
    article = n.call("POST", "/articles", n.writer, {"title": "Single-dose radiation", "body": f"It works [@{citation['key']}]."}).json
    aid = article["id"]
    assert n.call("POST", f"/articles/{aid}/citations", n.writer, {"citation_id": citation["id"]}).status_code == 201
    assert n.call("POST", f"/articles/{aid}/reviewers", n.editor, {"user_id": n.reviewer.id}).status_code == 201
    assert n.act(aid, n.writer, "submit").json["state"] == "in_review"
    assert n.sign(aid, n.reviewer).json["state"] == "approved"
    published = n.act(aid, n.editor, "publish").json
    public = client.get(f"/api/v1/published/{published['slug']}").json
    assert public["content_hash"] == published["live_revision"]["content_hash"]
    assert public["reviewed_by"][0]["name"] == "Dr. Rita Review" and public["references"][0].startswith("Rivera A.")
    events = n.call("GET", f"/audit?article_id={aid}&per_page=100", n.auditor).json["items"]
    assert [e["action"] for e in events if e["action"].startswith("article.")][-2:] == ["article.approve", "article.publish"]
    assert n.call("GET", "/audit/verify", n.auditor).json["ok"] is True


def test_the_revision_list_written_line_by_line_matches_the_api_shape(app, newsroom):
    """GET /articles/{id}/revisions writes its JSON itself (queries.revision_list_json, for long lists);
    it must say exactly what articles/schemas.revision_summary says of each revision, awkward text included."""
    from editorial.articles.schemas import RevisionList, revision_summary

    n = newsroom
    article = n.create()
    version = article["version"]
    for who, note in ((n.writer, 'He said "stop" \\ then\nleft\ttabbed \x01 ☤ é 😀'), (n.editor, ""), (n.writer, "ok")):
        saved = n.call("PATCH", f"/articles/{article['id']}", who,
                       {"base_version": version, "body": f"Body {version} [@tom2019].", "note": note})
        assert saved.status_code == 200, saved.json
        version = saved.json["version"]
    with app.app_context():
        from editorial.accounts.models import User

        db.session.get(User, n.editor.id).credentials = 'MD, "FACP" \\ ☤'
        db.session.commit()
    listed = n.call("GET", f"/articles/{article['id']}/revisions", n.writer)
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    assert listed.json["items"][2]["author"]["credentials"] == 'MD, "FACP" \\ ☤'

    with app.app_context():
        from sqlalchemy.orm import joinedload

        revisions = db.session.scalars(select(Revision).options(joinedload(Revision.author))
                                       .where(Revision.article_id == article["id"]).order_by(Revision.number)).all()
        assert listed.json == {"items": [revision_summary(r).model_dump(mode="json") for r in revisions]}
    RevisionList.model_validate_json(listed.data)  # the documented model, which the view does not re-parse
    assert [r["number"] for r in listed.json["items"]] == [1, 2, 3, 4]


def test_every_write_answers_the_article_as_it_was_committed(app, newsroom):
    """Writes build their answer inside their transaction, before the commit (api.routes_articles.committed):
    each answer must equal what a read right after the commit says."""
    n = newsroom
    aid = n.create()["id"]

    def check(response, status=200):
        assert response.status_code == status, response.json
        assert response.json == n.call("GET", f"/articles/{aid}", n.editor).json
        return response.json

    check(n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": 1, "body": "Dose [@tom2019].", "topic": "Breast cancer"}))
    check(n.call("POST", f"/articles/{aid}/citations", n.writer, {"citation_id": n.citation.id}), 201)
    check(n.assign(aid, n.reviewer, due_date="2099-01-31"), 201)
    check(n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer,
                 {"accepted": True, "conflict_of_interest": "Consults for a device maker."}))
    check(n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer.id}/waive-conflict", n.editor,
                 {"reason": "Unrelated to this treatment."}))
    check(n.act(aid, n.writer, "submit", comment="Ready"))
    check(n.sign(aid, n.reviewer, conflict_of_interest=None))
    assert check(n.act(aid, n.editor, "publish"))["state"] == "published"
