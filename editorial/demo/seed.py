"""The demo newsroom: a small patient-education publisher (see README for the logins).

Its history is seeded in the past (with a frozen clock) so that an auditor has something real to
reconstruct: the IORT article was published about two months ago, revised and republished last
week, and has a new working draft now.
"""
from datetime import date, timedelta

from sqlalchemy import select

from editorial.citations import Author, CitationData
from editorial.core.clock import frozen_at, now
from editorial.demo.content import (
    AFTER_LUMPECTOMY_BODY,
    AFTER_LUMPECTOMY_SUMMARY,
    AFTER_LUMPECTOMY_TITLE,
    DEMO_CITATIONS,
    IORT_BODY,
    IORT_SUMMARY,
    IORT_TITLE,
    SURGERY_DAY_BODY,
    SURGERY_DAY_SUMMARY,
    SURGERY_DAY_TITLE,
)
from editorial.core.extensions import db
from editorial.articles.models import Article
from editorial.accounts.models import User
from editorial.accounts.roles import Role
from editorial.articles import editing, history as article_history, references, transitions
from editorial.citations import service as citations
from editorial.reviews import service as reviews
from editorial.accounts import service as users

DEMO_PASSWORD = "vetted-demo-2026"

PEOPLE = [
    dict(email="writer@vetted.example", name="Wren Alder", roles=[Role.WRITER]),
    dict(email="editor@vetted.example", name="Elena Marsh", roles=[Role.EDITOR]),
    dict(
        email="oncologist@vetted.example", name="Dr. Priya Raman", roles=[Role.REVIEWER],
        credentials="MD", specialty="Breast radiation oncologist",
        affiliation="Riverside Cancer Center, Department of Radiation Oncology",
        disclosure="None", credential_valid_until=date(2030, 6, 30),
    ),
    dict(
        email="surgeon@vetted.example", name="Dr. Samuel Okafor", roles=[Role.REVIEWER],
        credentials="MD, FACS", specialty="Breast surgical oncologist",
        affiliation="Lakeview University Hospital, Breast Surgery Service",
        disclosure="Has received speaking fees from a maker of intraoperative radiation devices (2024).",
        credential_valid_until=date(2029, 12, 31),
    ),
    dict(email="auditor@vetted.example", name="Avery Quinn", roles=[Role.AUDITOR]),
    dict(email="admin@vetted.example", name="Ada Brooks", roles=[Role.ADMIN]),
]

SECOND_VERSION_NOTE = "Made clear that IORT alone is offered within clinical studies for now."
NEW_DRAFT_NOTE = "Added a question about follow-up visits."


def seed() -> list[User]:
    """Create the demo people and content unless they exist; safe to run twice."""
    start = now() - timedelta(days=420)
    result = []
    with frozen_at(start):
        for person in PEOPLE:
            user = users.find_by_email(person["email"])
            if user is None:
                user = users.create_user(None, password=DEMO_PASSWORD, **person)
            result.append(user)
    people = {u.email.split("@")[0]: u for u in result}
    if db.session.scalar(select(Article.id).where(Article.title == IORT_TITLE).limit(1)) is None:
        with _at(400):
            _demo_citations(people["editor"])
            _seed_overdue_article(people)
        _seed_iort_history(people)
        _seed_late_review(people)
    return result


def _demo_citations(editor: User) -> list[int]:
    ids = []
    for record in DEMO_CITATIONS:
        values = {k: v for k, v in record.items() if k != "key"}
        values["authors"] = [Author(**a) for a in values["authors"]]
        citation, _ = citations.create_citation(editor, CitationData(**values))
        ids.append(citation.id)
    return ids


def _draft(writer: User, title: str, summary: str, body: str, editor: User) -> Article:
    article = editing.create_article(writer, title=title, summary=summary, body=body, topic="Breast cancer")
    for citation_id in _demo_citations(editor):  # the library returns the existing record
        references.attach_citation(writer, article, citation_id)
    return article


def _seed_overdue_article(people) -> None:
    """Published about 13 months ago with a 12-month interval: overdue for its medical review."""
    article = _draft(people["writer"], AFTER_LUMPECTOMY_TITLE, AFTER_LUMPECTOMY_SUMMARY, AFTER_LUMPECTOMY_BODY, people["editor"])
    reviews.assign_reviewer(people["editor"], article, people["oncologist"].id)
    transitions.transition(people["writer"], article, "submit")
    _sign(people["oncologist"], article)
    transitions.transition(people["editor"], article, "publish")


def _seed_late_review(people) -> None:
    """In review, with the surgeon's review three days past its due date."""
    with _at(12):
        article = _draft(people["writer"], SURGERY_DAY_TITLE, SURGERY_DAY_SUMMARY, SURGERY_DAY_BODY, people["editor"])
        reviews.assign_reviewer(people["editor"], article, people["surgeon"].id, due_date=(now() + timedelta(days=9)).date())
        transitions.transition(people["writer"], article, "submit", comment="Short practical piece.")


def _at(days_ago: float, hour: int = 10):
    moment = (now() - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return frozen_at(moment)


def _sign(reviewer, article) -> None:
    """Approve the current revision as the reviewer reads it, declaring no conflict unless they
    declared one when accepting."""
    from editorial.accounts.access import load_access

    revision = article_history.current_revision(article)
    declared = load_access(article).assignment_of(reviewer).has_declared
    transitions.transition(reviewer, article, "approve", password=DEMO_PASSWORD, revision=revision.number,
                        content_hash=revision.content_hash, conflict_of_interest=None if declared else "none")


def _review_round(people, article) -> None:
    for reviewer in (people["oncologist"], people["surgeon"]):
        _sign(reviewer, article)


def _seed_iort_history(people: dict[str, User]) -> None:
    writer, editor, surgeon = people["writer"], people["editor"], people["surgeon"]
    with _at(62):
        ids = _demo_citations(editor)
        first_body = IORT_BODY.replace(
            "A group of radiation experts advises that, for breast cancer, IORT given on its own (with no radiation afterwards) should for now be offered only as part of a clinical study [@tom2019].",
            "A group of radiation experts has reviewed how IORT is used for breast cancer [@tom2019].",
        )
        article = editing.create_article(writer, title=IORT_TITLE, summary=IORT_SUMMARY, body=first_body, topic="Breast cancer")
        for citation_id in ids:
            references.attach_citation(writer, article, citation_id)
    with _at(61):
        reviews.assign_reviewer(editor, article, people["oncologist"].id)
        reviews.assign_reviewer(editor, article, surgeon.id)
        transitions.transition(writer, article, "submit", comment="First version, ready for medical review.")
    with _at(60):
        reviews.respond(surgeon, article, accepted=True, conflict_of_interest="Speaking fees from an IORT device maker (2024).")
        reviews.waive_conflict(editor, article, surgeon.id, "Disclosed on the page; the other reviewer has no conflict.")
        _review_round(people, article)
    with _at(59):
        transitions.transition(editor, article, "publish")
    with _at(9):
        editing.save_revision(writer, article, base_version=article.version, body=IORT_BODY, note=SECOND_VERSION_NOTE)
        transitions.transition(writer, article, "submit", comment="Clarified the expert advice.")
    with _at(8):
        _review_round(people, article)
    with _at(7):
        transitions.transition(editor, article, "publish")
    with _at(1):
        editing.save_revision(
            writer, article, base_version=article.version, note=NEW_DRAFT_NOTE,
            body=IORT_BODY + "- How often will I need check-ups after treatment?\n",
        )
