"""Forms of the achievement pages: a new assessment, the marks grid, uploads, support actions,
the early-warning rules and support plans."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
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


class JournalChoiceForm(SapatForm):
    """The class journal's class x subject and term (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    lesson = SelectField(_l("Class and subject"), validators=[DataRequired()])
    term = SelectField(_l("Term"), coerce=int, validators=[DataRequired()])


class SupportActionForm(SapatForm):
    action = TextAreaField(_l("Action taken"), validators=[DataRequired(), Length(max=2000)])
    parents_informed = BooleanField(_l("Parents informed"))
    contact_date = DateField(_l("Date of the contact with parents"), validators=[Optional()])
    contact_note = TextAreaField(_l("How and what was agreed with the parents"),
                                 validators=[Optional(), Length(max=2000)])


class WarningRulesForm(SapatForm):
    """The school's early-warning rules; an empty threshold switches its rule off."""
    low_marks = IntegerField(_l("Marks of 2 in control works of one subject in the term (at least)"),
                             validators=[Optional(), NumberRange(min=1, max=20)])
    mean_below = FloatField(_l("Mean of the last marks in a subject below"),
                            validators=[Optional(), NumberRange(min=1.0, max=5.0)])
    last_n = IntegerField(_l("How many last marks (control works and tests)"),
                          validators=[DataRequired(), NumberRange(min=1, max=30)])
    drop_by = FloatField(_l("Fall of a subject's term mark since the previous quarter (at least)"),
                         validators=[Optional(), NumberRange(min=0.5, max=4.0)])


PLAN_STATUS_LABELS = {"open": _l("open"), "closed": _l("closed"), "cancelled": _l("cancelled")}
CONTACT_FORM_LABELS = {"meeting": _l("meeting at school"), "phone": _l("phone call"),
                       "message": _l("message"), "visit": _l("home visit")}


class SupportPlanForm(SapatForm):
    status = SelectField(_l("Status"), choices=list(PLAN_STATUS_LABELS.items()))
    outcome = TextAreaField(_l("Outcome at the end of the term"), validators=[Optional(), Length(max=4000)])


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class SupportStepForm(SapatForm):
    what = TextAreaField(_l("Step"), validators=[DataRequired(), Length(max=2000)])
    due_on = DateField(_l("By"), validators=[DataRequired()])
    responsible_id = SelectField(_l("Responsible"), coerce=_optional_id, validators=[Optional()])


class ParentContactForm(SapatForm):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    form = SelectField(_l("Form of the contact"), choices=list(CONTACT_FORM_LABELS.items()))
    outcome = TextAreaField(_l("Outcome of the contact"), validators=[DataRequired(), Length(max=2000)])
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
