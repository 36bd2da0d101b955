"""Notifications: the transactional outbox, who is told what, the pages, reminders on a frozen
clock, and the worker delivering to a real (local) SMTP server exactly once, through outages."""
import email
import email.policy
import re
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import escape
from sqlalchemy import create_engine, func, select, text

from editorial.core.clock import frozen_at
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.audit.models import AuditEvent
from editorial.notifications.models import Notification
from editorial.accounts.models import User
from editorial.notifications import service as ns
from tests.conftest import TEST_PASSWORD

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=timezone.utc)  # a Friday morning; every due date below is relative to it


# --- helpers -------------------------------------------------------------------------------

def rows(app, **where) -> list[Notification]:
    with app.app_context():
        statement = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            statement = statement.where(getattr(Notification, name) == value)
        found = db.session.scalars(statement).all()
        for row in found:
            db.session.expunge(row)
        return found


def sent_to(app, kind=None) -> list[tuple[int, str, int | None]]:
    return [(n.user_id, n.kind, n.article_id) for n in rows(app) if kind in (None, n.kind)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self, port: int, on_message=None):
        from aiosmtpd.controller import Controller

        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.on_message = on_message
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.on_message:
            self.on_message(message)
        self.messages.append(message)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def smtp(app, monkeypatch):
    """SMTP settings pointing at 127.0.0.1 on a free port (nothing listens yet); start() a sink there."""
    pytest.importorskip("aiosmtpd", reason="the SMTP tests need aiosmtpd (test dependency)")
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM", "APP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", str(port))
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", "5")
    monkeypatch.setitem(app.config, "MAIL_FROM", "Vetted <desk@vetted.example>")
    monkeypatch.setitem(app.config, "APP_BASE_URL", "https://desk.vetted.example")
    sinks = []

    class Handle:
        def __init__(self):
            self.port = port

        def start(self, on_message=None) -> Sink:
            sink = Sink(port, on_message).start()
            sinks.append(sink)
            return sink

    yield Handle()
    for sink in sinks:
        sink.stop()


@pytest.fixture
def no_smtp(app, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.setitem(app.config, "SMTP_HOST", None)


def send(runner, *args):
    result = runner.invoke(args=["notifications", "send", *args])
    assert result.exit_code == 0, result.output
    return result


def make_admin(make_user):
    return make_user("admin", name="Ada Admin")


# --- written in the same transaction, to the right people ---------------------------------

def test_submitting_asks_the_reviewer_and_a_refused_assignment_tells_no_one(app, newsroom):
    article = newsroom.create()
    newsroom.attach(article["id"])
    assert newsroom.assign(article["id"], newsroom.reviewer, due_date="2099-01-31").status_code == 201
    assert rows(app) == []  # nothing to read before the submission
    assert newsroom.act(article["id"], newsroom.writer, "submit").status_code == 200
    [note] = rows(app)
    assert (note.user_id, note.kind, note.article_id) == (newsroom.reviewer.id, "review_requested", article["id"])
    assert note.status == "pending" and note.attempts == 0 and note.link == f"/articles/{article['id']}"
    assert "is ready for your medical review" in note.body and "31 January 2099" in note.body
    assert note.subject == "Review requested: Intraoperative radiation therapy"

    # refused: a writer cannot assign; an already assigned reviewer cannot be assigned again
    refused = newsroom.call("POST", f"/articles/{article['id']}/reviewers", newsroom.writer, {"user_id": newsroom.reviewer2.id})
    assert refused.status_code == 403
    assert newsroom.assign(article["id"], newsroom.reviewer).status_code == 422
    assert len(rows(app)) == 1


def test_each_kind_goes_to_the_right_people(app, newsroom, make_user):
    bystander_editor = make_user("editor", name="Bea Bystander")
    article = newsroom.ready_for_review()
    aid = article["id"]
    assert sorted(sent_to(app, "review_requested")) == sorted(
        [(newsroom.reviewer.id, "review_requested", aid), (newsroom.reviewer2.id, "review_requested", aid)])

    assert newsroom.sign(aid, newsroom.reviewer).status_code == 200
    assert sent_to(app, "approved") == []  # one of two approvals is not "all approvals are in"
    assert newsroom.sign(aid, newsroom.reviewer2).json["state"] == "approved"
    # the editor who assigned the reviewers, not every editor
    assert sent_to(app, "approved") == [(newsroom.editor.id, "approved", aid)]
    assert bystander_editor.id not in {n.user_id for n in rows(app)}
    [approved] = rows(app, kind="approved")
    assert "All 2 assigned physician reviewers signed revision" in approved.body

    assert newsroom.act(aid, newsroom.editor, "publish").status_code == 200
    assert sent_to(app, "published") == [(newsroom.writer.id, "published", aid)]

    # changes requested: the author, with the reviewer's comment
    other = newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    response = newsroom.act(other["id"], newsroom.reviewer, "request_changes", comment="Cite the 2019 trial.")
    assert response.status_code == 200
    [changes] = rows(app, kind="changes_requested")
    assert (changes.user_id, changes.article_id) == (newsroom.writer.id, other["id"])
    assert "Dr. Rita Review requested changes" in changes.body and "Cite the 2019 trial." in changes.body
    # nobody else was told anything beyond what is listed above
    assert {n.kind for n in rows(app)} == {"review_requested", "approved", "published", "changes_requested"}


def test_approval_falls_back_to_every_active_editor_when_the_assigning_editor_is_gone(app, newsroom, make_user):
    other_editor = make_user("editor", name="Fay Fallback")
    article = newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    with app.app_context():
        db.session.get(User, newsroom.editor.id).is_active_account = False  # the assigning editor left
        db.session.commit()
    assert newsroom.sign(article["id"], newsroom.reviewer).json["state"] == "approved"
    assert sent_to(app, "approved") == [(other_editor.id, "approved", article["id"])]


def test_refused_actions_create_no_notifications(app, newsroom):
    article = newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    before = len(rows(app))
    wrong = newsroom.sign(article["id"], newsroom.reviewer, password="not-my-password")
    assert wrong.status_code == 403
    assert newsroom.act(article["id"], newsroom.writer, "request_changes", comment="x").status_code == 403
    assert newsroom.act(article["id"], newsroom.editor, "publish").status_code == 409
    assert newsroom.act(article["id"], newsroom.reviewer, "request_changes").status_code == 422  # comment required
    with app.app_context():
        # the refused signature was audited and committed, but told no one
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == "signature.refused"
    assert len(rows(app)) == before


def test_a_notification_is_part_of_the_action_s_transaction(app, newsroom):
    from editorial.articles import history as article_history, transitions

    article = newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    before = len(rows(app))
    with app.app_context():
        reviewer = db.session.get(User, newsroom.reviewer.id)
        row = article_history.get_article(article["id"], for_update=True)
        transitions.transition(reviewer, row, "request_changes", comment="Please fix the dose.")
        # visible inside the transaction ...
        assert db.session.scalar(select(func.count(Notification.id))) == before + 1
        db.session.rollback()  # ... and gone with it when the action does not commit
        assert db.session.get(Article, article["id"]).state == "in_review"
    assert len(rows(app)) == before


# --- pages ----------------------------------------------------------------------------------

def test_users_see_their_own_notifications_newest_first_paginated(app, client, login, newsroom):
    article = newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    with app.app_context():
        reviewer = db.session.get(User, newsroom.reviewer.id)
        for n in range(30):
            with frozen_at(T0 + timedelta(minutes=n)):
                ns.notify(reviewer, "reminder_before", f"Reminder number {n:02d}", "Body", article_id=article["id"])
        db.session.commit()
    login(newsroom.reviewer)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Page 1 of 2" in page
    # newest first by creation time (the assignment notice, made on today's real date, sorts last)
    subjects = re.findall(r"Reminder number (\d\d)", page)
    assert subjects == sorted(subjects, reverse=True)
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Reminder number 00" in second
    assert f'href="/articles/{article["id"]}"' in second

    login(newsroom.writer)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Reminder number" not in page and "You have no notifications." in page


def test_nav_links_and_outbox_is_for_admins_only(app, client, login, newsroom, make_user, no_smtp):
    admin = make_admin(make_user)
    newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    for path in ("/notifications", "/admin/outbox"):
        assert client.get(path).status_code == 302  # signed out: to the sign-in page
    login(newsroom.writer)
    home = client.get("/notifications").get_data(as_text=True)
    assert 'href="/notifications"' in home and 'href="/admin/outbox"' not in home
    assert client.get("/admin/outbox").status_code == 403
    login(newsroom.auditor)
    assert client.get("/admin/outbox").status_code == 403

    login(admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'href="/admin/outbox"' in page
    assert "No SMTP server is configured" in page
    assert "Review requested: Intraoperative radiation therapy" in page and newsroom.reviewer.email in page
    assert client.get("/admin/outbox?status=failed").get_data(as_text=True).count("Review requested") == 0
    assert client.get("/admin/outbox?status=bogus").status_code == 404


def test_admin_requeues_a_failed_message_and_it_is_audited(app, client, login, newsroom, make_user):
    admin = make_admin(make_user)
    newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    [note] = rows(app)
    with app.app_context():
        row = db.session.get(Notification, note.id)
        row.status, row.attempts, row.last_error = "failed", 8, "SMTPDataError: 554 rejected"
        db.session.commit()

    login(newsroom.editor)
    assert client.post(f"/admin/outbox/{note.id}/requeue").status_code == 403

    login(admin)
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "554 rejected" in page and "Requeue" in page
    response = client.post(f"/admin/outbox/{note.id}/requeue")
    assert response.status_code == 303
    [again] = rows(app)
    assert (again.status, again.attempts) == ("pending", 0)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.actor_id, event.object_id) == ("notification.requeued", admin.id, str(note.id))
        assert newsroom.reviewer.email not in event.detail and "Rita" not in event.detail  # ids only
    # a pending message cannot be requeued
    client.post(f"/admin/outbox/{note.id}/requeue")
    assert "can be requeued" in client.get("/admin/outbox").get_data(as_text=True)


def test_without_smtp_the_worker_sends_nothing_and_says_so(app, runner, newsroom, no_smtp):
    newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    result = send(runner)
    assert "SMTP is not configured" in result.output and "1 messages wait in the outbox" in result.output
    assert [n.status for n in rows(app)] == ["pending"]


# --- the worker and a real SMTP server ------------------------------------------------------

def test_worker_delivers_each_message_exactly_once(app, runner, newsroom, smtp):
    sink = smtp.start()
    newsroom.published()  # 2 assignments, 1 approval notice, 1 publication notice
    expected = rows(app)
    assert len(expected) == 4

    first = send(runner)
    assert "Sent 4, retrying later 0, failed 0; 0 pending." in first.output
    second = send(runner)
    assert "Sent 0" in second.output
    assert len(sink.messages) == 4

    users = {u.id: u for u in newsroom.people}
    for note in rows(app):
        assert note.status == "sent" and note.attempts == 1 and note.sent_at is not None and note.last_error is None
    by_id = {m["Message-ID"]: m for m in sink.messages}
    for note in expected:
        message = by_id[f"<vetted-notification-{note.id}@vetted.example>"]
        assert message["To"] == users[note.user_id].email
        assert message["From"] == "Vetted <desk@vetted.example>"
        assert message["Subject"] == note.subject
        assert message["Auto-Submitted"] == "auto-generated"
        # the text, then the same in HTML (tests/test_email_templates.py holds each kind's wording)
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert f"https://desk.vetted.example/articles/{note.article_id}" in body
        assert note.body.splitlines()[0] in body
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f'<a href="https://desk.vetted.example/articles/{note.article_id}">Open in Vetted</a>' in html
        assert str(escape(note.body.splitlines()[0])) in html
    assert sorted(env.rcpt_tos[0] for env in sink.envelopes) == sorted(users[n.user_id].email for n in expected)


def test_worker_survives_the_smtp_server_being_down_and_delivers_once_it_is_up(app, runner, newsroom, smtp):
    with frozen_at(T0):
        newsroom.ready_for_review(reviewers=[newsroom.reviewer])  # one message
        failed = send(runner)
    assert "retrying later 1" in failed.output and "ConnectionRefusedError" in failed.output
    [note] = rows(app)
    assert (note.status, note.attempts) == ("pending", 1)
    assert note.next_attempt_at == T0 + timedelta(minutes=1) and "ConnectionRefused" in note.last_error

    with frozen_at(T0 + timedelta(seconds=59)):  # still backing off: not even tried
        assert "Sent 0, retrying later 0" in send(runner).output
    assert rows(app)[0].attempts == 1

    with frozen_at(T0 + timedelta(minutes=1)):  # second failure: the wait doubles
        send(runner)
    [note] = rows(app)
    assert note.attempts == 2 and note.next_attempt_at == T0 + timedelta(minutes=3)

    sink = smtp.start()  # the server comes back
    with frozen_at(T0 + timedelta(minutes=2)):
        send(runner)
    assert sink.messages == []  # not due yet
    with frozen_at(T0 + timedelta(minutes=3)):
        assert "Sent 1" in send(runner).output
        send(runner)
    with frozen_at(T0 + timedelta(hours=5)):
        send(runner)
    assert len(sink.messages) == 1 and sink.messages[0]["Message-ID"] == f"<vetted-notification-{note.id}@vetted.example>"
    [note] = rows(app)
    assert (note.status, note.attempts, note.last_error) == ("sent", 3, None)


def test_backoff_is_capped_and_a_message_fails_after_the_last_attempt(app, runner, newsroom, smtp, monkeypatch):
    assert [ns.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", "3")
    with frozen_at(T0):
        newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    moment = T0
    for _ in range(3):
        with frozen_at(moment):
            send(runner)
        moment += timedelta(hours=1)
    [note] = rows(app)
    assert (note.status, note.attempts) == ("failed", 3)
    sink = smtp.start()
    with frozen_at(moment):
        send(runner)
    assert sink.messages == []  # failed stays failed until an administrator requeues it


def test_a_message_left_in_sending_is_never_resent_automatically(app, runner, newsroom, smtp, client, login, make_user):
    sink = smtp.start()
    with frozen_at(T0):
        newsroom.ready_for_review(reviewers=[newsroom.reviewer])
    [note] = rows(app)
    with app.app_context():  # a worker claimed it, then died before recording the outcome
        row = db.session.get(Notification, note.id)
        row.status, row.claimed_at, row.attempts = "sending", T0, 1
        db.session.commit()
    for minutes in (0, 5, 60, 60 * 24):
        with frozen_at(T0 + timedelta(minutes=minutes)):
            send(runner)
    assert sink.messages == [] and rows(app)[0].status == "sending"

    admin = make_admin(make_user)
    with frozen_at(T0):  # signed in on the test's clock, or the session would be idle on the server
        login(admin)
    with frozen_at(T0 + timedelta(minutes=5)):  # maybe still mid-send: no button, requeue refused
        page = client.get("/admin/outbox").get_data(as_text=True)
        assert "Send again" not in page
        client.post(f"/admin/outbox/{note.id}/requeue")
    assert rows(app)[0].status == "sending"
    with frozen_at(T0 + timedelta(minutes=20)):
        page = client.get("/admin/outbox").get_data(as_text=True)
        assert "stuck" in page and "Send again (may duplicate)" in page
        assert client.post(f"/admin/outbox/{note.id}/requeue").status_code == 303
        send(runner)
    assert len(sink.messages) == 1


def test_a_refused_recipient_fails_that_message_and_the_others_still_go(app, runner, newsroom, smtp):
    sink = smtp.start()

    async def refuse_second_reviewer(server, session, envelope, address, rcpt_options):
        if address == newsroom.reviewer2.email:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    sink.handle_RCPT = refuse_second_reviewer
    newsroom.ready_for_review()
    result = send(runner)
    assert "Sent 1, retrying later 0, failed 1" in result.output
    failed = rows(app, status="failed")
    assert [n.user_id for n in failed] == [newsroom.reviewer2.id] and "550" in failed[0].last_error
    assert [m["To"] for m in sink.messages] == [newsroom.reviewer.email]


def test_a_connection_lost_mid_message_is_not_retried_but_the_rest_are(app, newsroom, no_smtp):
    """The server may have taken the message whose connection broke: resending it could send it twice."""
    import smtplib

    from editorial.core.mailer import SmtpSettings

    newsroom.ready_for_review()  # two messages
    with app.app_context():
        reader = db.session.get(User, newsroom.writer.id)
        ns.notify(reader, "published", "A third", "Body")
        db.session.commit()
    delivered = []

    class Flaky:
        def __init__(self, settings):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def send(self, message):
            if delivered:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            delivered.append(message)

    settings = SmtpSettings(host="smtp.invalid", port=25, username=None, password=None, starttls=False, timeout=5,
                            mail_from="desk@vetted.example", base_url="")
    with app.app_context(), frozen_at(T0):
        report = ns.deliver(settings, connect=Flaky)
    assert (report.sent, report.failed, report.retrying) == (1, 1, 1)
    first, second, third = rows(app)
    assert first.status == "sent"
    assert second.status == "failed" and "may have been delivered" in second.last_error
    assert third.status == "pending" and third.next_attempt_at == T0 + timedelta(minutes=1)


# --- reminders on a frozen clock -------------------------------------------------------------

def test_reminders_before_and_after_the_due_date_are_inserted_once(app, runner, newsroom, make_user, no_smtp):
    late = make_user("reviewer", name="Dr. Lee Late", credentials="MD", disclosure="None")
    declined = make_user("reviewer", name="Dr. Dee Declined", credentials="MD", disclosure="None")
    with frozen_at(T0):
        article = newsroom.create()
        aid = article["id"]
        newsroom.attach(aid)
        for reviewer in (newsroom.reviewer, newsroom.reviewer2, late, declined):
            due = "2030-03-06" if reviewer is not late else "2030-03-02"
            assert newsroom.assign(aid, reviewer, due_date=due).status_code == 201
        with app.app_context():
            from editorial.articles import history as article_history
            from editorial.reviews import service as review_service

            review_service.respond(db.session.get(User, declined.id), article_history.get_article(aid),
                                   accepted=False, reason="Travelling")
            db.session.commit()
        assert newsroom.act(aid, newsroom.writer, "submit").status_code == 200
        # reviewer2 is done: no reminders for a decided review
        assert newsroom.sign(aid, newsroom.reviewer2).status_code == 200
        # an article still in draft gets no reminders either
        draft = newsroom.create(title="A draft")
        newsroom.assign(draft["id"], newsroom.reviewer, due_date="2030-03-02")

    def reminders():
        return sorted((n.user_id, n.kind) for n in rows(app) if n.kind.startswith("reminder"))

    def remind_at(day: int, hour: int = 9, times: int = 3):
        with frozen_at(T0.replace(day=day, hour=hour)):
            for _ in range(times):
                result = runner.invoke(args=["notifications", "remind"])
                assert result.exit_code == 0, result.output

    remind_at(1)  # 1 March: Lee is due on 2 March (within 2 days); the others on 6 March
    assert reminders() == [(late.id, "reminder_before")]
    remind_at(3)  # Lee's due date has passed: overdue, once
    assert reminders() == [(late.id, "reminder_before"), (late.id, "reminder_overdue")]
    remind_at(4)  # 6 March is within 2 days of 4 March
    assert reminders() == sorted([(late.id, "reminder_before"), (late.id, "reminder_overdue"),
                                  (newsroom.reviewer.id, "reminder_before")])
    remind_at(6, hour=23)  # due today: still "before", already sent
    remind_at(7)  # the day after: overdue, once
    remind_at(9, times=5)
    assert reminders() == sorted([(late.id, "reminder_before"), (late.id, "reminder_overdue"),
                                  (newsroom.reviewer.id, "reminder_before"), (newsroom.reviewer.id, "reminder_overdue")])
    assert declined.id not in {n.user_id for n in rows(app) if n.kind.startswith("reminder")}
    assert all(n.article_id == aid for n in rows(app) if n.kind.startswith("reminder"))
    [overdue] = [n for n in rows(app, kind="reminder_overdue") if n.user_id == newsroom.reviewer.id]
    assert overdue.subject.startswith("Review overdue since 06 March 2030") and overdue.dedupe_key.startswith("reminder-overdue:")


def test_send_queues_reminders_and_delivers_them_with_a_frozen_clock(app, runner, newsroom, smtp):
    sink = smtp.start()
    with frozen_at(T0):
        article = newsroom.create()
        newsroom.attach(article["id"])
        newsroom.assign(article["id"], newsroom.reviewer, due_date="2030-03-02")
        newsroom.act(article["id"], newsroom.writer, "submit")
        for _ in range(3):
            send(runner)
    with frozen_at(T0 + timedelta(days=2)):
        for _ in range(3):
            send(runner)
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert subjects == ["Review due 02 March 2030: Intraoperative radiation therapy",
                        "Review overdue since 02 March 2030: Intraoperative radiation therapy",
                        "Review requested: Intraoperative radiation therapy"]


# --- real commits: the claim is committed before SMTP, and concurrent workers never double-send

def test_concurrent_workers_send_each_message_once_and_claim_before_sending(isolated_app, monkeypatch):
    pytest.importorskip("aiosmtpd", reason="the SMTP tests need aiosmtpd (test dependency)")
    from editorial.core.mailer import SmtpSettings
    from editorial.accounts import service as user_service

    app = isolated_app
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        user = user_service.create_user(None, email="reader@example.org", name="Rae Reader", password=TEST_PASSWORD,
                                        roles=["writer"])
        for n in range(12):
            ns.notify(user, "published", f"Message {n}", "Body")
        db.session.commit()

    observer = create_engine(url)
    seen_status = []

    def check_claim_committed(message):
        nid = int(re.search(r"notification-(\d+)@", message["Message-ID"]).group(1))
        with observer.connect() as conn:  # another connection sees the committed claim
            seen_status.append(conn.execute(text("SELECT status FROM notifications WHERE id = :id"), {"id": nid}).scalar())

    port = free_port()
    sink = Sink(port, check_claim_committed).start()
    settings = SmtpSettings(host="127.0.0.1", port=port, username=None, password=None, starttls=False, timeout=5,
                            mail_from="desk@vetted.example", base_url="")
    barrier = threading.Barrier(3)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                reports.append(ns.deliver(settings, batch=2))
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sink.stop()
        observer.dispose()
    assert errors == []
    assert sum(r.sent for r in reports) == 12
    assert len(sink.messages) == 12 and len(set(sink.message_ids())) == 12
    assert seen_status == ["sending"] * 12
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.status == "sent")) == 12
