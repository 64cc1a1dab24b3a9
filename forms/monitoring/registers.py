"""Forms of the continuous-monitoring registers. Choices of people, classes and subjects
are filled by the view from the current school."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.services.monitoring.labels import (
    CLUB_KIND_LABELS,
    INCIDENT_LABELS,
    LEVEL_LABELS,
    RESULT_LABELS,
    STUDENT_KIND_LABELS,
    SUPPORT_STATUS_LABELS,
    TEACHER_KIND_LABELS,
)
from forms.base import SapatForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _blank(labels):
    return [("", "—")] + list(labels.items())


class _Dated(SapatForm):
    on_date = DateField(_l("Date"), validators=[DataRequired()])


class TeacherAchievementForm(_Dated):
    teacher_id = SelectField(_l("Teacher"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=list(TEACHER_KIND_LABELS.items()))
    level = SelectField(_l("Level"), choices=_blank(LEVEL_LABELS), coerce=lambda v: v or None)
    result = SelectField(_l("Result"), choices=_blank(RESULT_LABELS), coerce=lambda v: v or None,
                         description=_l("For competitions."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)])


class StudentAchievementForm(_Dated):
    student_id = SelectField(_l("Student"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=list(STUDENT_KIND_LABELS.items()))
    subject_id = SelectField(_l("Subject"), coerce=_optional_int)
    level = SelectField(_l("Level"), choices=list(LEVEL_LABELS.items()))
    result = SelectField(_l("Result"), choices=list(RESULT_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    mentor_id = SelectField(_l("Mentor"), coerce=_optional_int)


class IncidentForm(_Dated):
    kind = SelectField(_l("Kind"), choices=list(INCIDENT_LABELS.items()))
    class_id = SelectField(_l("Class"), coerce=_optional_int)
    description = StringField(_l("What happened"), validators=[DataRequired(), Length(max=500)],
                              description=_l("Do not write the student's name: the class is enough."))
    measures = TextAreaField(_l("Measures taken"), validators=[Optional(), Length(max=2000)])


class ClassroomForm(SapatForm):
    name = StringField(_l("Classroom"), validators=[DataRequired(), Length(max=120)])
    subject_id = SelectField(_l("Subject"), coerce=_optional_int)
    equipment_percent = IntegerField(_l("Equipment completeness, %"),
                                     validators=[InputRequired(), NumberRange(min=0, max=100)], default=0)
    ict_units = IntegerField(_l("ICT units (computers, projectors, interactive boards)"),
                             validators=[InputRequired(), NumberRange(min=0, max=1000)], default=0)
    meets_requirements = BooleanField(_l("Meets the minimum requirements"))
    methodical_materials = BooleanField(_l("Has methodical materials"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class TextbookForm(SapatForm):
    grade = IntegerField(_l("Grade"), validators=[InputRequired(), NumberRange(min=1, max=11)])
    subject_id = SelectField(_l("Subject"), coerce=int, validators=[DataRequired()])
    needed = IntegerField(_l("Textbooks needed"), validators=[InputRequired(), NumberRange(min=0, max=100000)])
    available = IntegerField(_l("Textbooks available"), validators=[InputRequired(), NumberRange(min=0, max=100000)])

    def validate_available(self, field):
        """A typing slip: far more textbooks available than needed (over 3 × needed + 50)."""
        if self.needed.data is not None and field.data is not None and field.data > self.needed.data * 3 + 50:
            raise ValidationError(_l("The number available looks wrong: check it against the number needed."))


class ClubForm(SapatForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(CLUB_KIND_LABELS.items()))
    leader = StringField(_l("Leader"), validators=[Optional(), Length(max=200)])
    grades = StringField(_l("Grades"), validators=[Optional(), Length(max=40)], description=_l("For example 5-7"))
    enrolled = IntegerField(_l("Students enrolled"), validators=[InputRequired(), NumberRange(min=0, max=5000)])
    member_ids = SelectMultipleField(_l("Students of the club"), coerce=int, validators=[Optional()],
                                     description=_l("A student in several clubs counts once in the coverage."))


class SelfGovernmentForm(_Dated):
    body = StringField(_l("Body"), validators=[DataRequired(), Length(max=200)],
                       description=_l("Student council, children's organisation, class asset ..."))
    title = StringField(_l("Activity"), validators=[DataRequired(), Length(max=300)])
    participants = IntegerField(_l("Participants"), validators=[InputRequired(), NumberRange(min=0, max=5000)],
                                default=0)


class SupportCaseForm(SapatForm):
    student_id = SelectField(_l("Student"), coerce=int, validators=[DataRequired()])
    opened_on = DateField(_l("Opened on"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    status = SelectField(_l("Status"), choices=list(SUPPORT_STATUS_LABELS.items()))
    closed_on = DateField(_l("Closed on"), validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.status.data == "closed" and not self.closed_on.data and not self.closed_on.errors:
            self.closed_on.errors = list(self.closed_on.errors) + [_l("Enter the date the case was closed.")]
            return False
        return ok

    def validate_closed_on(self, field):
        if field.data and self.opened_on.data and field.data < self.opened_on.data:
            raise ValidationError(_l("The case cannot close before it opened."))
