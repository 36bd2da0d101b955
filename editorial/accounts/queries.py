"""Read-side selects of users."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from editorial.accounts.models import User, UserRole
from editorial.accounts.roles import Role


def users_statement(role: Role | None = None, q: str | None = None):
    statement = select(User).options(selectinload(User.role_rows)).order_by(User.name, User.id)
    if role is not None:
        statement = statement.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role.value)))
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(User.name).like(pattern) | User.email.like(pattern))
    return statement
