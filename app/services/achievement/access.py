"""Who may see and enter what of learning results: the achievement domain's one access rule.

`visible` is the rule itself, as a SQL condition on (class, subject) columns; every query of
results (metrics, summaries, dynamics, a student's page, students at risk, the comparison with
external results, their workbooks) applies it, and the other answers here derive from it or
from the same roles: whose marks a user may enter or import, which students' pages and which
classes' students at risk they may open.
"""
from typing import Optional

from sqlalchemy import exists, false, func, or_, select, true
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import ClassGroup, Enrollment, MethodicalAssociation, Subject, TeachingAssignment
from app.security import Principal
from app.services.core import school as school_service

# The director and the deputy enter and import marks of any class and subject; others only
# those of the classes and subjects they teach.
ANY_MARKS = ("admin", "deputy")
# Who records support actions for students at risk (of the classes risk_classes gives them).
SUPPORT_RECORDERS = ("admin", "deputy", "class_teacher")
# Who reads the students at risk (of the classes risk_classes gives them).
RISK_READERS = ("admin", "deputy", "class_teacher", "expert")


def visible(principal: Principal, class_col, subject_col):
    """What a principal may see of learning results, as a SQL condition on (class id, subject
    id) columns: the whole school (director, deputy, expert), or the union of their own classes
    (class teacher), their own class x subject pairs (teacher) and the subjects of the
    methodical association they head (MO head)."""
    if principal.everything:
        return true()
    conditions = []
    if principal.has_role("teacher"):
        ta = aliased(TeachingAssignment)
        conditions.append(exists(select(ta.id).where(
            ta.teacher_id == principal.user_id, ta.class_id == class_col, ta.subject_id == subject_col)))
    if principal.has_role("class_teacher"):
        conditions.append(class_col.in_(select(ClassGroup.id).where(ClassGroup.class_teacher_id == principal.user_id)))
    if principal.has_role("mo_head"):
        conditions.append(subject_col.in_(
            select(Subject.id).join(MethodicalAssociation, Subject.ma_id == MethodicalAssociation.id)
            .where(MethodicalAssociation.head_id == principal.user_id)))
    return or_(*conditions) if conditions else false()


def visible_pairs(principal: Principal, year_id: int) -> list[tuple[int, int]]:
    """(class id, subject id) pairs of the year's teaching assignments the principal may see."""
    return [(r[0], r[1]) for r in db.session.execute(
        select(TeachingAssignment.class_id, TeachingAssignment.subject_id, ClassGroup.grade, ClassGroup.letter)
        .distinct()
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.school_id == principal.school_id, TeachingAssignment.year_id == year_id,
               visible(principal, TeachingAssignment.class_id, TeachingAssignment.subject_id))
        .order_by(ClassGroup.grade, ClassGroup.letter, TeachingAssignment.subject_id)
    )]


def grid_pairs(principal: Principal, year_id: int) -> list[tuple[int, int]]:
    """The "Enter marks" buttons of the results page: (class id, subject id) pairs of the
    principal's own lessons and own class (`own_lessons`) whose marks grid they may open
    (`may_enter_marks`); a class teacher sees their class's other subjects' results, not
    buttons to grids that would refuse them."""
    return [(c, s) for c, s in visible_pairs(own_lessons(principal), year_id)
            if may_enter_marks(principal, c, s)]


def own_lessons(principal: Principal) -> Principal:
    """The principal as the teacher of their own lessons (a director may teach too) and the
    class teacher of their own class: "my classes" of the results page."""
    return Principal(principal.school_id, principal.user_id,
                     frozenset({"teacher"}) | principal.roles.intersection({"class_teacher"}))


def student_view(principal: Principal) -> Principal:
    """The principal as a student's page sees them: the whole-school roles as they are, anyone
    else as the teacher and class teacher they are (an MO head sees the association's results
    by class, not the pupils of other teachers). The page's gate (`may_see_student`) and every
    figure on it (`analysis.student_trajectory`) apply `visible` to this principal, so a
    teacher of Algebra sees the student's Algebra, and a class teacher their class's subjects."""
    return principal if principal.everything else principal.only("teacher", "class_teacher")


def may_see_student(principal: Principal, student_id: int) -> bool:
    """A student's marks page: for the whole-school roles, and for those who see the results
    of one of the student's classes as its teacher or its class teacher (`visible` for
    `student_view(principal)`)."""
    if principal.everything:
        return True
    own = student_view(principal)
    found = db.session.scalar(
        select(Enrollment.id)
        .outerjoin(TeachingAssignment, TeachingAssignment.class_id == Enrollment.class_id)
        .where(Enrollment.student_id == student_id, Enrollment.school_id == principal.school_id,
               visible(own, Enrollment.class_id, TeachingAssignment.subject_id))
        .limit(1))
    return found is not None


def may_enter_marks(principal: Principal, class_id: int, subject_id: int) -> bool:
    """The teacher of that class and subject, or the director / deputy, may enter marks."""
    if principal.has_role(*ANY_MARKS):
        return True
    return bool(db.session.scalar(select(func.count(TeachingAssignment.id)).where(
        TeachingAssignment.teacher_id == principal.user_id, TeachingAssignment.class_id == class_id,
        TeachingAssignment.subject_id == subject_id)))


def import_pairs(principal: Principal, year_id: int) -> list[tuple[int, int]]:
    """The (class id, subject id) pairs whose class journal the principal may import: those
    of the year's lessons they see and may enter marks of (every lesson for the director and
    the deputy, their own lessons for a teacher)."""
    return [(c, s) for c, s in visible_pairs(principal, year_id) if may_enter_marks(principal, c, s)]


def may_open_any_grid(principal: Principal) -> bool:
    return principal.has_role(*ANY_MARKS)


def importing_teacher(principal: Principal) -> Optional[int]:
    """Whose marks an upload may carry: anyone's for the director and the deputy (None), else
    only the uploading teacher's own classes and subjects (their user id)."""
    return None if principal.has_role(*ANY_MARKS) else principal.user_id


def risk_classes(principal: Principal, year_id: int) -> list[ClassGroup]:
    """The classes whose students at risk the principal sees: all of the year's for the
    whole-school roles, else the classes they lead."""
    if principal.everything:
        return school_service.classes_of_year(principal.school_id, year_id)
    return school_service.classes_of_class_teacher(principal.user_id, year_id)


def may_act_for_student(principal: Principal, student_id: int, year_id: int) -> bool:
    """A support action may be recorded for a student of one of the principal's risk classes."""
    allowed = [c.id for c in risk_classes(principal, year_id)]
    return bool(allowed) and db.session.scalar(select(Enrollment.id).where(
        Enrollment.student_id == student_id, Enrollment.class_id.in_(allowed)).limit(1)) is not None


# Early warning and support plans: who reads the flagged lists and plans (the school for the
# director and deputies, their class for a class teacher, their own class x subject pairs for a
# teacher: `visible`), and who opens and keeps a plan (SUPPORT_RECORDERS, for the students of
# the classes `risk_classes` gives them).
WARNING_READERS = ("admin", "deputy", "class_teacher", "teacher")
RULE_SETTERS = ("admin", "deputy")


def may_see_plan(principal: Principal, student_id: int) -> bool:
    """A student's support plans: for those who see the student's marks as a whole-school
    reader, their class teacher or one of their teachers (`may_see_student`)."""
    return principal.has_role(*WARNING_READERS) and may_see_student(principal, student_id)


def may_keep_plan(principal: Principal, student_id: int, year_id: int) -> bool:
    """Open a plan, add its steps and contacts, set its status and outcome."""
    return principal.has_role(*SUPPORT_RECORDERS) and may_act_for_student(principal, student_id, year_id)
# Report cards for parents: printed by the class teacher for their class, by the
# administration for any class.
CARD_PRINTERS = ("admin", "deputy", "class_teacher")


def may_print_cards(principal: Principal, cls: ClassGroup) -> bool:
    """The director and the deputies print any class's report cards; a class teacher their own class's."""
    return principal.has_role("admin", "deputy") or (
        principal.has_role("class_teacher") and cls.class_teacher_id == principal.user_id)
