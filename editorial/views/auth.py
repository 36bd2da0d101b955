"""Signing in and out, changing one's password, and one's own API tokens."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from editorial.errors import AuthenticationFailed, NotFound
from editorial.extensions import db
from editorial.forms import apply_form
from editorial.forms.auth import ChangePasswordForm, SignInForm, TimeZoneForm, TokenForm
from editorial.models import ApiToken
from editorial.security import SIGN_IN_LIMITS
from editorial.services import two_factor, users
from editorial.views.two_factor import PENDING_KEY

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow same-site relative paths after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@SIGN_IN_LIMITS[0]
@SIGN_IN_LIMITS[1]
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = two_factor.password_step(form.email.data, form.password.data, remote_addr=request.remote_addr)
        except AuthenticationFailed as exc:
            db.session.commit()  # keep the audit record of the failed attempt
            form.form_errors.append(exc.message)
            return render_template("auth/sign_in.html", form=form), 200
        db.session.commit()
        session.clear()  # a fresh session at sign-in (no fixation)
        session.permanent = True  # expires after the idle timeout
        if user.two_factor_enabled:
            # Not signed in yet: the code page finishes the sign-in (views/two_factor.py).
            session[PENDING_KEY] = two_factor.begin_sign_in(user, _safe_next(request.args.get("next")))
            return redirect(url_for("two_factor.code"))
        login_user(user)
        flash(f"Welcome, {user.name}.", "success")
        return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: users.change_password(
            current_user, current_password=form.current_password.data, new_password=form.new_password.data,
        ))
        if done:
            login_user(current_user)  # the session version moved; keep this session
            flash("Your password is changed. Other sessions are signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form=form)


def _account_page(**forms):
    """The account page with its forms (fresh ones unless given) and the user's tokens."""
    pieces = {"form": ChangePasswordForm(formdata=None), "token_form": TokenForm(formdata=None),
              "zone_form": TimeZoneForm(formdata=None, data={"time_zone": current_user.time_zone}), "new_token": None}
    pieces.update(forms)
    return render_template("auth/account.html", tokens=users.tokens_of(current_user), **pieces)


@bp.post("/account/time-zone")
@login_required
def time_zone():
    zone_form = TimeZoneForm()
    if zone_form.validate_on_submit():
        done, _ = apply_form(zone_form, lambda: users.set_time_zone(current_user, zone_form.time_zone.data))
        if done:
            flash(f"Times are now shown in UTC and in {current_user.time_zone}.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(zone_form=zone_form), 422


@bp.post("/account/tokens")
@login_required
def issue_token():
    token_form = TokenForm()
    new_token = None
    if token_form.validate_on_submit():
        done, issued = apply_form(token_form, lambda: users.issue_token(current_user, current_user, token_form.label.data or ""))
        if done:
            _, new_token = issued
    status = 200 if new_token else 422
    return _account_page(token_form=token_form, new_token=new_token), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFound("No such token.")
    users.revoke_token(current_user, token)
    db.session.commit()
    flash("The token is revoked.", "success")
    return redirect(url_for("auth.account"))
