"""The signature binds what the signer saw (21 CFR Part 11 §11.50, §11.70), each conflict of
interest is declared for the article before signing, and no one checks their own work (§11.10(f)).

Each test performs the attack first as it was reproduced from outside, then checks that the
promise holds: nothing signed, nothing published, the refusal named.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from editorial.core.extensions import db
from editorial.reviews.models import Assignment, Signature
from editorial.audit.models import AuditEvent
from tests.conftest import TEST_PASSWORD


def signature_count(app, article_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Signature.id)).where(Signature.article_id == article_id))


def actions_of(app, article_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.article_id == article_id).order_by(AuditEvent.id)))


def status_of(article: dict, reviewer) -> str:
    return next(r["status"] for r in article["reviewers"] if r["user"]["id"] == reviewer.id)


# --- The signature names the revision the reviewer read ---------------------------------

def test_an_open_signing_form_cannot_sign_a_revision_edited_after_it_was_read(app, newsroom):
    n = newsroom
    article = n.ready_for_review(reviewers=[n.reviewer])
    aid = article["id"]
    read = n.article(aid, n.reviewer)["current_revision"]  # the reviewer opens "50 mg twice a day"

    n.act(aid, n.writer, "withdraw")
    edited = n.call("PATCH", f"/articles/{aid}", n.writer, {
        "base_version": read["number"], "body": "Take 500 mg four times a day [@tom2019].", "note": "dose"})
    assert edited.status_code == 200
    assert n.act(aid, n.writer, "submit").status_code == 200

    # The reviewer's form, still open on what they read, is sent now.
    stale = n.act(aid, n.reviewer, "approve", password=TEST_PASSWORD, conflict_of_interest="none",
                  revision=read["number"], content_hash=read["content_hash"])
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"
    assert f"revision {read['number']}" in stale.json["error"]["message"]
    assert signature_count(app, aid) == 0
    after = n.article(aid)
    assert after["state"] == "in_review" and status_of(after, n.reviewer) == "pending"
    assert "signature.recorded" not in actions_of(app, aid)
    # ...and the editor cannot publish it with the reviewer's name on it.
    assert n.act(aid, n.editor, "publish").json["error"]["code"] == "invalid_transition"


def test_the_right_number_with_another_hash_signs_nothing(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    current = n.article(aid)["current_revision"]
    forged = n.act(aid, n.reviewer, "approve", password=TEST_PASSWORD, conflict_of_interest="none",
                   revision=current["number"], content_hash="0" * 64)
    assert forged.status_code == 409 and forged.json["error"]["code"] == "stale_version"
    assert signature_count(app, aid) == 0


def test_an_approval_must_name_what_it_signs(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    unnamed = n.act(aid, n.reviewer, "approve", password=TEST_PASSWORD, conflict_of_interest="none")
    assert unnamed.status_code == 422 and unnamed.json["error"]["code"] == "invalid"
    assert {"revision", "content_hash"} <= set(unnamed.json["error"]["fields"])
    assert signature_count(app, aid) == 0


def test_a_stale_approval_is_not_counted_as_a_failed_password(app, newsroom):
    """The mismatch is decided before the password is checked: a reviewer who was overtaken by
    an edit is not nudged towards lockout."""
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    n.act(aid, n.reviewer, "approve", password="wrong", revision=1, content_hash="0" * 64, conflict_of_interest="none")
    assert "signature.refused" not in actions_of(app, aid)


def test_the_signature_records_the_hash_it_was_given(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    current = n.article(aid)["current_revision"]
    assert n.sign(aid, n.reviewer).json["state"] == "approved"
    with app.app_context():
        signature = db.session.scalars(select(Signature).where(Signature.article_id == aid)).one()
        assert (signature.revision_number, signature.content_hash) == (current["number"], current["content_hash"])


# --- A conflict of interest is declared for each article before signing -----------------

def test_signing_without_any_declaration_is_refused(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    undeclared = n.sign(aid, n.reviewer, conflict_of_interest=None)
    assert undeclared.status_code == 422 and "conflict_of_interest" in undeclared.json["error"]["fields"]
    assert signature_count(app, aid) == 0


def test_none_given_with_the_approval_is_stored_as_a_declaration(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    signed = n.sign(aid, n.reviewer, conflict_of_interest="None")
    assert signed.status_code == 200
    assert signed.json["reviewers"][0]["conflict_of_interest"] == "none"
    with app.app_context():
        assignment = db.session.scalars(select(Assignment).where(Assignment.article_id == aid)).one()
        assert assignment.conflict_declared_at is not None and assignment.accepted_at is not None
    # accepting and signing in one step leave both on the record, in that order
    actions = actions_of(app, aid)
    assert actions.index("review.accepted") < actions.index("signature.recorded")


def test_an_acceptance_declared_none_needs_no_second_declaration(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    accepted = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True, "conflict_of_interest": "none"})
    assert accepted.status_code == 200
    assert n.sign(aid, n.reviewer, conflict_of_interest=None).json["state"] == "approved"


def test_an_acceptance_without_a_declaration_still_needs_one_to_sign(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    assert n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True}).status_code == 200
    assert n.sign(aid, n.reviewer, conflict_of_interest=None).status_code == 422


def test_a_conflict_stated_in_the_approval_signs_nothing(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    refused = n.sign(aid, n.reviewer, conflict_of_interest="I hold shares in the device maker.")
    assert refused.status_code == 403 and "waive" in refused.json["error"]["message"]
    assert signature_count(app, aid) == 0


def test_a_conflict_declared_after_signing_voids_the_signature(app, newsroom):
    n = newsroom
    article = n.approved()
    aid = article["id"]
    late = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer,
                  {"accepted": True, "conflict_of_interest": "I consult for the device maker."})
    assert late.status_code == 200
    assert late.json["state"] == "in_review" and status_of(late.json, n.reviewer) == "pending"
    assert "signature.voided" in actions_of(app, aid)
    refused = n.act(aid, n.editor, "publish")
    assert refused.status_code == 409

    # Waived by an editor, signed again: the page then shows the conflict, not "None declared".
    assert n.call("POST", f"/articles/{aid}/reviewers/{n.reviewer.id}/waive-conflict", n.editor,
                  {"reason": "Disclosed on the page; the other reviewer has none."}).status_code == 200
    assert n.sign(aid, n.reviewer, conflict_of_interest=None).json["state"] == "approved"
    assert n.act(aid, n.editor, "publish").status_code == 200
    slug = n.article(aid)["slug"]
    public = n.client.get(f"/health/{slug}").get_data(as_text=True)
    assert "I consult for the device maker." in public, public[public.find("reviewed"):][:3000]


def test_a_conflict_declared_after_signing_voids_a_scheduled_publication(app, client, login, newsroom):
    from editorial.articles import schedules_cli

    n = newsroom
    aid = n.approved()["id"]
    run_at = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    login(n.editor)
    assert client.post(f"/articles/{aid}/schedules", data={"action": "publish", "run_at": run_at}).status_code == 302
    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True, "conflict_of_interest": "Paid speaker."})
    with app.app_context():
        schedules_cli.apply_due(datetime.now(timezone.utc) + timedelta(hours=2))
    article = n.article(aid)
    assert article["state"] == "in_review" and article["live_revision"] is None


def test_a_reviewer_cannot_take_back_a_declared_conflict(app, newsroom):
    n = newsroom
    aid = n.ready_for_review(reviewers=[n.reviewer])["id"]
    n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True, "conflict_of_interest": "Paid speaker."})
    retract = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer, {"accepted": True, "conflict_of_interest": "none"})
    assert retract.status_code == 409
    assert n.sign(aid, n.reviewer, conflict_of_interest=None).status_code == 403


# --- An article never gets stuck in review ----------------------------------------------

def test_removing_the_last_pending_reviewer_completes_the_approval(app, newsroom):
    n = newsroom
    aid = n.ready_for_review()["id"]
    assert n.sign(aid, n.reviewer).json["state"] == "in_review"
    removed = n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer2.id}", n.editor)
    assert removed.status_code == 200 and removed.json["state"] == "approved"
    assert n.act(aid, n.editor, "publish").json["state"] == "published"


def test_a_decline_by_the_last_pending_reviewer_completes_the_approval(app, newsroom):
    n = newsroom
    aid = n.ready_for_review()["id"]
    n.sign(aid, n.reviewer)
    declined = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer2, {"accepted": False, "reason": "Away"})
    assert declined.json["state"] == "approved"


def test_removing_a_pending_reviewer_before_anyone_signed_changes_no_state(app, newsroom):
    n = newsroom
    aid = n.ready_for_review()["id"]
    removed = n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer2.id}", n.editor)
    assert removed.json["state"] == "in_review"


# --- No one checks their own work --------------------------------------------------------

def _editor_reviewer(make_user, token_for, newsroom):
    person = make_user("editor", "reviewer", name="Dr. Ed Both", credentials="MD", disclosure="None")
    newsroom.headers[person.id] = token_for(person)
    return person


def test_an_editor_cannot_assign_themselves(app, newsroom, make_user, token_for):
    n = newsroom
    both = _editor_reviewer(make_user, token_for, n)
    aid = n.create()["id"]
    self_assigned = n.call("POST", f"/articles/{aid}/reviewers", both, {"user_id": both.id})
    assert self_assigned.status_code == 403 and self_assigned.json["error"]["code"] == "forbidden"
    assert n.call("POST", f"/articles/{aid}/reviewers", n.editor, {"user_id": both.id}).status_code == 201


def test_a_reviewer_cannot_waive_their_own_conflict(app, newsroom, make_user, token_for):
    n = newsroom
    both = _editor_reviewer(make_user, token_for, n)
    aid = n.ready_for_review(reviewers=[both])["id"]
    n.call("PATCH", f"/articles/{aid}/reviewers/me", both, {"accepted": True, "conflict_of_interest": "My own trial."})
    own = n.call("POST", f"/articles/{aid}/reviewers/{both.id}/waive-conflict", both, {"reason": "I am fine."})
    assert own.status_code == 403
    assert n.call("POST", f"/articles/{aid}/reviewers/{both.id}/waive-conflict", n.editor,
                  {"reason": "Disclosed."}).status_code == 200


def test_the_signer_may_not_publish_alone_what_they_signed(app, newsroom, make_user, token_for):
    n = newsroom
    both = _editor_reviewer(make_user, token_for, n)
    aid = n.ready_for_review(reviewers=[both])["id"]
    assert n.sign(aid, both).json["state"] == "approved"
    alone = n.act(aid, both, "publish")
    assert alone.status_code == 403 and alone.json["error"]["code"] == "forbidden"
    assert n.article(aid)["live_revision"] is None
    assert n.act(aid, n.editor, "publish").json["state"] == "published"


def test_a_writer_who_is_an_editor_may_publish_after_independent_approval(app, newsroom, make_user, token_for):
    n = newsroom
    writer_editor = make_user("writer", "editor", name="Wendy Both")
    n.headers[writer_editor.id] = token_for(writer_editor)
    created = n.call("POST", "/articles", writer_editor, {"title": "Lymphoedema", "body": "Text [@tom2019]."}).json
    aid = created["id"]
    n.call("POST", f"/articles/{aid}/citations", writer_editor, {"citation_id": n.citation.id})
    n.assign(aid, n.reviewer)
    n.act(aid, writer_editor, "submit")
    n.sign(aid, n.reviewer)
    assert n.act(aid, writer_editor, "publish").json["state"] == "published"


# --- The topic is content: readers see it, so it is reviewed like the title -----------------

def test_a_topic_change_on_a_live_article_waits_for_review(app, client, newsroom):
    n = newsroom
    article = n.published()
    aid, slug = article["id"], article["slug"]
    stale = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"] - 1,
                                                          "topic": "Miracle cures", "note": "filing"})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"
    no_note = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"], "topic": "Miracle cures"})
    assert no_note.status_code == 422
    moved = n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"],
                                                          "topic": "Miracle cures", "note": "refiling"})
    assert moved.status_code == 200
    assert moved.json["version"] == article["version"] + 1 and moved.json["state"] == "draft"
    assert moved.json["topic"] == "Miracle cures"
    public = client.get(f"/health/{slug}").get_data(as_text=True)
    assert "Miracle cures" not in public
    assert "Miracle cures" not in client.get("/health-topics").get_data(as_text=True)
    assert client.get(f"/api/v1/published/{slug}").json["topic"] == article["topic"]


def test_the_topic_cannot_change_while_in_review(app, newsroom):
    n = newsroom
    article = n.ready_for_review(reviewers=[n.reviewer])
    refused = n.call("PATCH", f"/articles/{article['id']}", n.writer,
                     {"base_version": article["version"], "topic": "Other", "note": "x"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_transition"
    assert n.article(article["id"])["topic"] == article["topic"]


# --- A signer deactivated after signing ---------------------------------------------------------

def test_a_signer_deactivated_after_signing_needs_an_editors_decision_before_publishing(app, client, newsroom, make_user):
    from editorial.accounts.models import User
    from editorial.accounts import service as user_service

    n = newsroom
    admin = make_user("admin")
    aid = n.approved()["id"]
    with app.app_context():
        user_service.set_active(db.session.get(User, admin.id), db.session.get(User, n.reviewer2.id), False)
        db.session.commit()
    refused = n.act(aid, n.editor, "publish")
    assert refused.status_code == 422 and "Dr. Sam Second" in refused.json["error"]["message"]
    # The editor's explicit choice: go on without that signature (it stays on record as evidence).
    removed = n.call("DELETE", f"/articles/{aid}/reviewers/{n.reviewer2.id}", n.editor)
    assert removed.status_code == 200
    assert n.act(aid, n.editor, "publish").json["state"] == "published"
    page = client.get(f"/health/{n.article(aid)['slug']}").get_data(as_text=True)
    assert "Dr. Rita Review" in page and "Dr. Sam Second" not in page
    assert signature_count(app, aid) == 2


def test_a_conflict_declared_after_publication_is_shown_to_readers_and_the_editors_are_told(app, client, newsroom):
    from editorial.notifications.models import Notification

    n = newsroom
    article = n.published()
    late = n.call("PATCH", f"/articles/{article['id']}/reviewers/me", n.reviewer,
                  {"accepted": True, "conflict_of_interest": "I now advise the device maker."})
    assert late.status_code == 200
    page = client.get(f"/health/{article['slug']}").get_data(as_text=True)
    assert "Declared for this article after approving it" in page and "I now advise the device maker." in page
    api = client.get(f"/api/v1/published/{article['slug']}").json
    assert any(r["declared_after_approval"] == "I now advise the device maker." for r in api["reviewed_by"])
    assert "review.conflict_after_publication" in actions_of(app, article["id"])
    with app.app_context():
        assert db.session.scalars(select(Notification).where(Notification.kind == "conflict_after_publication")).first()
