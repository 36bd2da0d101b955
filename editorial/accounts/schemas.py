"""The users API's answers: the response models and the functions that build them."""
from datetime import date

from editorial.accounts.models import User
from editorial.api.schemas import Out, PageOut


class MeOut(Out):
    id: int
    email: str
    name: str
    roles: list[str]


class UserBrief(Out):
    id: int
    name: str
    credentials: str | None


class UserOut(Out):
    id: int
    email: str
    name: str
    roles: list[str]
    active: bool
    credentials: str | None
    specialty: str | None
    affiliation: str | None
    disclosure: str | None
    credential_valid_until: date | None


class UserPage(PageOut):
    items: list[UserOut]


def user_brief(user: User) -> UserBrief:
    return UserBrief(id=user.id, name=user.name, credentials=user.credentials)


def me(user: User) -> MeOut:
    return MeOut(id=user.id, email=user.email, name=user.name, roles=[role.value for role in user.sorted_roles])


def user_full(user: User) -> UserOut:
    return UserOut(
        id=user.id, email=user.email, name=user.name, roles=[role.value for role in user.sorted_roles],
        active=user.is_active_account, credentials=user.credentials, specialty=user.specialty,
        affiliation=user.affiliation, disclosure=user.disclosure, credential_valid_until=user.credential_valid_until,
    )
