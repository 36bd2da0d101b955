"""Each role's landing page."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from editorial.desk import dashboards
from editorial.accounts.permissions import can
from editorial.accounts.roles import LANDING_ORDER, Role

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@login_required
def home():
    for role in LANDING_ORDER:
        if role in current_user.roles:
            return redirect(url_for("dashboard.for_role", role=role.value))
    abort(403)


@bp.get("/<role>")
@login_required
def for_role(role: str):
    try:
        role = Role(role)
    except ValueError:
        abort(404)
    if not can(current_user, "view_dashboard", role):
        abort(403, "This dashboard belongs to another role.")
    data = {
        Role.EDITOR: dashboards.editor_desk,
        Role.REVIEWER: lambda: dashboards.reviewer_desk(current_user),
        Role.WRITER: lambda: dashboards.writer_desk(current_user),
        Role.ADMIN: dashboards.admin_desk,
    }.get(role, dict)()
    return render_template(f"dashboard/{role.value}.html", role=role, **data)
