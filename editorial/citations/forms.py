from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from editorial.citations import FORMATS, TYPE_LABELS

FORMAT_LABELS = {"ris": "RIS (Zotero, EndNote, journals)", "bibtex": "BibTeX", "nbib": "PubMed MEDLINE / .nbib",
                 "csl-json": "CSL-JSON"}


class CitationForm(FlaskForm):
    type = SelectField("Type", choices=list(TYPE_LABELS.items()))
    title = TextAreaField("Title", validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 2})
    authors = TextAreaField("Authors", description='One per line, as "Family, Given" (for example "Tom, Martin C").',
                            validators=[Optional(), Length(max=100_000)], render_kw={"rows": 4})
    org_author = StringField("Organisation as author", validators=[Optional(), Length(max=300)])
    editors = TextAreaField("Editors (chapters, proceedings)", description='One per line, as "Family, Given".',
                            validators=[Optional(), Length(max=100_000)], render_kw={"rows": 2})
    container_title = StringField("Journal or website (or the book, proceedings, preprint server)",
                                  description="Journal abbreviation as PubMed gives it, e.g. “Brachytherapy”; for a chapter the "
                                              "book, for a conference paper the proceedings, for a preprint “medRxiv”.",
                                  validators=[Optional(), Length(max=500)])
    publisher = StringField("Publisher or institution", description="Books, reports and guidelines; a thesis's university.",
                            validators=[Optional(), Length(max=300)])
    edition = StringField("Edition (books)", validators=[Optional(), Length(max=50)])
    genre = StringField("Kind of thesis", description="“Dissertation” when empty, or “Master's thesis”.",
                        validators=[Optional(), Length(max=100)])
    report_number = StringField("Report number", description="As the issuer writes it, e.g. “NICE guideline NG28”.",
                                validators=[Optional(), Length(max=100)])
    year = IntegerField("Year", validators=[Optional(), NumberRange(min=1800, max=2200)])
    volume = StringField("Volume", validators=[Optional(), Length(max=50)])
    issue = StringField("Issue", validators=[Optional(), Length(max=50)])
    pages = StringField("Pages", validators=[Optional(), Length(max=50)])
    doi = StringField("DOI", description="10.xxxx/… or https://doi.org/…", validators=[Optional(), Length(max=300)])
    pmid = StringField("PMID", validators=[Optional(), Length(max=20)])
    url = StringField("URL", validators=[Optional(), Length(max=2000)])
    accessed = DateField("Accessed (web pages)", validators=[Optional()])
    published = DateField("Published online", description="The full date: an article online before its issue, a preprint's "
                                                           "posting, a web page's publication.", validators=[Optional()])
    # "doi" or "pmid" when the fields came from a look-up (the audit says so); empty when typed.
    origin = HiddenField(validators=[Optional(), Length(max=10)])


class LookupForm(FlaskForm):
    identifier = StringField("DOI or PMID", description="A DOI (10.1056/NEJMoa2034577), a doi.org link, a PMID (33301246) "
                                                        "or a PubMed link.", validators=[Length(max=2000)])


class ImportForm(FlaskForm):
    format = SelectField("Format", choices=[("", "Detect from the file"), *((f, FORMAT_LABELS.get(f, f)) for f in FORMATS)],
                         default="")
    file = FileField("Export file")
    text = TextAreaField("…or paste the export here", validators=[Optional(), Length(max=2_000_000)], render_kw={"rows": 8})


class RetractForm(FlaskForm):
    note = TextAreaField("Retraction note", description="Where the retraction was published, and why.",
                         validators=[DataRequired(), Length(max=2000)])
    retracted_on = DateField("Retracted on", validators=[Optional()])
