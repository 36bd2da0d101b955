from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from editorial.articles import pemat
from editorial.articles.schedules import LABELS


class ScheduleForm(FlaskForm):
    # Every known action validates; the service decides which make sense (the page offers only those).
    action = SelectField("Action", choices=list(LABELS.items()))
    run_at = DateTimeLocalField("When (your time)", format="%Y-%m-%dT%H:%M", validators=[DataRequired(message="Choose a date and time.")])


class IntervalForm(FlaskForm):
    review_interval_months = IntegerField("Review every … months", description="Leave empty to use the topic's interval.",
                                          validators=[Optional(), NumberRange(min=1, max=60)])


class TopicForm(FlaskForm):
    name = StringField("Topic", validators=[DataRequired(), Length(max=120)])
    review_interval_months = IntegerField("Review every … months", validators=[DataRequired(), NumberRange(min=1, max=60)])


def pemat_form_class():
    """A form with one agree/disagree/not-applicable question per PEMAT-P item."""
    fields = {}
    for number, (text, allows_na) in pemat.ITEMS.items():
        choices = [("agree", "Agree"), ("disagree", "Disagree")] + ([("na", "Not applicable")] if allows_na else [])
        fields[f"item_{number}"] = RadioField(f"{number}. {text}", choices=choices,
                                              validators=[DataRequired(message="Choose an answer.")])
    return type("PematForm", (FlaskForm,), fields)


PematForm = pemat_form_class()
