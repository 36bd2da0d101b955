"""Every kind of e-mail, rendered from its templates with fixed data, is compared with its snapshot in
tests/snapshots/email/ (<case>.txt: the subject and the text part; <case>.html: the HTML part).
After a deliberate change of wording, rewrite them with UPDATE_SNAPSHOTS=1 and review the diff."""
import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from markupsafe import escape

from editorial.core.mailer import SmtpSettings, build_message
from editorial.articles.models import Article
from editorial.notifications.models import Notification
from editorial.accounts.models import User
from editorial.notifications import service as ns

SNAPSHOTS = Path(__file__).parent / "snapshots" / "email"
TEMPLATES = Path(__file__).parent.parent / "templates" / "email"
SETTINGS = SmtpSettings(host="smtp.invalid", port=25, username=None, password=None, starttls=False, timeout=5,
                        mail_from="Vetted <desk@vetted.example>", base_url="https://desk.vetted.example")

WRITER = User(name="Wanda Writer")
EDITOR = User(name="Ed Editor")
REVIEWER = User(name="Dr. Rita Review")
ARTICLE = Article(id=12, title="Intraoperative radiation therapy", version=3)
DUE = date(2030, 3, 6)
LINK = ns.article_link(ARTICLE.id)

# case: (kind, recipient, the template's context, the stored link)
CASES = {
    "review_requested": ("review_requested", REVIEWER,
                         dict(article=ARTICLE, asked_by=WRITER, note=None, due_date=None, looked=None, signed=False), LINK),
    "review_requested_since_signed": (
        "review_requested", REVIEWER,
        dict(article=ARTICLE, asked_by=WRITER, note="Tightened the dosing section.\nPlease check table 2.", due_date=DUE,
             looked=2, signed=True), ns.since_my_review_link(ARTICLE.id)),
    "review_requested_since_changes": (
        "review_requested", REVIEWER,
        dict(article=ARTICLE, asked_by=WRITER, note=None, due_date=None, looked=2, signed=False),
        ns.since_my_review_link(ARTICLE.id)),
    "reviewer_wanted": ("reviewer_wanted", EDITOR, dict(actor=WRITER, article=ARTICLE), LINK),
    "changes_requested": ("changes_requested", WRITER,
                          dict(actor=REVIEWER, article=ARTICLE, comment="Cite the 2019 trial.\n\nAnd the 2020 one."), LINK),
    "changes_requested_without_comment": ("changes_requested", WRITER, dict(actor=REVIEWER, article=ARTICLE, comment=None),
                                          LINK),
    "approved": ("approved", EDITOR, dict(actor=REVIEWER, article=ARTICLE, signers=2), LINK),
    "approved_by_one": ("approved", EDITOR, dict(actor=REVIEWER, article=ARTICLE, signers=1), LINK),
    "published": ("published", WRITER, dict(actor=EDITOR, article=ARTICLE), LINK),
    "reminder_before": ("reminder_before", REVIEWER, dict(article=ARTICLE, due_date=DUE, due_today=False), LINK),
    "reminder_before_today": ("reminder_before", REVIEWER, dict(article=ARTICLE, due_date=DUE, due_today=True), LINK),
    "reminder_overdue": ("reminder_overdue", REVIEWER, dict(article=ARTICLE, due_date=DUE), LINK),
    "account_locked": ("account_locked", EDITOR, dict(locked=User(name="Wanda Writer", failed_attempts=5),
                                                      failed_action="sign-in"), None),
    "conflict_after_publication": ("conflict_after_publication", EDITOR,
                                   dict(actor=REVIEWER, article=ARTICLE, statement="I advise the device's maker."), LINK),
    "page_withheld": ("page_withheld", EDITOR,
                      dict(article_id=ARTICLE.id, revision_number=3, reason="its content hash does not match"), LINK),
}


def render(app, kind, recipient, context, link) -> tuple[str, str, str]:
    """The subject, the text part and the HTML part, as the outbox stores and the worker sends them."""
    with app.app_context():
        subject, body = ns.compose(kind, recipient=recipient, **context)
        text, html = ns.email_parts(Notification(kind=kind, subject=subject, body=body, link=link), SETTINGS)
    return subject, text, html


def assert_matches_snapshot(name: str, rendered: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run the test with UPDATE_SNAPSHOTS=1, then review and commit it"
    assert rendered == path.read_text(encoding="utf-8"), (
        f"{name} differs from its snapshot; if the change is meant, rerun with UPDATE_SNAPSHOTS=1 and review the diff")


@pytest.mark.parametrize("case", CASES)
def test_each_e_mail_matches_its_snapshot(app, case):
    subject, text, html = render(app, *CASES[case])
    assert_matches_snapshot(f"{case}.txt", f"Subject: {subject}\n\n{text}\n")
    assert_matches_snapshot(f"{case}.html", f"{html}\n")


def test_every_kind_sent_today_has_a_template_and_a_snapshot():
    kinds = {path.stem for path in TEMPLATES.glob("*.txt") if not path.stem.startswith("_") and path.stem != "message"}
    assert kinds == set(ns.KIND_LABELS) - {"review_assigned"}  # no longer sent (see KIND_LABELS)
    assert {kind for kind, *_ in CASES.values()} == kinds
    assert {path.name for path in SNAPSHOTS.iterdir()} == {f"{case}.{ext}" for case in CASES for ext in ("txt", "html")}


def test_hostile_names_and_notes_are_escaped_in_html_and_as_typed_in_text(app):
    hostile = "<script>alert(1)</script> Smith & Sons {{ 7 * 7 }}"
    person, article = User(name=hostile), Article(id=5, title=hostile, version=2)
    subject, text, html = render(app, "changes_requested", person, dict(actor=person, article=article, comment=hostile),
                                 ns.article_link(5))
    assert subject == f"Changes requested: {hostile}"
    # as typed in the text: the greeting, the reviewer, the title and the comment
    assert text.count(hostile) == 4 and "49" not in text
    assert "<script" not in html and "&amp; Sons" in html
    assert html.count(str(escape(hostile))) == 5  # the same four, and the subject as the title


def test_the_e_mail_is_the_text_then_the_html(app):
    subject, text, html = render(app, *CASES["published"])
    message = build_message(SETTINGS, to="wanda@example.org", subject=subject, text=text, html=html,
                            message_id="<1@vetted.example>", date=datetime(2030, 3, 1, tzinfo=timezone.utc))
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert (plain.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content() == text + "\n" and rich.get_content() == html + "\n"
    assert f'<a href="https://desk.vetted.example/articles/{ARTICLE.id}">Open in Vetted</a>' in html
