from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
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


class TokenForm(FlaskForm):
    label = StringField("What is this token for?", validators=[Length(max=80)])
