"""Security rows of the marks: the fixture's control work in 7-А maths, Q1 (the teacher's
class and subject)."""
from collections.abc import Mapping
from datetime import date

from app.extensions import db
from app.models import ControlWorkAnalysis, Mark, ParentContact, SupportAction, SupportPlan, SupportStep, WarningRule
from tests.factories import SchoolFixture
from tests.factories.achievement import make_assessment, make_tasks
from tests.security import Canary, FuzzForm, Tables, kept, kept_id
from tests.security.core import scope


def assessment(s: SchoolFixture):
    """A control work with marks in 7-А maths, Q1 (the teacher's class), made on first use."""
    return kept(s, "assessment", lambda s: make_assessment(s, marks=(5, 4, 3, 2, 4, "н"), kind="control",
                                                           on=date(2026, 10, 15), topic="Fractions"))


def work_tasks(s: SchoolFixture):
    """Three tasks (max 2, 3, 1) of the fixture's control work, with points of two students."""
    return kept(s, "work_tasks", lambda s: make_tasks(assessment(s), points=((2, 1), (3, 0), (1, 1))))


class _PointsFields(Mapping):
    """The points grid's cells p-<task id>-<student id> of the school whose URL was built last."""

    def _names(self):
        s = _LAST_GRID_SCHOOL.get("school")
        if s is None:
            return ["p-task-student"]
        return [f"p-{t.id}-{st.id}" for t in work_tasks(s) for st in s.students[s.classes[0].id][:2]]

    def __getitem__(self, name):
        if name not in self._names():
            raise KeyError(name)
        return "choice:0,1,2,3,4,-1,1.5,x,н,"

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


def _work_url_args(s: SchoolFixture) -> dict:
    _LAST_GRID_SCHOOL["school"] = s
    work_tasks(s)
    return {"assessment_id": assessment(s).id}


class _GridFields(Mapping):
    """The marks grid's cells are named m-<assessment id>-<student id>: the field names
    are those of the school whose URL arguments were built last (the fuzz tests build the
    URL before they read the fields); a placeholder before that (for the test ids)."""

    def __init__(self, kind: str, students: int = 3):
        self.kind, self.students = kind, students

    def _names(self):
        s = _LAST_GRID_SCHOOL.get("school")
        if s is None:
            return ["m-assessment-student"]
        a = assessment(s)
        return [f"m-{a.id}-{st.id}" for st in s.students[s.classes[0].id][:self.students]]

    def __getitem__(self, name):
        if name not in self._names():
            raise KeyError(name)
        return self.kind

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


_LAST_GRID_SCHOOL: dict = {}


def _grid_url_args(s: SchoolFixture) -> dict:
    _LAST_GRID_SCHOOL["school"] = s
    assessment(s)
    return {"class_id": s.classes[0].id, "subject_id": s.subjects[0].id, "term": s.terms[0].id}


def support_plan(s: SchoolFixture) -> SupportPlan:
    """A support plan of 7-А's first student in Q1 (the class teacher's class) with a step,
    made on first use."""
    return kept(s, "support_plan", _make_plan)


def _make_plan(s: SchoolFixture) -> SupportPlan:
    student = s.students[s.classes[0].id][0]
    plan = SupportPlan(school_id=s.school.id, student_id=student.id, term_id=s.terms[0].id, status="open",
                       reasons="Математика: 2 marks of 2 in control works", created_by_id=s.users["class_teacher"].id)
    db.session.add(plan)
    db.session.flush()
    db.session.add(SupportStep(school_id=s.school.id, plan_id=plan.id, what="Extra lessons", due_on=date(2026, 10, 20),
                               responsible_id=s.users["teacher"].id))
    db.session.commit()
    return plan


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """The topic of a control work, a class teacher's support action for a student, and a
    support plan's reasons, outcome, step and contact with parents."""
    """The topic of a control work and of its first task, the teacher's analysis of it, and a
    class teacher's support action for a student."""
    script, img, js = payloads
    assessment(school).topic = f"Fractions {script} {img}"
    work_tasks(school)[0].topic = f"Equations {script} {img}"
    db.session.add(ControlWorkAnalysis(school_id=school.school.id, assessment_id=assessment(school).id,
                                       analysis=f"Task 2 failed {script}", correction=f"Revise {img}",
                                       created_by_id=school.users["teacher"].id))
    student = school.students[school.classes[0].id][3]
    db.session.add(SupportAction(school_id=school.school.id, student_id=student.id, term_id=school.terms[0].id,
                                 action=f"Extra lessons {script}", parents_informed=True, contact_note=img,
                                 created_by_id=school.users["class_teacher"].id))
    plan = SupportPlan(school_id=school.school.id, student_id=student.id, term_id=school.terms[1].id, status="open",
                       reasons=f"Reason {script}", outcome=f"Outcome {img}")
    db.session.add(plan)
    db.session.flush()
    db.session.add(SupportStep(school_id=school.school.id, plan_id=plan.id, what=f"Step {script}",
                               due_on=date(2026, 12, 1)))
    db.session.add(ParentContact(school_id=school.school.id, plan_id=plan.id, held_on=date(2026, 12, 2),
                                 form="phone", outcome=f"Contact {img} {js}"))
    if not db.session.query(WarningRule).filter_by(school_id=school.school.id).count():
        db.session.add(WarningRule(school_id=school.school.id, low_marks=2, mean_below=3.0, last_n=5, drop_by=1.0))


# --- the scope matrix: marks in and out of each role's scope -------------------------------

def _term_marks(s, cls, subject, values):
    for term in s.terms[:2]:  # Q1 and Q2 (today's default term): dynamics, falls, at-risk
        make_assessment(s, cls, subject, term, [values] * len(s.students[cls.id]))


def scope_world(s: SchoolFixture) -> None:
    """Marks everyone's pages start from: the teacher's maths in 7-А (5), the MO head's physics
    in both classes (4), an external ORT in 7-А maths, and the teacher's control work."""
    scope(s)
    c7, c8 = s.classes
    _term_marks(s, c7, s.subjects[0], 5)
    _term_marks(s, c7, s.subjects[1], 4)
    _term_marks(s, c8, s.subjects[1], 4)
    make_assessment(s, c7, s.subjects[0], s.terms[1], [60.0, 70.0, 80.0, 90.0, 50.0, 40.0], kind="ort",
                    on=date(2026, 12, 1), max_score=100.0)
    assessment(s)


def _history_in(index: int, topic: str):
    def seed(s: SchoolFixture) -> None:
        cls, history = s.classes[index], scope(s)["history"]
        _term_marks(s, cls, history, 2)
        make_assessment(s, cls, history, s.terms[0], [3] * 6, kind="control", on=date(2026, 10, 20), topic=topic)
        make_assessment(s, cls, history, s.terms[1], [10.0] * 6, kind="ort", on=date(2026, 12, 1), max_score=100.0)
    return seed


def _maths_8b(s: SchoolFixture) -> None:
    """teacher2's maths in 8-Б (3), and a 7-А student's maths term mark from 8-Б, given before
    the student moved to 7-А (2): outside the 7-А maths teacher's and class teacher's scope,
    even on the pages about that student."""
    c7, c8 = s.classes
    moved = make_assessment(s, c8, s.subjects[0], s.terms[0], [3] * 6)
    make_assessment(s, c8, s.subjects[0], s.terms[1], [3] * 6)
    db.session.add(Mark(school_id=s.school.id, assessment_id=moved.id, student_id=s.students[c7.id][0].id, value=2))
    db.session.commit()


def _student_page(index: int):
    return lambda s: ("admin", [f"/achievement/student/{s.students[s.classes[index].id][0].id}"])


CANARIES = [
    Canary("history marks in 7-А", frozenset({"teacher", "mo_head", "psychologist"}), _history_in(0, "Canary 7A test"),
           _student_page(0), markers=("Canary 7A test",)),
    Canary("history marks in 8-Б", frozenset({"teacher", "class_teacher", "mo_head", "psychologist"}),
           _history_in(1, "Canary 8B test"), _student_page(1), markers=("Canary 8B test",)),
    Canary("maths marks in 8-Б", frozenset({"teacher", "class_teacher", "psychologist"}), _maths_8b,
           lambda s: ("admin", [f"/achievement/student/{s.students[s.classes[0].id][0].id}"])),
]


TABLES = Tables(
    url_args_by_name={
        "assessment_id": lambda s: kept_id(s, "assessment", assessment),
        "plan_id": lambda s: kept_id(s, "support_plan", support_plan),
        "step_id": lambda s: kept_id(s, "support_step", lambda s: support_plan(s).steps[0]),
    },
    url_args_by_endpoint={
        # The marks grid of the term holding the fixture's control work (the default term
        # depends on today's date).
        "achievement.grid": lambda s: {"term": s.terms[0].id},
        "achievement.new_assessment": lambda s: {"term": s.terms[0].id},
        # The class journal of the teacher's maths in 7-А, Q1.
        "achievement.journal": lambda s: {"lesson": f"{s.classes[0].id}-{s.subjects[0].id}", "term": s.terms[0].id},
        "achievement.journal_template": lambda s: {"lesson": f"{s.classes[0].id}-{s.subjects[0].id}",
                                                   "term": s.terms[0].id},
        # A plan is opened for a student in a term (7-А's first student, the class teacher's class).
        "support.open_plan": lambda s: {"student_id": s.students[s.classes[0].id][0].id, "term": s.terms[0].id},
        "support.warnings": lambda s: {"term": s.terms[1].id},
        # The quarter report of Q1 (the fixture's control work), the school's and 7-А's.
        "quarter.report": lambda s: {"term": s.terms[0].id},
        "quarter.docx": lambda s: {"term": s.terms[0].id, "class_id": s.classes[0].id},
        "quarter.issue": lambda s: {"term": s.terms[0].id},
    },
    overrides={
        # The teacher of the class and subject (or the director / deputy) enters marks; the
        # fixture's grid is `teacher`'s maths in 7-А.
        "achievement.grid": {"mo_head": 403, "class_teacher": 403},
        "achievement.new_assessment": {"mo_head": 403, "class_teacher": 403},
        "achievement.journal": {"mo_head": 403, "class_teacher": 403},
        "achievement.journal_template": {"mo_head": 403, "class_teacher": 403},
        # A control work's tasks: those who see its results read them; its teacher (or the
        # director / deputy) changes them.
        "tasks.define": {"mo_head": 403, "class_teacher": 403, "expert": 403},
        "tasks.points": {"mo_head": 403, "class_teacher": 403, "expert": 403},
        "tasks.record_analysis": {"mo_head": 403, "class_teacher": 403, "expert": 403},
    },
    fuzz_forms=[
        # The grid (a teacher's own class and subject), a new column.
        FuzzForm("achievement.grid", "teacher", _GridFields("choice:5,4,3,2,1,н,Н,0,6,4.5,x,"),
                 url_args=_grid_url_args, max_examples=15),
        FuzzForm("achievement.grid", "teacher", _GridFields("text", students=2), url_args=_grid_url_args,
                 max_examples=10),
        FuzzForm("achievement.new_assessment", "teacher", {
            "kind": "choice:control,test,term,ort,x", "date": "date", "topic": "text", "max_score": "int"},
            url_args=lambda s: {"class_id": s.classes[0].id, "subject_id": s.subjects[0].id, "term": s.terms[0].id},
            max_examples=15),
        FuzzForm("support.rules", "deputy", {"low_marks": "int", "mean_below": "text", "last_n": "int",
                                             "drop_by": "text"}, max_examples=15),
        FuzzForm("support.plan", "class_teacher", {"status": "choice:open,closed,cancelled,x", "outcome": "text"},
                 url_args=lambda s: {"plan_id": support_plan(s).id}, max_examples=10),
        FuzzForm("support.add_step", "class_teacher", {
            "step-what": "text", "step-due_on": "date", "step-responsible_id": "id:user_id"},
            url_args=lambda s: {"plan_id": support_plan(s).id}, max_examples=10),
        FuzzForm("support.add_contact", "class_teacher", {
            "contact-held_on": "date", "contact-form": "choice:meeting,phone,message,visit,x", "contact-outcome": "text"},
            url_args=lambda s: {"plan_id": support_plan(s).id}, max_examples=10),
        FuzzForm("tasks.define", "teacher", {"tasks": "text"}, url_args=_work_url_args, max_examples=15),
        FuzzForm("tasks.points", "teacher", _PointsFields(), url_args=_work_url_args, max_examples=15),
        FuzzForm("tasks.record_analysis", "teacher", {"analysis": "text", "correction": "text", "due_on": "date"},
                 url_args=_work_url_args, max_examples=10),
        FuzzForm("quarter.issue", "admin", {"number": "text", "issued_on": "date"},
                 url_args=lambda s: {"term": s.terms[0].id}, max_examples=8),
    ],
    csrf_sample_data={
        "achievement.grid": lambda s: {f"m-{assessment(s).id}-{st.id}": "2" for st in s.students[s.classes[0].id][:5]},
        "achievement.new_assessment": lambda s: {"kind": "test", "date": "2026-10-20", "topic": "Csrf"},
        "achievement.record_action": lambda s: {f"s{s.students[s.classes[0].id][0].id}-action": "Csrf"},
        "support.rules": lambda s: {"low_marks": "3", "mean_below": "2.5", "last_n": "4", "drop_by": "1"},
        "support.plan": lambda s: {"status": "closed", "outcome": "Csrf"},
        "support.add_step": lambda s: {"step-what": "Csrf", "step-due_on": "2026-12-01", "step-responsible_id": ""},
        "support.add_contact": lambda s: {"contact-held_on": "2026-12-01", "contact-form": "phone",
                                          "contact-outcome": "Csrf"},
        "support.step_done": lambda s: {},
        "support.open_plan": lambda s: {},
        "tasks.define": lambda s: {"tasks": "2; Csrf\n3"},
        "tasks.points": lambda s: {f"p-{work_tasks(s)[0].id}-{s.students[s.classes[0].id][2].id}": "1"},
        "tasks.record_analysis": lambda s: {"analysis": "Csrf", "correction": "Csrf", "due_on": "2026-11-30"},
        "quarter.issue": lambda s: {"number": "Csrf", "issued_on": "2026-12-28"},
    },
    seed_xss=seed_xss,
    seed_backup=seed_xss,
    scope_world=scope_world,
    canaries=CANARIES,
)
