"""Report cards for parents (issue 19 part 4): a student's marks and their dynamics beside the
class's means, one A4 page each, printed by the class teacher for their class and by the
administration for any class. Its own blueprint, under the learning results' addresses."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.models import ClassGroup, Student
from app.security import current_principal, get_scoped_or_404, requested_year, role_required, school_years
from app.services.achievement import access
from app.services.achievement import cards as report_cards
from app.services.core import school as school_service
from app.services.monitoring.labels import LEVEL_LABELS, RESULT_LABELS, STUDENT_KIND_LABELS

bp = Blueprint("cards", __name__, url_prefix="/achievement")


def _printable_class(cls: ClassGroup) -> ClassGroup:
    if not access.may_print_cards(current_principal(), cls):
        abort(403)
    return cls


@bp.route("/cards")
@role_required(*access.CARD_PRINTERS)
def index():
    """The classes whose report cards the user prints (a class teacher: their own), with their students."""
    year = requested_year()
    classes = [c for c in school_service.classes_of_year(current_user.school_id, year.id)
               if access.may_print_cards(current_principal(), c)]
    return render_template("achievement/cards_index.html", year=year, years=school_years(),
                           classes=[(c, school_service.students_of_class(c.id)) for c in classes])


@bp.route("/cards/<int:class_id>")
@role_required(*access.CARD_PRINTERS)
def class_cards(class_id):
    """Every student's report card of a class, one A4 page each."""
    cls = _printable_class(get_scoped_or_404(ClassGroup, class_id))
    return _card_page(cls, report_cards.class_cards(current_principal(), cls))


@bp.route("/card/<int:student_id>")
@role_required(*access.CARD_PRINTERS)
def card(student_id):
    """One student's report card of ?year_id (the current year by default), in their class of that year."""
    pupil = get_scoped_or_404(Student, student_id)
    year = requested_year()
    cls = report_cards.class_of(pupil.id, year.id)
    if cls is None:
        abort(404)
    _printable_class(cls)
    return _card_page(cls, [report_cards.card(current_principal(), pupil, cls, year)])


def _card_page(cls: ClassGroup, found: list):
    return render_template("achievement/cards.html", cls=cls, cards=found, school=current_user.school,
                           min_group=report_cards.MIN_GROUP,
                           level_labels=LEVEL_LABELS, result_labels=RESULT_LABELS, kind_labels=STUDENT_KIND_LABELS)
