"""A live page fails closed: readers see a revision only when its text matches its content hash, a
publication record published exactly it, and the signatures that record names are there. The live
pointer itself moves only with a matching publish event (a database trigger).

Each test first does what was done from outside with database access, then checks what readers get.
"""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.notifications.models import Notification
from tests.conftest import act_as_database_owner, allow_updates_behind_the_apps_back, rewrite_live_revision

DRAFT_TEXT = "Take 500 mg four times a day"


@pytest.fixture
def live_with_draft(newsroom, make_user):
    """A published article with an unreviewed working draft on top, and an admin to alert."""
    make_user("admin", name="Ada Admin")
    article = newsroom.published()
    aid = article["id"]
    edited = newsroom.call("PATCH", f"/articles/{aid}", newsroom.writer,
                           {"base_version": article["version"], "body": f"{DRAFT_TEXT} [@tom2019].", "note": "dose"})
    assert edited.status_code == 200 and edited.json["state"] == "draft"
    return edited.json


def _sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def _withheld_events(app, aid) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.article_id == aid, AuditEvent.action == "public_page.withheld"))


def _drop_live_guard(app) -> None:
    """What someone with the database owner's rights (or a superuser) could do."""
    from editorial.audit.history_guard import drop_live_pointer_guard

    with app.app_context():
        act_as_database_owner()
        for statement in drop_live_pointer_guard(db.session.get_bind().dialect.name):
            db.session.execute(text(statement))
        db.session.commit()


def test_the_database_refuses_to_point_readers_at_the_working_draft(app, live_with_draft):
    aid = live_with_draft["id"]
    with app.app_context():
        with pytest.raises(DBAPIError, match="live_revision_id"):
            with db.session.begin_nested():
                db.session.execute(text("UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a"), {"a": aid})
        db.session.rollback()
    # clearing the pointer is always allowed: the page then fails closed as a 404
    _sql(app, "UPDATE articles SET live_revision_id = NULL WHERE id = :a", a=aid)


def test_a_publish_event_for_another_revision_does_not_open_the_guard(app, newsroom, live_with_draft):
    """The newest event must publish exactly the revision the pointer moves to."""
    aid = live_with_draft["id"]
    other = newsroom.published()  # its publish event is now the newest
    with app.app_context():
        with pytest.raises(DBAPIError):
            with db.session.begin_nested():
                db.session.execute(text("UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a"), {"a": aid})
        db.session.rollback()
    assert other["state"] == "published"


def test_a_pointer_forced_past_the_guard_shows_readers_no_draft(app, client, newsroom, live_with_draft):
    aid, slug = live_with_draft["id"], live_with_draft["slug"]
    assert client.get(f"/health/{slug}").status_code == 200
    _drop_live_guard(app)
    _sql(app, "UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a", a=aid)

    page = client.get(f"/health/{slug}")
    assert page.status_code == 503 and page.headers["Retry-After"]
    html = page.get_data(as_text=True)
    assert "temporarily unavailable" in html and DRAFT_TEXT not in html
    api = client.get(f"/api/v1/published/{slug}")
    assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
    assert DRAFT_TEXT not in api.get_data(as_text=True)

    # recorded once (not once per reader), and the administrators are told
    assert _withheld_events(app, aid) == 1
    with app.app_context():
        alerts = db.session.scalars(select(Notification).where(Notification.kind == "page_withheld")).all()
        assert alerts and all(n.article_id == aid for n in alerts)


def test_a_rewritten_live_body_is_withheld(app, client, newsroom, make_user):
    make_user("admin")
    article = newsroom.published()
    with app.app_context():
        allow_updates_behind_the_apps_back("revisions")
        db.session.execute(text("UPDATE revisions SET body = :b WHERE id = (SELECT live_revision_id FROM articles WHERE id = :a)"),
                           {"b": f"{DRAFT_TEXT} [@tom2019].", "a": article["id"]})
        db.session.commit()
    page = client.get(f"/health/{article['slug']}")
    assert page.status_code == 503 and DRAFT_TEXT not in page.get_data(as_text=True)
    assert _withheld_events(app, article["id"]) == 1


def test_a_live_revision_whose_signatures_are_gone_is_withheld(app, client, newsroom):
    article = newsroom.published()
    with app.app_context():
        act_as_database_owner()
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("DROP TRIGGER IF EXISTS signatures_append_only ON signatures"))
        else:
            db.session.execute(text("DROP TRIGGER IF EXISTS signatures_no_delete"))
        db.session.execute(text("DELETE FROM signatures WHERE article_id = :a"), {"a": article["id"]})
        db.session.commit()
    assert client.get(f"/health/{article['slug']}").status_code == 503


def test_a_pointer_moved_with_a_forged_publish_event_still_needs_signatures(app, client, newsroom, live_with_draft):
    """Someone who appends a matching publish event gets past the trigger, but the draft carries no
    signature on its content, so readers still do not see it (and the chain or the checkpoints show
    the forged event)."""
    from editorial.audit import chain as audit

    aid, slug = live_with_draft["id"], live_with_draft["slug"]
    with app.app_context():
        audit.record("article.publish", actor=None, object_type="article", object_id=aid, article_id=aid,
                     revision_number=live_with_draft["version"], detail={"signatures": []})
        db.session.execute(text("UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a"), {"a": aid})
        db.session.commit()
    page = client.get(f"/health/{slug}")
    assert page.status_code == 503 and DRAFT_TEXT not in page.get_data(as_text=True)


def test_an_honest_page_still_serves_in_a_fixed_number_of_queries(app, client, newsroom, count_queries):
    article = newsroom.published()
    client.get(f"/health/{article['slug']}")
    with count_queries() as counter:
        response = client.get(f"/health/{article['slug']}")
    assert response.status_code == 200
    # the article, its publication record with its checkpoint, the signatures it names, the
    # citations: 4, plus the test's savepoint pair
    assert counter.count <= 6, counter.count


def test_a_publication_forged_with_inserts_alone_is_withheld(app, client, newsroom, live_with_draft):
    """What the app's own database role may do (it may insert): a revision signed by rows it wrote
    and a correctly chained publish event for it. Only the audit key could sign that event's
    checkpoint, so readers still get the 503."""
    from editorial.audit import chain as audit
    from editorial.articles.models import Article, Revision
    from editorial.reviews.models import Signature

    aid, slug = live_with_draft["id"], live_with_draft["slug"]
    with app.app_context():
        article = db.session.get(Article, aid)
        draft = db.session.get(Revision, article.current_revision_id)
        signature = Signature(article_id=aid, revision_id=draft.id, revision_number=draft.number,
                              content_hash=draft.content_hash, signer_id=newsroom.reviewer.id, meaning="approval",
                              printed_name="Dr. Rita Review", credentials="MD", disclosure="None")
        db.session.add(signature)
        db.session.flush()
        audit.record("article.publish", actor=None, object_type="article", object_id=aid, article_id=aid,
                     revision_number=draft.number,
                     detail={"live_revision": draft.number, "content_hash": draft.content_hash, "topic": draft.topic,
                             "signatures": [signature.id]})
        db.session.execute(text("UPDATE articles SET live_revision_id = current_revision_id WHERE id = :a"), {"a": aid})
        db.session.commit()
    page = client.get(f"/health/{slug}")
    assert page.status_code == 503 and DRAFT_TEXT not in page.get_data(as_text=True)


def test_a_live_revision_rewritten_with_its_hash_recomputed_is_withheld(app, client, newsroom):
    """Someone past the triggers rewrites the body, the revision's content_hash and the signatures'
    hashes together: the publication record (signed by its checkpoint) still names the old hash."""
    article = newsroom.published()
    with app.app_context():
        rewrite_live_revision(article["id"], f"{DRAFT_TEXT} [@tom2019].", signatures_too=True)
    page = client.get(f"/health/{article['slug']}")
    assert page.status_code == 503 and DRAFT_TEXT not in page.get_data(as_text=True)
