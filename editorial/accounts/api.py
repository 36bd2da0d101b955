"""GET /me and GET /users."""
from typing import Literal

from flask import request

from editorial.articles import queries
from editorial.api import api_bp
from editorial.api.helpers import caller, list_body, page_args
from editorial.api.openapi import documented
from editorial.api.schemas import MeOut, UserPage
from editorial.api.validation import PageQuery
from editorial.api.serialise import user_full
from editorial.core.errors import ValidationError
from editorial.accounts.permissions import require
from editorial.accounts.roles import Role


class UserQuery(PageQuery):
    role: Literal["writer", "editor", "reviewer", "auditor", "admin"] | None = None


@api_bp.get("/me")
@documented("The caller", response=MeOut, tag="users")
def me():
    user = caller()
    return {"id": user.id, "email": user.email, "name": user.name, "roles": [r.value for r in user.sorted_roles]}


@api_bp.get("/users")
@documented("Users, with reviewer profiles", query=UserQuery, response=UserPage, errors=(403,), tag="users")
def user_list():
    require(caller(), "list_users")
    role = request.args.get("role")
    try:
        role = Role(role) if role else None
    except ValueError:
        raise ValidationError("Unknown role.", fields={"role": f"One of: {', '.join(r.value for r in Role)}."})
    page, per_page = page_args()
    return list_body(queries.paginate(queries.users_statement(role), page, per_page), user_full)
