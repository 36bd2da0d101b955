"""Signing in and out, changing one's password, one's sessions and API tokens, and invitations."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from editorial.accounts import sign_in as auth_loader
from editorial.core.clock import now
from editorial.core.errors import AuthenticationFailed, DomainError, NotFound
from editorial.core.extensions import db
from editorial.core.unit_of_work import refused
from editorial.core.forms import apply_form, show_domain_errors
from editorial.accounts.forms import ChangePasswordForm, SetPasswordForm, SignInForm, TimeZoneForm, TokenForm
from editorial.accounts.models import ApiToken
from editorial.accounts.permissions import password_change_reason
from editorial.accounts.throttling import SIGN_IN_LIMITS
from editorial.accounts import sessions, two_factor, service as users
from editorial.accounts.two_factor_views import PENDING_KEY

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
        except AuthenticationFailed as exc:  # the failed attempt's audit record is committed with this page
            form.form_errors.append(exc.message)
            return render_template("auth/sign_in.html", form=form), 200
        session.clear()  # a fresh session at sign-in (no fixation)
        session.permanent = True  # expires after the idle timeout
        if user.two_factor_enabled:
            # Not signed in yet: the code page finishes the sign-in (accounts/two_factor_views.py).
            session[PENDING_KEY] = two_factor.begin_sign_in(user, _safe_next(request.args.get("next")))
            return redirect(url_for("two_factor.code"))
        auth_loader.sign_in(user)
        if password_change_reason(user):
            return redirect(url_for("auth.change_password"))
        flash(f"Welcome, {user.name}.", "success")
        return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    auth_loader.sign_out(current_user)
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if _changed_password(form):
        return redirect(url_for("auth.account"))
    return _account_page(form=form)


def _changed_password(form) -> bool:
    """The user's own password change from the form, said so when done (the account page and the
    change a new or reset password asks for share it)."""
    if not form.validate_on_submit():
        return False
    done, _ = apply_form(form, lambda: users.change_password(
        current_user, current_password=form.current_password.data, new_password=form.new_password.data,
        keep_session=sessions.current(),
    ))
    if done:
        flash("Your password is changed. Other sessions are signed out and your API tokens revoked.", "success")
    return done


def _account_page(form=None, token_form=None, new_token=None, zone_form=None, status=200):
    """The account page with its forms (fresh ones unless given), the user's tokens and sessions."""
    return render_template(
        "auth/account.html", form=form or ChangePasswordForm(formdata=None), token_form=token_form or TokenForm(formdata=None),
        zone_form=zone_form or TimeZoneForm(formdata=None, data={"time_zone": current_user.time_zone}),
        tokens=users.tokens_of(current_user), new_token=new_token,
        user_sessions=sessions.sessions_of(current_user), this_session=sessions.current(), now_utc=now(),
    ), status


@bp.post("/account/time-zone")
@login_required
def time_zone():
    zone_form = TimeZoneForm()
    if zone_form.validate_on_submit():
        done, _ = apply_form(zone_form, lambda: users.set_time_zone(current_user, zone_form.time_zone.data))
        if done:
            flash(f"Times are now shown in UTC and in {current_user.time_zone}.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(zone_form=zone_form, status=422)


@bp.post("/account/tokens")
@login_required
def issue_token():
    token_form = TokenForm()
    new_token = None
    if token_form.validate_on_submit():
        done, issued = apply_form(token_form, lambda: users.issue_token(
            current_user, current_user, token_form.label.data or "", expires_in_days=token_form.lifetime_days))
        if done:
            _, new_token = issued
    return _account_page(token_form=token_form, new_token=new_token, status=200 if new_token else 422)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFound("No such token.")
    users.revoke_token(current_user, token)
    flash("The token is revoked.", "success")
    return redirect(url_for("auth.account"))


# --- Sessions ---------------------------------------------------------------------------------

@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    record = sessions.get_own(current_user, session_id)
    sessions.end(current_user, record, "ended_by_user")
    if record is sessions.current():
        auth_loader.sign_out(current_user)
        flash("This session is ended: you are signed out.", "info")
        return redirect(url_for("auth.sign_in"))
    flash("That session is ended: it is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    ended = sessions.end_all(current_user, actor=current_user, reason="ended_by_user", keep=sessions.current())
    flash(f"Signed out {ended} other session{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("auth.account"))


# --- A password that must be changed first ----------------------------------------------------

# Pages a user who must change their password may still open (two-factor set-up too, which
# REQUIRE_TWO_FACTOR_FOR may ask for first: accounts/two_factor_views.py sends such users there).
_OPEN_WHILE_CHANGE_DUE = {"auth.change_password", "auth.sign_out", "auth.invitation", "static",
                          "two_factor.setup", "two_factor.start", "two_factor.confirm", "two_factor.code"}


@bp.before_app_request
def _require_password_change():
    """An administrator's password, or one past PASSWORD_MAX_AGE_DAYS, is changed before anything
    else (the domain refuses every action meanwhile: permissions.can; the API answers 403)."""
    endpoint = request.endpoint
    if not endpoint or endpoint in _OPEN_WHILE_CHANGE_DUE or endpoint.startswith(("public.", "api.")):
        return None
    if current_user.is_authenticated and password_change_reason(current_user):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if _changed_password(form):
        return redirect(url_for("dashboard.home"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/change_password.html", form=form, reason=password_change_reason(current_user)), status


# --- Invitations ------------------------------------------------------------------------------

@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The link an administrator gave: its holder chooses their password (once, before it expires)."""
    invited = users.invitation_for(token).user  # 404 unknown, 410 used or expired: error.html says which
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            users.accept_invitation(token, form.new_password.data)
        except users.InvitationUnusable:
            raise  # used meanwhile (by a second submission): the 410 page says so
        except DomainError as exc:
            refused(exc)
            show_domain_errors(form, exc)
        else:
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.sign_in"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/invitation.html", form=form, invited=invited), status
