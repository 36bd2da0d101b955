"""The demo newsroom: a small patient-education publisher (see README for the logins)."""
from datetime import date

from editorial.models import User
from editorial.roles import Role
from editorial.services import users

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
    """Create the demo people (and content) unless they exist; safe to run twice."""
    result = []
    for person in PEOPLE:
        user = users.find_by_email(person["email"])
        if user is None:
            user = users.create_user(None, password=DEMO_PASSWORD, **person)
        result.append(user)
    return result
