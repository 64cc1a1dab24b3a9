"""Demo marks: this year's term marks of the quarters ended by `ctx.today` and its control works
dated up to then; last year's four quarters of term marks and its grade 11's ORT results (this
year's ORT comes only once the year has ended). Bulk inserts (COPY on PostgreSQL) keep the large and
district demos fast."""
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import insert, select

from app.extensions import db
from app.models import Assessment, AssessmentTask, Enrollment, Mark, TaskScore, TeachingAssignment, Term
from app.services.achievement.tasks import save_analysis
from app.services.core.bulk import bulk_insert
from app.services.core.demo import DemoContext

CHUNK = 20_000
ORT_SUBJECTS = ("algebra", "kyrgyz", "russian")


def _clamp(x: float) -> int:
    return max(1, min(5, int(round(x))))


def demo_marks(ctx: DemoContext) -> None:
    rng = ctx.rng
    school_id = ctx.school.id
    ability: dict[int, float] = {}
    flair: dict[tuple[int, int], float] = {}
    assessments = []
    plan = []  # (key, kind, student ids)
    for year in ctx.years:
        quarters = sorted((t for t in ctx.terms[year.id] if t.kind == "quarter"), key=lambda t: t.number)
        students: dict[int, list[int]] = {}
        for student_id, class_id in db.session.execute(select(Enrollment.student_id, Enrollment.class_id).where(
                Enrollment.school_id == school_id, Enrollment.year_id == year.id)):
            students.setdefault(class_id, []).append(student_id)
        pairs = db.session.execute(select(TeachingAssignment.class_id, TeachingAssignment.subject_id).distinct().where(
            TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year.id)).all()
        current = year is ctx.current_year
        for class_id, subject_id in sorted(pairs):
            for term in quarters:
                kinds = [("term", term.ends_on)]
                if current:
                    kinds.insert(0, ("control", term.ends_on - timedelta(days=12)))
                for kind, on in kinds:
                    if on > ctx.today:  # a term mark on the term's last day, a work on its date
                        continue
                    assessments.append({"school_id": school_id, "term_id": term.id, "class_id": class_id,
                                        "subject_id": subject_id, "kind": kind, "date": on,
                                        "topic": "Чейректик текшерүү иши" if kind == "control" else None})
                    plan.append(((class_id, subject_id, term.id, kind), kind, term.number, students.get(class_id, [])))
        # ORT: grade 11 in the last quarter, once the year has ended (last year's; this year's in June).
        if year.ends_on > ctx.today:
            continue
        q4 = quarters[-1]
        for cls in (c for c in ctx.classes[year.id] if c.grade == 11):
            for key in ORT_SUBJECTS:
                subject = ctx.subjects.get(key)
                if subject is None:
                    continue
                assessments.append({"school_id": school_id, "term_id": q4.id, "class_id": cls.id,
                                    "subject_id": subject.id, "kind": "ort", "date": q4.ends_on - timedelta(days=5),
                                    "topic": "ЖРТ / ОРТ", "max_score": 245.0})
                plan.append(((cls.id, subject.id, q4.id, "ort"), "ort", 4, students.get(cls.id, [])))
    for start in range(0, len(assessments), CHUNK):
        db.session.execute(insert(Assessment), assessments[start:start + CHUNK])
    ids = {(c, s, t, k): i for i, c, s, t, k in db.session.execute(
        select(Assessment.id, Assessment.class_id, Assessment.subject_id, Assessment.term_id, Assessment.kind)
        .where(Assessment.school_id == school_id))}

    marks = []

    def flush():
        if marks:
            bulk_insert(Mark, marks)
            marks.clear()

    for key, kind, number, student_ids in plan:
        assessment_id = ids[key]
        subject_id = key[1]
        for student_id in student_ids:
            a = ability.get(student_id)
            if a is None:
                a = ability[student_id] = rng.gauss(3.75, 0.6)
            f = flair.get((student_id, subject_id))
            if f is None:
                f = flair[(student_id, subject_id)] = rng.gauss(0, 0.35)
            if kind == "ort":
                share = max(0.05, min(0.98, (a + f - 1.6) / 3.6 + rng.gauss(0, 0.08)))
                marks.append({"school_id": school_id, "assessment_id": assessment_id, "student_id": student_id,
                              "score": float(round(share * 245)), "absent": False})
            elif kind == "control" and rng.random() < 0.04:
                marks.append({"school_id": school_id, "assessment_id": assessment_id, "student_id": student_id,
                              "value": None, "absent": True})
            else:
                noise = rng.gauss(0, 0.55 if kind == "control" else 0.3)
                marks.append({"school_id": school_id, "assessment_id": assessment_id, "student_id": student_id,
                              "value": _clamp(a + f + noise + 0.05 * (number - 2.5)), "absent": False})
            if len(marks) >= CHUNK:
                flush()
    flush()


TASKS = ((1, "Бөлчөктөрдү кошуу"), (2, "Теңдемелер"), (2, "Текст маселеси"), (3, "Функциянын графиги"),
         (2, "Геометриялык маселе"))
DIFFICULTY = (-0.6, 0.1, 0.3, 0.7, 0.2)


def demo_tasks(ctx: DemoContext) -> None:
    """The demo teacher's control works of this year's first two quarters (those held by today) get five tasks each,
    with points per student in step with their mark, and the first one the teacher's analysis
    with its correction (a measure)."""
    teacher = ctx.staff.get("teacher")
    if teacher is None:
        return
    rng = ctx.rng
    works = list(db.session.scalars(
        select(Assessment).join(TeachingAssignment, (TeachingAssignment.class_id == Assessment.class_id)
                                & (TeachingAssignment.subject_id == Assessment.subject_id))
        .join(Term, Term.id == Assessment.term_id)
        .where(Assessment.school_id == ctx.school.id, Assessment.kind == "control", Term.number <= 2,
               Term.year_id == ctx.current_year.id, TeachingAssignment.teacher_id == teacher.id)
        .order_by(Assessment.date, Assessment.id)))
    for work in works:
        made = [AssessmentTask(school_id=ctx.school.id, assessment_id=work.id, number=n, max_points=top, topic=topic)
                for n, (top, topic) in enumerate(TASKS, start=1)]
        db.session.add_all(made)
        db.session.flush()
        scores = []
        for student_id, value in db.session.execute(select(Mark.student_id, Mark.value).where(
                Mark.assessment_id == work.id, Mark.value.is_not(None))):
            for task, hard in zip(made, DIFFICULTY):
                share = max(0.0, min(1.0, (value - 1.5) / 3.5 - hard * 0.4 + rng.gauss(0, 0.2)))
                scores.append({"school_id": ctx.school.id, "task_id": task.id, "student_id": student_id,
                               "points": float(round(share * task.max_points))})
        if scores:
            db.session.execute(insert(TaskScore), scores)
    if works:
        first = works[0]
        # The measure's "what exactly" is made from the work in the demo school's language, Kyrgyz,
        # as its teacher would have made it from a Kyrgyz page (the command line may speak English).
        with force_locale("ky"):
            save_analysis(first, user_id=teacher.id,
                          analysis="4-тапшырманы (функциянын графиги) окуучулардын көбү аткарган жок.",
                          correction="Функциянын графиги боюнча кайталоо сабагы жана кыска өз алдынча иш.",
                          due_on=first.term.ends_on + timedelta(days=21))
