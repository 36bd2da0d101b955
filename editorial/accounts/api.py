"""GET /me and GET /users."""
from editorial.api import api_bp, serialise
from editorial.api.helpers import allowed, caller
from editorial.api.openapi import documented
from editorial.api.schemas import MeOut, UserPage
from editorial.api.validation import PageQuery
from editorial.accounts.roles import Role
from editorial.accounts import queries as user_queries
from editorial.core import reading


class UserQuery(PageQuery):
    role: Role | None = None


@api_bp.get("/me")
@documented(MeOut, tag="users")
def me():
    """The caller"""
    return serialise.me(caller())


@api_bp.get("/users")
@allowed("list_users")
@documented(UserPage, errors=(403,), tag="users")
def user_list(query: UserQuery):
    """Users, with reviewer profiles"""
    return serialise.page_of(UserPage, reading.paginate(user_queries.users_statement(query.role), query.page, query.per_page),
                             serialise.user_full)
