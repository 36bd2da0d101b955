from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("new_password", message="The two new passwords differ.")]
    )


class TimeZoneForm(FlaskForm):
    time_zone = SelectField("Time zone", description="Times are stored in UTC and shown in UTC and in this zone; "
                            "the times you type in the schedule form are in this zone.")

    def __init__(self, *args, **kwargs):
        from editorial.accounts.service import TIME_ZONES

        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(zone, zone.replace("_", " ")) for zone in TIME_ZONES]


class SetPasswordForm(FlaskForm):
    """An invitee chooses their first password."""
    new_password = PasswordField("Your password", description="At least 10 characters.",
                                 validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(
        "Your password again", validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")]
    )


class TokenForm(FlaskForm):
    label = StringField("What is this token for?", validators=[Length(max=80)])
    # The values are accounts.service.TOKEN_LIFETIMES ("" for none).
    expires_in_days = SelectField("Expires after", default="90", choices=[
        SelectChoice("30", "30 days"), SelectChoice("90", "90 days"), SelectChoice("365", "a year"),
        SelectChoice("", "never (until revoked)"),
    ])

    @property
    def lifetime_days(self) -> int | None:
        return int(self.expires_in_days.data) if self.expires_in_days.data else None


def _code_field(label: str = "6-digit code from your authenticator app") -> StringField:
    return StringField(
        label, validators=[DataRequired(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "size": 8},
    )


def _second_factor_field() -> StringField:
    """A TOTP code or a recovery code (letters and dashes, so not numeric-only)."""
    return StringField(
        "Code from your authenticator app, or a recovery code", validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "size": 22},
    )


class TwoFactorCodeForm(FlaskForm):
    code = _code_field()


class TwoFactorSignInForm(FlaskForm):
    code = _second_factor_field()


class TwoFactorDisableForm(FlaskForm):
    password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    code = _second_factor_field()


class RecoveryCodesForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
