"""Read-side selects with explicit eager loading, and pagination."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from editorial.extensions import db
from editorial.models import User, UserRole
from editorial.roles import Role

MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(statement, page: int = 1, per_page: int = 25) -> Page:
    """One COUNT and one page of rows, whatever the table's size."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)


def users_statement(role: Role | None = None, q: str | None = None):
    statement = select(User).order_by(User.name, User.id)
    if role is not None:
        statement = statement.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role.value)))
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(User.name).like(pattern) | User.email.like(pattern))
    return statement
