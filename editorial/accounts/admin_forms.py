from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from editorial.accounts.roles import Role

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileFields:
    """The reviewer profile that readers see beside a signature."""

    credentials = StringField("Credentials", description='For example "MD" or "MD, PhD".', validators=[Optional(), Length(max=120)])
    specialty = StringField("Specialty", description='For example "breast radiation oncologist".', validators=[Optional(), Length(max=200)])
    affiliation = StringField("Affiliation", validators=[Optional(), Length(max=200)])
    disclosure = TextAreaField(
        "Conflict-of-interest disclosure",
        description='Write "None" if there is nothing to declare; a reviewer with no statement on file cannot sign.',
        validators=[Optional(), Length(max=4000)],
    )
    credential_valid_until = DateField("Credential valid until", validators=[Optional()])


class UserEditForm(FlaskForm, ProfileFields):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES, validators=[DataRequired(message="Choose at least one role.")])


class UserCreateForm(UserEditForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    invite = BooleanField("Send an invitation link instead: the person chooses their own password")
    password = PasswordField(
        "Or an initial password", validators=[Optional(), Length(max=256)],
        description="At least 10 characters. The person must change it when they first sign in.",
    )


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        "Temporary password", validators=[DataRequired(), Length(max=256)],
        description="The person must change it at their next sign-in; they are signed out everywhere and their API tokens are revoked.",
    )
