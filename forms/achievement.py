"""Forms of the achievement pages: a new assessment, the marks grid, uploads, support actions."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.base import SapatForm

KIND_LABELS = {
    "control": _l("Control work"),
    "test": _l("Test"),
    "term": _l("Term mark"),
    "semester": _l("Semester mark"),
    "annual": _l("Annual mark"),
    "ort": _l("ORT (national testing)"),
    "nts": _l("NTS (national pupil testing)"),
    "external": _l("Other external diagnostics"),
}


class AssessmentForm(SapatForm):
    kind = SelectField(_l("Kind of work"), choices=list(KIND_LABELS.items()), default="control")
    date = DateField(_l("Date"), validators=[Optional()],
                     description=_l("Blank: the last day of the term."))
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    max_score = FloatField(_l("Maximum score (external tests)"),
                           validators=[Optional(), NumberRange(min=1, max=1000)])

    def __init__(self, *args, term, **kwargs):
        super().__init__(*args, **kwargs)
        self.term = term  # the grid's term: a work is dated within it

    def validate_date(self, field):
        if field.data is not None and not self.term.starts_on <= field.data <= self.term.ends_on:
            raise ValidationError(_("The date must be within the term (%(start)s - %(end)s).",
                                    start=self.term.starts_on.strftime("%d.%m.%Y"),
                                    end=self.term.ends_on.strftime("%d.%m.%Y")))


class GridForm(SapatForm):
    """The marks grid: the cells are read from the request by name (m-<assessment>-<student>)."""


class MarksUploadForm(SapatForm):
    file = FileField(_l("Marks file (.xlsx)"),
                     validators=[FileRequired(), FileAllowed(["xlsx"], _l("Only .xlsx files are accepted."))])


class SupportActionForm(SapatForm):
    action = TextAreaField(_l("Action taken"), validators=[DataRequired(), Length(max=2000)])
    parents_informed = BooleanField(_l("Parents informed"))
    contact_date = DateField(_l("Date of the contact with parents"), validators=[Optional()])
    contact_note = TextAreaField(_l("How and what was agreed with the parents"),
                                 validators=[Optional(), Length(max=2000)])


class TasksForm(SapatForm):
    """A control work's tasks, one a line: the maximum points, then the topic ("2; Fractions")."""

    tasks = TextAreaField(_l("Tasks"), validators=[Length(max=8000)],
                          description=_l("One task a line: its maximum points, then its topic, e.g. 2; Fractions. "
                                         "Blank: the work has no tasks."))

    def validate_tasks(self, field):
        rows = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            top, _sep, topic = line.partition(";")
            try:
                points = float(top.strip().replace(",", "."))
            except ValueError:
                raise ValidationError(_("Line %(n)d: start with the maximum points, e.g. 2; Fractions.",
                                        n=number)) from None
            if not 0 < points <= 100:
                raise ValidationError(_("Line %(n)d: the maximum points must be between 0 and 100.", n=number))
            rows.append(((topic.strip()[:200] or None), points))
        if len(rows) > 40:
            raise ValidationError(_("At most %(n)d tasks.", n=40))
        self.rows = rows


class PointsForm(SapatForm):
    """The points grid (its cells are read from the request: p-<task id>-<student id>)."""


class AnalysisForm(SapatForm):
    """The teacher's analysis of a control work and the planned correction (a measure)."""

    analysis = TextAreaField(_l("Analysis of the results"), validators=[DataRequired(), Length(max=4000)])
    correction = TextAreaField(_l("Planned correction"), validators=[DataRequired(), Length(max=4000)],
                               description=_l("It becomes a measure of the register, with you responsible."))
    due_on = DateField(_l("Deadline"), validators=[DataRequired()])
