from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateField, Field, HiddenField, IntegerField, PasswordField, RadioField, SelectChoice, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from editorial.articles.editing import MAX_BODY, MAX_NOTE, MAX_SUMMARY, MAX_TITLE, MAX_TOPIC
from editorial.core.bounds import whole_number


class NewArticleForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE)])
    summary = TextAreaField("Summary", description="One or two plain-language sentences shown under the title.",
                            validators=[Optional(), Length(max=MAX_SUMMARY)])
    topic = StringField("Topic", description='For example "Breast cancer".', validators=[Optional(), Length(max=MAX_TOPIC)])
    body = TextAreaField("Body (Markdown)", description="Cite sources inline as [@key], for example [@tom2019].",
                         validators=[Optional(), Length(max=MAX_BODY)], render_kw={"class": "body-editor"})
    word_file = FileField("Start from a Word file", description="Optional. A .docx whose text becomes the body (headings, "
                          "lists, bold, italic, links and tables); its first heading is the title when none is typed. "
                          "Images and comments are not imported.", render_kw={"accept": ".docx"})


class WordRevisionForm(FlaskForm):
    word_file = FileField("Word file (.docx)", render_kw={"accept": ".docx"})
    # Own ids: this form shares the edit page with the edit form's base_version and note.
    base_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()], id="word_base_version")
    note = TextAreaField("Why the text is replaced", description="The change note. Empty: “Text replaced from the Word file …”.",
                         validators=[Optional(), Length(max=MAX_NOTE)], id="word_note")


class OrderedIdsField(Field):
    """The ordered reference list: one hidden citation_ids input per reference, in order
    (templates/articles/edit.html renders them); its data is the list of ids."""

    def process_formdata(self, valuelist):
        try:
            self.data = [whole_number(value) for value in valuelist]  # bounded: a larger one names nothing
        except ValueError:
            self.data = []
            raise ValueError("The reference list must be citation ids.") from None

    def _value(self):
        return ""


class EditArticleForm(NewArticleForm):
    word_file = None  # the edit page has its own form for that (WordRevisionForm)
    base_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    citation_ids = OrderedIdsField("References")
    # Sent by the edit page with its reference list, so that an empty list means "no references"
    # while a form without one (an older page left open) keeps the references as they are.
    references_in_form = HiddenField()
    note = TextAreaField("Change note", description="Why you changed it. Required once the article has been submitted.",
                         validators=[Optional(), Length(max=MAX_NOTE)])


class TransitionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=MAX_NOTE)])
    password = PasswordField("Your password (your signature)", validators=[Optional(), Length(max=256)])
    # Approving: the revision the signer read, as the page showed it, and their declaration.
    revision = IntegerField(widget=HiddenInput(), validators=[Optional()])
    content_hash = HiddenField(validators=[Optional(), Length(max=64)])
    conflict_of_interest = StringField(validators=[Optional(), Length(max=MAX_NOTE)])


class AssignForm(FlaskForm):
    user_id = SelectField("Physician reviewer", coerce=int, validators=[DataRequired(message="Choose a reviewer.")])
    due_date = DateField("Due date", validators=[Optional()])


class RespondForm(FlaskForm):
    accepted = RadioField("Your answer", choices=[SelectChoice("yes", "I accept this review"), SelectChoice("no", "I decline")],
                          validators=[DataRequired(message="Choose accept or decline.")])
    conflict_of_interest = TextAreaField(
        "Conflict of interest for this article",
        description='Write "None" if you have none. A declared conflict must be waived by an editor before you sign.',
        validators=[Optional(), Length(max=MAX_NOTE)])
    reason = TextAreaField("Reason (when declining)", validators=[Optional(), Length(max=MAX_NOTE)])


class WaiveForm(FlaskForm):
    reason = TextAreaField("Why the conflict does not prevent this review", validators=[DataRequired(), Length(max=MAX_NOTE)])


class CommentForm(FlaskForm):
    quote = TextAreaField("Quoted passage", description="Select text in the article to quote it here.",
                          validators=[Optional(), Length(max=MAX_NOTE)])
    # Filled by quote.js from the selection: the text around the passage (editorial.reviews.annotations).
    quote_prefix = HiddenField(validators=[Optional()])
    quote_suffix = HiddenField(validators=[Optional()])
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=MAX_NOTE)])


class RestoreForm(FlaskForm):
    base_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    note = TextAreaField("Why restore this revision?", validators=[Optional(), Length(max=MAX_NOTE)])
