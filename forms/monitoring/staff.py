"""Forms of the staff records and of the register of programme documents (000 §2.5, §2.7).
Choices of teachers and subjects are filled by the view from the current school."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.services.monitoring.labels import CATEGORY_LABELS, EDUCATION_LABELS, PROGRAMME_KIND_LABELS
from forms.base import SapatForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class StaffRecordForm(SapatForm):
    user_id = SelectField(_l("Teacher"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Qualification category"), choices=list(CATEGORY_LABELS.items()))
    education = SelectField(_l("Education"), choices=list(EDUCATION_LABELS.items()))
    teaching_since = IntegerField(_l("Pedagogical work since (year)"),
                                  validators=[Optional(), NumberRange(min=1940, max=2100)],
                                  description=_l("Teaching experience is counted from this year."))
    last_attestation_on = DateField(_l("Last attestation"), validators=[Optional()])
    next_attestation_on = DateField(_l("Next attestation due"), validators=[Optional()])
    hired_on = DateField(_l("Hired on"), validators=[Optional()])
    left_on = DateField(_l("Left on"), validators=[Optional()], description=_l("Empty while the teacher works here."))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def validate_left_on(self, field):
        if field.data and self.hired_on.data and field.data < self.hired_on.data:
            raise ValidationError(_l("A teacher cannot leave before being hired."))

    def validate_next_attestation_on(self, field):
        if field.data and self.last_attestation_on.data and field.data <= self.last_attestation_on.data:
            raise ValidationError(_l("The next attestation comes after the last one."))


class ProgrammeDocumentForm(SapatForm):
    kind = SelectField(_l("Kind"), choices=list(PROGRAMME_KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    subject_id = SelectField(_l("Subject"), coerce=_optional_int, description=_l("For a work programme."))
    grade = IntegerField(_l("Grade"), validators=[Optional(), NumberRange(min=1, max=11)])
    approved_on = DateField(_l("Approved on"), validators=[DataRequired()])
    approved_by = StringField(_l("Approved by"), validators=[DataRequired(), Length(max=200)],
                              description=_l("For example: the director's order No. 12, the pedagogical council"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def validate_subject_id(self, field):
        if self.kind.data == "work" and not field.data:
            raise ValidationError(_l("A work programme is for a subject: choose it."))
