"""Keeping content current: re-review, review intervals, schedules, attention list, PEMAT-P, readability."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from editorial.core.clock import frozen_at
from editorial.core.dates import add_months
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.public.models import ArticleFeedback
from editorial.articles.currency_models import Schedule
from editorial.articles.schedules_cli import apply_due


def fresh(app, article_id) -> Article:
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def test_scheduled_rereview_keeps_the_page_live_and_moves_last_reviewed(app, newsroom):
    n = newsroom
    article = n.published()
    aid, live = article["id"], article["live_revision"]
    assert n.act(aid, n.writer, "start_rereview").status_code == 403
    reopened = n.act(aid, n.editor, "start_rereview", comment="Yearly review")
    assert reopened.status_code == 200, reopened.json
    body = reopened.json
    assert body["state"] == "in_review" and body["live_revision"] == live
    assert body["current_revision"]["content_hash"] == live["content_hash"]  # no change to the text
    assert body["version"] == live["number"] + 1
    assert {r["status"] for r in body["reviewers"]} == {"pending"}  # old signatures do not count
    before = fresh(app, aid).last_reviewed_at
    for reviewer in (n.reviewer, n.reviewer2):
        assert n.sign(aid, reviewer).status_code == 200
    republished = n.act(aid, n.editor, "publish").json
    assert republished["live_revision"]["number"] == body["version"]
    assert fresh(app, aid).last_reviewed_at > before


def test_review_interval_comes_from_article_then_topic_then_default(app, client, login, newsroom):
    n = newsroom
    login(n.editor)
    assert client.post("/topics", data={"name": "Breast cancer", "review_interval_months": "6"}).status_code == 302
    assert client.post("/topics", data={"name": "", "review_interval_months": "0"}).status_code == 422
    article = n.create(topic="Breast cancer")
    n.attach(article["id"])
    n.assign(article["id"], n.reviewer)
    n.act(article["id"], n.writer, "submit")
    n.sign(article["id"], n.reviewer)
    published = n.act(article["id"], n.editor, "publish").json
    today = datetime.now(timezone.utc).date()
    assert published["next_review_due"] == add_months(today, 6).isoformat()
    response = client.post(f"/articles/{article['id']}/review-interval", data={"review_interval_months": "3"})
    assert response.status_code == 302
    assert fresh(app, article["id"]).review_interval_months == 3
    assert client.post(f"/articles/{article['id']}/review-interval", data={"review_interval_months": "99"}).status_code == 422


def test_schedule_publish_is_a_plan_until_the_worker_applies_it(app, client, login, newsroom):
    n = newsroom
    article = n.approved()
    aid = article["id"]
    login(n.editor)
    past = client.post(f"/articles/{aid}/schedules", data={"action": "publish", "run_at": "2001-01-01T10:00"})
    assert past.status_code == 422
    run_at = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/articles/{aid}/schedules", data={"action": "publish", "run_at": run_at}).status_code == 302
    page = client.get(f"/articles/{aid}").get_data(as_text=True)
    assert "badge-scheduled" in page and "nothing has changed yet" in page and "badge-approved" in page
    assert fresh(app, aid).live_revision_id is None
    with app.app_context():
        assert apply_due() == []  # not due yet
        with frozen_at(datetime.now(timezone.utc) + timedelta(days=3)):
            results = apply_due()
    assert [status for _, status in results] == ["applied"]
    assert fresh(app, aid).state == "published"


def test_schedule_is_voided_when_the_approved_revision_changes(app, client, login, newsroom):
    n = newsroom
    article = n.approved()
    aid = article["id"]
    login(n.editor)
    run_at = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/articles/{aid}/schedules", data={"action": "publish", "run_at": run_at})
    n.call("PATCH", f"/articles/{aid}", n.writer, {"base_version": article["version"], "body": "Changed [@tom2019].", "note": "Fix"})
    with app.app_context():
        schedule = db.session.scalars(select(Schedule).where(Schedule.article_id == aid)).one()
        assert schedule.status == "voided" and "replaced the approved revision" in schedule.outcome
        with frozen_at(datetime.now(timezone.utc) + timedelta(days=2)):
            assert apply_due() == []
    assert fresh(app, aid).live_revision_id is None


def test_scheduled_take_down(app, client, login, newsroom):
    n = newsroom
    article = n.published()
    login(n.editor)
    run_at = (datetime.now(timezone.utc) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/articles/{article['id']}/schedules", data={"action": "unpublish", "run_at": run_at}).status_code == 302
    assert client.post(f"/articles/{article['id']}/schedules", data={"action": "unpublish", "run_at": run_at}).status_code == 409
    with app.app_context(), frozen_at(datetime.now(timezone.utc) + timedelta(hours=6)):
        assert [s for _, s in apply_due()] == ["applied"]
    assert fresh(app, article["id"]).state == "archived"


def test_only_editors_manage_review_cycles(client, login, newsroom):
    article = newsroom.approved()
    login(newsroom.writer)
    assert client.get("/attention").status_code == 403
    assert client.post(f"/articles/{article['id']}/schedules", data={"action": "publish", "run_at": "2099-01-01T10:00"}).status_code == 403
    assert client.get(f"/articles/{article['id']}/pemat").status_code == 403


def test_attention_list(app, client, login, newsroom, count_queries):
    n = newsroom
    with frozen_at(datetime.now(timezone.utc) - timedelta(days=400)):
        overdue = n.published()
    due_soon = n.published()
    with app.app_context():
        db.session.get(Article, due_soon["id"]).next_review_due = datetime.now(timezone.utc).date() + timedelta(days=10)
        for _ in range(6):
            db.session.add(ArticleFeedback(article_id=due_soon["id"], revision_number=due_soon["live_revision"]["number"], helpful=False))
        db.session.commit()
    late = n.create()
    n.assign(late["id"], n.reviewer)
    with app.app_context():
        from editorial.reviews.models import Assignment

        db.session.scalars(select(Assignment).where(Assignment.article_id == late["id"])).one().due_date = \
            datetime.now(timezone.utc).date() - timedelta(days=3)
        db.session.commit()
    login(n.editor)
    pages = {kind: client.get(f"/attention?kind={kind}").get_data(as_text=True)
             for kind in ("overdue", "due_soon", "late_reviews", "unhelpful", "old_sources", "retracted")}
    assert overdue["title"] in pages["overdue"] and "Start re-review" in pages["overdue"]
    assert "Nothing here." not in pages["due_soon"]
    assert n.reviewer.name in pages["late_reviews"]
    assert "Nothing here." not in pages["unhelpful"]
    assert "Nothing here." in pages["retracted"]
    assert client.get("/attention?kind=nonsense").status_code == 404
    with count_queries() as few:
        client.get("/attention?kind=overdue&sort=title")
    n.published()
    with count_queries() as more:
        client.get("/attention?kind=overdue&sort=title")
    # the session; the count of overdue pages; one page of them; plus the test's savepoint pair
    assert few.count == more.count == 5, more.statements
    n.call("POST", f"/citations/{n.citation.id}/retraction", n.editor, {"note": "Retracted."})
    assert "Replace sources" in client.get("/attention?kind=retracted").get_data(as_text=True)


def test_pemat_checklist(app, client, login, newsroom):
    from editorial.articles import pemat

    article = newsroom.create()
    login(newsroom.editor)
    assert "Understandability" in client.get(f"/articles/{article['id']}/pemat").get_data(as_text=True)
    answers = {f"item_{n}": "agree" for n in pemat.ITEMS}
    answers.update({"item_3": "disagree", "item_15": "disagree", "item_16": "na", "item_17": "na", "item_18": "na",
                    "item_19": "na", "item_24": "na", "item_25": "na", "item_26": "disagree"})
    missing = dict(answers)
    del missing["item_5"]
    assert client.post(f"/articles/{article['id']}/pemat", data=missing).status_code == 422
    wrong_na = {**answers, "item_1": "na"}
    response = client.post(f"/articles/{article['id']}/pemat", data=wrong_na)
    assert response.status_code == 422 and 'id="item_1-error"' in response.get_data(as_text=True)
    assert client.post(f"/articles/{article['id']}/pemat", data=answers).status_code == 302
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    # understandability: 13 applicable (1-12, 15), 11 agreed -> 85%; actionability: 20-23, 26 -> 4/5 = 80%
    assert "understandability <strong>85%</strong>" in page and "actionability <strong>80%</strong>" in page


def test_readability_is_shown_to_the_people_working_on_the_text(client, login, newsroom):
    article = newsroom.create(body="This is a short text. It has two sentences.")
    login(newsroom.writer)
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert "Readability" in page and "9 words" in page and "too short for SMOG" in page


def test_demo_has_an_overdue_article_and_an_overdue_review(runner, app, client, login):
    from editorial.demo.content import AFTER_LUMPECTOMY_TITLE, SURGERY_DAY_TITLE
    from editorial.accounts.models import User

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        editor = db.session.scalar(select(User).where(User.email == "editor@vetted.example"))
        db.session.expunge(editor)
    login(editor)
    assert AFTER_LUMPECTOMY_TITLE in client.get("/attention?kind=overdue").get_data(as_text=True)
    assert SURGERY_DAY_TITLE in client.get("/attention?kind=late_reviews").get_data(as_text=True)
    assert SURGERY_DAY_TITLE in client.get("/dashboard/editor").get_data(as_text=True)


def _schedule_section(html: str) -> str:
    return html[html.index('id="schedule-title"'):html.index("</section>", html.index('id="schedule-title"'))]


def test_the_schedule_form_has_its_own_heading_and_offers_only_what_makes_sense(app, client, login, newsroom):
    n = newsroom
    never_published = n.approved()
    live = n.published()
    login(n.editor)

    html = client.get(f"/articles/{never_published['id']}").get_data(as_text=True)
    section = _schedule_section(html)
    assert "Schedule publication" in section
    assert "Publish the approved revision" in section and "Take the page down" not in section

    html = client.get(f"/articles/{live['id']}").get_data(as_text=True)
    section = _schedule_section(html)
    assert "Take the page down" in section and "Publish the approved revision" not in section

    draft = n.create(title="Not ready")
    assert 'id="schedule-title"' not in client.get(f"/articles/{draft['id']}").get_data(as_text=True)


def test_the_service_refuses_to_schedule_a_take_down_of_a_page_never_published(app, client, login, newsroom):
    n = newsroom
    article = n.approved()
    login(n.editor)
    run_at = (datetime.now(timezone.utc) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/articles/{article['id']}/schedules", data={"action": "unpublish", "run_at": run_at})
    assert response.status_code == 409
    assert "no live page to take down" in response.get_data(as_text=True)
    live = n.published()
    response = client.post(f"/articles/{live['id']}/schedules", data={"action": "publish", "run_at": run_at})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Schedule.id))) == 0
