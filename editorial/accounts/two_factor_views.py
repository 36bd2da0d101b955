"""Two-factor sign-in: setting it up and turning it off on one's account, the code page of the
sign-in, and sending holders of roles that require it to set it up first."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from editorial.accounts import sign_in as auth_loader
from editorial.core.errors import DomainError
from editorial.core.unit_of_work import refused
from editorial.core.forms import apply_form
from editorial.accounts.forms import RecoveryCodesForm, TwoFactorCodeForm, TwoFactorDisableForm, TwoFactorSignInForm
from editorial.accounts.throttling import SIGN_IN_LIMITS
from editorial.core import secret_box
from editorial.accounts import two_factor

bp = Blueprint("two_factor", __name__)

# The session key of a sign-in waiting for its code (see accounts/views.py).
PENDING_KEY = "two_factor_pending"

# Pages a signed-in user who must still set up two-factor sign-in may open.
_OPEN_ENDPOINTS = {"two_factor.setup", "two_factor.start", "two_factor.confirm", "two_factor.code", "auth.sign_out", "static"}
_OPEN_PREFIXES = ("public.", "api.", "health.")


@bp.record_once
def _check_config(state):
    two_factor.check_required_roles(state.app.config)
    secret_box.init_app(state.app)  # a malformed TOTP_ENCRYPTION_KEY refuses to start


@bp.before_app_request
def _require_enrolment():
    """Holders of a role in REQUIRE_TWO_FACTOR_FOR set up two-factor sign-in before anything else."""
    endpoint = request.endpoint
    if not endpoint or endpoint in _OPEN_ENDPOINTS or endpoint.startswith(_OPEN_PREFIXES):
        return None
    if not current_app.config.get("REQUIRE_TWO_FACTOR_FOR"):
        return None
    if not current_user.is_authenticated or current_user.two_factor_enabled:
        return None
    if two_factor.is_required_for(current_user):
        return redirect(url_for("two_factor.setup"))
    return None


def _setup_page(code_form=None, disable_form=None, codes_form=None, status=200):
    user = current_user
    uri = two_factor.provisioning_uri(user) if not user.two_factor_enabled else None
    secret = two_factor.pending_secret_of(user) if uri else None
    return render_template(
        "auth/two_factor.html",
        required=two_factor.is_required_for(user),
        required_roles=[r for r in user.sorted_roles if r.value in two_factor.required_roles()],
        otpauth_uri=uri,
        qr=two_factor.qr_data_uri(uri) if uri else None,
        manual_key=two_factor.grouped_key(secret) if secret else None,
        code_form=code_form or TwoFactorCodeForm(formdata=None),
        disable_form=disable_form or TwoFactorDisableForm(formdata=None),
        codes_form=codes_form or RecoveryCodesForm(formdata=None),
        recovery_codes_left=two_factor.remaining_recovery_codes(user) if user.two_factor_enabled else 0,
        recovery_code_count=two_factor.RECOVERY_CODE_COUNT,
    ), status


def _recovery_codes_page(codes, first_time: bool):
    """The recovery codes, shown this once (they are stored hashed). Never cached."""
    response = current_app.make_response(render_template("auth/two_factor_recovery_codes.html",
                                                         codes=codes, first_time=first_time))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/two-factor")
@login_required
def setup():
    return _setup_page()


@bp.post("/account/two-factor/start")
@login_required
def start():
    try:  # (CSRFProtect checks every POST)
        two_factor.start(current_user)
    except DomainError as exc:
        refused(exc)
        flash(exc.message, "error")
        return redirect(url_for("two_factor.setup"))
    return redirect(url_for("two_factor.setup"))


@bp.post("/account/two-factor/confirm")
@login_required
def confirm():
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        done, codes = apply_form(form, lambda: two_factor.confirm(current_user, form.code.data))
        if done:
            # The session version moved; keep this session (the user itself: the page below reads
            # current_user again, and a proxy logged in would stand for itself).
            login_user(current_user._get_current_object())
            flash("Two-factor sign-in is on. From now on you will be asked for a code after your password; "
                  "your other sessions are signed out.", "success")
            return _recovery_codes_page(codes, first_time=True)
    return _setup_page(code_form=form, status=422)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def regenerate_recovery_codes():
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        done, codes = apply_form(form, lambda: two_factor.regenerate_recovery_codes(
            current_user, password=form.current_password.data, remote_addr=request.remote_addr))
        if done:
            return _recovery_codes_page(codes, first_time=False)
        if not current_user.is_active:
            return _locked_out()
    return _setup_page(codes_form=form, status=422)


def _locked_out():
    """The refused password re-entry was the one that locked the account (and ended its sessions)."""
    flash("Too many failed attempts: your account is locked until an administrator unlocks it.", "error")
    return redirect(url_for("auth.sign_in"))


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    form = TwoFactorDisableForm()
    if form.validate_on_submit():
        done, _ = apply_form(form, lambda: two_factor.disable(
            current_user, password=form.password.data, code=form.code.data, remote_addr=request.remote_addr))
        if done:
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("two_factor.setup"))
        if not current_user.is_active:
            return _locked_out()
    return _setup_page(disable_form=form, status=422)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@SIGN_IN_LIMITS[0]
def code():
    """The second step of signing in, for users with two-factor sign-in on."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    marker = session.get(PENDING_KEY)
    try:
        two_factor.pending_user(marker)
    except DomainError as exc:
        session.pop(PENDING_KEY, None)
        flash(exc.message, "info")
        return redirect(url_for("auth.sign_in"))
    form = TwoFactorSignInForm()
    if form.validate_on_submit():
        try:
            user, method = two_factor.complete_sign_in(marker, form.code.data, remote_addr=request.remote_addr)
        except two_factor.PendingSignInInvalid as exc:
            session.pop(PENDING_KEY, None)
            flash(exc.message, "info")
            return redirect(url_for("auth.sign_in"))
        except DomainError as exc:  # its audit record and the failure count are committed with this page
            form.form_errors.append(exc.message)
            return render_template("auth/two_factor_code.html", form=form), 200
        next_url = marker.get("next")
        session.clear()  # a fresh session at sign-in (no fixation)
        session.permanent = True  # expires after the idle timeout
        auth_loader.sign_in(user)
        flash(f"Welcome, {user.name}.", "success")
        if method == "recovery_code":
            left = two_factor.remaining_recovery_codes(user)
            flash(f"You signed in with a recovery code: {left} recovery codes left. If your phone is lost, turn "
                  "two-factor sign-in off and on again on your two-factor page to set up a new one.", "warning")
        return redirect(next_url or url_for("dashboard.home"))
    return render_template("auth/two_factor_code.html", form=form)
