"""Administrators manage accounts: create, edit roles and profile, deactivate."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from editorial.core.bounds import whole_number
from editorial.core.clock import now
from editorial.core.errors import DomainError
from editorial.core.unit_of_work import refused
from editorial.core.forms import apply_form
from editorial.accounts.admin_forms import PasswordResetForm, UserCreateForm, UserEditForm
from editorial.accounts.permissions import can
from editorial.accounts.roles import Role
from editorial.accounts import service as users
from editorial.accounts.service import PROFILE_FIELDS
from editorial.accounts import queries as user_queries
from editorial.core import reading

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if not can(current_user, "manage_users"):
        abort(403, "Only administrators manage accounts.")


def _profile(form) -> dict:
    return {field: getattr(form, field).data for field in PROFILE_FIELDS}


@bp.get("/users")
def user_list():
    role = request.args.get("role") or None
    try:
        role = Role(role) if role else None
    except ValueError:
        abort(404)
    page = reading.paginate(
        user_queries.users_statement(role, request.args.get("q", "").strip()[:100] or None),
        request.args.get("page", 1, type=whole_number),
        25,
    )
    return render_template("admin/users.html", page=page, role=role, q=request.args.get("q", ""))


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    form = UserCreateForm()
    if form.validate_on_submit():
        def create():
            user = users.create_user(
                current_user, email=form.email.data, name=form.name.data, password=form.password.data,
                roles=form.roles.data, invite=form.invite.data, **_profile(form),
            )
            return user, users.issue_invitation(current_user, user) if form.invite.data else None

        done, created = apply_form(form, create)
        if done:
            user, link = created
            if link:
                return _invitation_page(user, link)
            flash(f"{user.name} can now sign in as {user.email}, and must change that password at the first sign-in.", "success")
            return redirect(url_for("admin.user_list"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = users.get_user(user_id)
    form = UserEditForm(obj=user, data=None if request.method == "POST" else {"roles": [r.value for r in user.roles]})
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: users.update_user(
            current_user, user, name=form.name.data, roles=form.roles.data, **_profile(form),
        ))
        if done:
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/user_form.html", form=form, user=user, reset_form=PasswordResetForm(formdata=None)), status


@bp.get("/users/<int:user_id>/deactivate")
def confirm_deactivate(user_id: int):
    """The second look before deactivating: what stops working, with the form that does it."""
    user = users.get_user(user_id)
    try:
        consequence = users.deactivation_consequence(current_user, user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("confirm.html", consequence=consequence, fields={"active": "0"},
                           action_url=url_for("admin.user_set_active", user_id=user.id),
                           button=f"Deactivate {user.name}", note=None, danger=True,
                           cancel_url=url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
def user_set_active(user_id: int):
    user = users.get_user(user_id)
    active = request.form.get("active") == "1"
    try:
        if not active and not users.deactivation_consequence(current_user, user).confirmed_by(request.form.get("confirmed")):
            if request.form.get("confirmed"):
                flash("What this does has changed since you looked: read it again.", "error")
            return redirect(url_for("admin.confirm_deactivate", user_id=user.id), 303)
        users.set_active(current_user, user, active)
    except DomainError as exc:
        refused(exc)
        flash(exc.message, "error")
    else:
        flash(f"{user.name} is {'active again' if active else 'deactivated and can no longer sign in'}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def _invitation_page(user, link: str):
    """The link is shown once, here (only its hash is kept); the administrator passes it on."""
    hours = current_app.config.get("INVITATION_VALID_HOURS", 72)
    return render_template("admin/invitation.html", user=user,
                           link=url_for("auth.invitation", token=link, _external=True),
                           valid_until=now() + timedelta(hours=hours))


@bp.post("/users/<int:user_id>/invitation")
def user_invitation(user_id: int):
    """A new set-password link for the person (earlier unused ones stop working)."""
    user = users.get_user(user_id)
    link = users.issue_invitation(current_user, user)
    return _invitation_page(user, link)


@bp.post("/users/<int:user_id>/password")
def user_reset_password(user_id: int):
    user = users.get_user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: users.reset_password(current_user, user, form.password.data))
        if done:
            flash(f"{user.name}'s password is reset: they are signed out everywhere, their API tokens are revoked, "
                  "and they must change the password at their next sign-in.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    edit_form = UserEditForm(obj=user, formdata=None, data={"roles": [r.value for r in user.roles]})
    return render_template("admin/user_form.html", form=edit_form, user=user, reset_form=form), 422


@bp.post("/users/<int:user_id>/two-factor/reset")
def user_two_factor_reset(user_id: int):
    from editorial.accounts import two_factor

    user = users.get_user(user_id)
    two_factor.reset(current_user, user, remote_addr=request.remote_addr)
    flash(f"{user.name}'s two-factor sign-in is reset: they sign in with their password and must set it up again.",
          "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    user = users.get_user(user_id)
    users.unlock(current_user, user)
    flash(f"{user.name} is unlocked and can sign in again.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
