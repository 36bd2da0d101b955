"""A review a reviewer still owes (Assignment.is_outstanding) is on their desk and, once late, on the
editor's desk and attention list: one predicate, so a voided signature makes it owed everywhere."""
from datetime import timedelta

from sqlalchemy import update

from editorial.core.dates import today_utc
from editorial.core.extensions import db
from editorial.reviews.models import Assignment


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _queue(client) -> str:
    """The reviewer desk's queue, without the list of what they signed below it."""
    desk = _page(client.get("/dashboard/reviewer"))
    return desk[desk.index("My review queue"):desk.index("What I signed")]


def _overdue(client) -> str:
    desk = _page(client.get("/dashboard/editor"))
    return desk[desk.index("Reviews past their due date"):desk.index("Approved, ready to publish")]


def test_a_voided_signature_is_owed_again_on_every_desk(app, client, login, newsroom):
    n = newsroom
    article = n.approved()
    aid = article["id"]
    with app.app_context():
        db.session.execute(update(Assignment).where(Assignment.article_id == aid)
                           .values(due_date=today_utc() - timedelta(days=3)))
        db.session.commit()
    login(n.reviewer)
    assert article["title"] not in _queue(client)  # signed: nothing owed
    login(n.editor)
    assert n.reviewer.name not in _overdue(client)
    assert n.reviewer.name not in _page(client.get("/attention?kind=late_reviews"))

    voided = n.call("PATCH", f"/articles/{aid}/reviewers/me", n.reviewer,
                    {"accepted": True, "conflict_of_interest": "I consult for the device maker."})
    assert voided.status_code == 200 and voided.json["state"] == "in_review"

    login(n.reviewer)
    assert article["title"] in _queue(client)
    login(n.editor)
    assert n.reviewer.name in _overdue(client)
    late = _page(client.get("/attention?kind=late_reviews"))
    assert n.reviewer.name in late and n.reviewer2.name not in late  # the other signature still stands
