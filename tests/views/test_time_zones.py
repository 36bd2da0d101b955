"""Each user picks a time zone on the account page: times are stored in UTC, shown in UTC and in
the user's zone, and the schedule form's time is typed in the user's zone."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from editorial.core.extensions import db
from editorial.audit.models import AuditEvent
from editorial.articles.currency_models import Schedule
from editorial.accounts.models import User
from editorial.web.templating import format_datetime


def test_times_show_utc_and_the_users_zone():
    moment = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
    assert format_datetime(moment, "UTC") == "01 Dec 2026, 14:00 UTC"
    assert format_datetime(moment, "America/New_York") == "01 Dec 2026, 14:00 UTC (09:00 EST)"
    assert format_datetime(moment.replace(tzinfo=None), "America/New_York") == "01 Dec 2026, 14:00 UTC (09:00 EST)"
    # Another day in the user's zone: say which.
    assert format_datetime(moment.replace(hour=20), "Asia/Tokyo") == "01 Dec 2026, 20:00 UTC (2 Dec, 05:00 JST)"
    assert format_datetime(None, "Asia/Tokyo") == ""


def test_a_user_sets_a_time_zone_on_the_account_page(client, login, make_user, app):
    user = make_user("writer")
    login(user)
    html = client.get("/account").get_data(as_text=True)
    assert '<label for="time_zone">Time zone</label>' in html
    assert '<option selected value="UTC">UTC</option>' in html and '<option value="America/New_York">' in html

    saved = client.post("/account/time-zone", data={"time_zone": "America/New_York"})
    assert saved.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Times are now shown in UTC and in America/New_York." in page
    assert '<option selected value="America/New_York">' in page
    with app.app_context():
        assert db.session.get(User, user.id).time_zone == "America/New_York"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.time_zone_changed")).one()
        assert "America/New_York" in event.detail

    refused = client.post("/account/time-zone", data={"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).time_zone == "America/New_York"


def test_new_users_are_in_utc(make_user, app):
    with app.app_context():
        assert db.session.get(User, make_user("writer").id).time_zone == "UTC"


def test_the_schedule_time_is_typed_in_the_editors_zone_and_stored_in_utc(client, login, newsroom, app):
    n = newsroom
    article = n.approved()
    login(n.editor)
    client.post("/account/time-zone", data={"time_zone": "America/New_York"})
    html = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert "When (your time, America/New_York)" in html
    year = datetime.now(timezone.utc).year + 1
    response = client.post(f"/articles/{article['id']}/schedules", data={"action": "publish", "run_at": f"{year}-06-01T09:00"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Schedule)).one().run_at.replace(tzinfo=timezone.utc)
    assert stored == datetime(year, 6, 1, 13, 0, tzinfo=timezone.utc)  # 09:00 EDT
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert f"01 Jun {year}, 13:00 UTC (09:00 EDT)" in page
