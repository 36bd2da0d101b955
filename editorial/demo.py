"""The demo newsroom: a small patient-education publisher (see README for the logins)."""
from datetime import date

from sqlalchemy import select

from editorial.citations import Author, CitationData
from editorial.demo_content import DEMO_CITATIONS, IORT_BODY, IORT_SUMMARY, IORT_TITLE
from editorial.extensions import db
from editorial.models import Article, User
from editorial.roles import Role
from editorial.services import articles, citations, users

DEMO_PASSWORD = "vetted-demo-2026"

PEOPLE = [
    dict(email="writer@vetted.example", name="Wren Alder", roles=[Role.WRITER]),
    dict(email="editor@vetted.example", name="Elena Marsh", roles=[Role.EDITOR]),
    dict(
        email="oncologist@vetted.example", name="Dr. Priya Raman", roles=[Role.REVIEWER],
        credentials="MD", specialty="Breast radiation oncologist",
        affiliation="Riverside Cancer Center, Department of Radiation Oncology",
        disclosure="None", credential_valid_until=date(2028, 6, 30),
    ),
    dict(
        email="surgeon@vetted.example", name="Dr. Samuel Okafor", roles=[Role.REVIEWER],
        credentials="MD, FACS", specialty="Breast surgical oncologist",
        affiliation="Lakeview University Hospital, Breast Surgery Service",
        disclosure="Has received speaking fees from a maker of intraoperative radiation devices (2024).",
        credential_valid_until=date(2027, 12, 31),
    ),
    dict(email="auditor@vetted.example", name="Avery Quinn", roles=[Role.AUDITOR]),
    dict(email="admin@vetted.example", name="Ada Brooks", roles=[Role.ADMIN]),
]


def seed() -> list[User]:
    """Create the demo people and content unless they exist; safe to run twice."""
    result = []
    for person in PEOPLE:
        user = users.find_by_email(person["email"])
        if user is None:
            user = users.create_user(None, password=DEMO_PASSWORD, **person)
        result.append(user)
    _seed_articles({u.email.split("@")[0]: u for u in result})
    return result


def _seed_articles(people: dict[str, User]) -> None:
    if db.session.scalar(select(Article.id).where(Article.title == IORT_TITLE).limit(1)) is not None:
        return
    keys = []
    for record in DEMO_CITATIONS:
        values = {k: v for k, v in record.items() if k != "key"}
        values["authors"] = [Author(**a) for a in values["authors"]]
        citation, _ = citations.create_citation(people["editor"], CitationData(**values))
        keys.append(citation.id)
    article = articles.create_article(
        people["writer"], title=IORT_TITLE, summary=IORT_SUMMARY, body=IORT_BODY, topic="Breast cancer"
    )
    for citation_id in keys:
        articles.attach_citation(people["writer"], article, citation_id)
