"""Forms of the observation pages. The checklist is built from the protocol by forms/builder.py
(the same builder as questionnaire pages), with the checklist's field names and nothing
required until the observation is finished."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db
from app.i18n import localized_name, pick_text
from app.models import Subject
from app.models.observations import PURPOSES
from app.security import scoped
from app.services.core import school as school_service
from app.services.observations import labels
from app.services.observations import records as svc
from app.services.observations.protocols import protocol_of, protocols
from forms.base import SapatForm
from forms.builder import build_form
from surveys.answers import CHECKLIST


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class StartObservationForm(SapatForm):
    instrument_id = SelectField(_l("Protocol"), coerce=_optional_id, validators=[DataRequired()])
    assignment_id = SelectField(
        _l("Lesson from the timetable"), coerce=_optional_id, validators=[Optional()],
        description=_l("Choosing a lesson fills in the teacher, class and subject."))
    teacher_id = SelectField(_l("Teacher"), coerce=_optional_id, validators=[Optional()])
    class_id = SelectField(_l("Class"), coerce=_optional_id, validators=[Optional()])
    subject_id = SelectField(_l("Subject"), coerce=_optional_id, validators=[Optional()])
    observed_on = DateField(_l("Date"), validators=[DataRequired()])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=300)])
    purpose = SelectField(_l("Purpose"), validators=[DataRequired()])
    # A joint observation: the colleague's observation of the same lesson (?joint=ID).
    joint_with_id = HiddenField()


class ChecklistForm(SapatForm):
    """The CSRF token; `checklist_form` adds the protocol's fields."""


def checklist_form(spec, lang: str):
    """The checklist of a protocol as a form class: per criterion its score (levels, and
    "not applicable" where allowed) and note, the checks, numbers and texts; a draft, so
    nothing is required (finishing checks the criteria)."""
    return build_form(spec, lang=lang, base=ChecklistForm, names=CHECKLIST, partial=True)


class AmendForm(SapatForm):
    reason = TextAreaField(_l("Reason for the amendment"), validators=[DataRequired(), Length(max=2000)])


class AcknowledgeForm(SapatForm):
    comment = TextAreaField(_l("Your comment (optional)"), validators=[Optional(), Length(max=4000)])


class PlanForm(SapatForm):
    """Plan fields are named plan-<observer id> and read in the view."""


def fill_start_choices(form: StartObservationForm, school_id: int, year) -> None:
    """The start form's choices: protocols, the year's teaching assignments, teachers, classes,
    subjects and purposes of the school, in the page's language."""
    # The lesson protocol first, so that it is the one chosen: most observations are of lessons.
    form.instrument_id.choices = [(i.id, pick_text(protocol_of(i).title))
                                  for i in sorted(protocols(), key=lambda i: i.key != "lesson_observation")]
    form.assignment_id.choices = [("", "—")] + [
        (a.id, f"{a.teacher.full_name} · {a.class_group.name} · {localized_name(a.subject)}")
        for a in (svc.assignments(school_id, year.id) if year else [])]
    form.teacher_id.choices = [("", "—")] + [(u.id, u.full_name) for u in svc.teacher_choices(school_id)]
    form.class_id.choices = [("", "—")] + [(c.id, c.name) for c in
                                          (school_service.classes_of_year(school_id, year.id) if year else [])]
    form.subject_id.choices = [("", "—")] + [
        (s.id, localized_name(s)) for s in db.session.scalars(scoped(Subject).order_by(Subject.name))]
    form.purpose.choices = [(p, str(labels.PURPOSE_LABELS[p])) for p in PURPOSES]
