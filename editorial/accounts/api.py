"""GET /me and GET /users."""
from editorial.accounts import queries as user_queries
from editorial.accounts import schemas as accounts_schemas
from editorial.accounts.roles import Role
from editorial.accounts.schemas import MeOut, UserPage
from editorial.api import api_bp
from editorial.api import schemas as api_schemas
from editorial.api.helpers import allowed, caller
from editorial.api.openapi import documented
from editorial.api.validation import PageQuery
from editorial.core import reading


class UserQuery(PageQuery):
    role: Role | None = None


@api_bp.get("/me")
@documented(MeOut, tag="users")
def me():
    """The caller"""
    return accounts_schemas.me(caller())


@api_bp.get("/users")
@allowed("list_users")
@documented(UserPage, errors=(403,), tag="users")
def user_list(query: UserQuery):
    """Users, with reviewer profiles"""
    return api_schemas.page_of(UserPage, reading.paginate(user_queries.users_statement(query.role), query.page, query.per_page),
                             accounts_schemas.user_full)
