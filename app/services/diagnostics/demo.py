"""Demo data of the diagnostics: for last year and this year, records of the shipped diagnostics
about the demo school's students, so that the computed indicators (adaptation, learning skills,
upbringing, health main group, continuing education, the gifted programme) show values and
dynamics in `make run`:

- adaptation of grades 1 and 5 (October), learning skills (УУД) and level of upbringing of every
  class (April), by the class teacher;
- health and physical-education groups of every student (September), by the school nurse;
- graduates' destinations of grades 9 and 11 (end of the year: last year's only, this year's
  graduates have not left yet); this year's other spring diagnostics are dated before today;
- the gifted-children programme: about one student in twelve of grades 3-11;
- a round of the grade-10 adaptation that the students of one tenth grade fill in themselves
  with personal codes (the school allows it): started by the psychologist, two in three of the
  students have answered, the round is still open.

Criteria are drawn around a per-student level that rises a little from last year to this year,
and the outcome a teacher would choose follows the points (`LEVELS`); the rows are inserted in
bulk (like the other domains' demo data) with the columns records.save would write.
"""
import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Diagnostic, DiagnosticAnswer, Enrollment
from app.security import Principal
from app.services.core.demo import weighted
from app.services.diagnostics import student_codes
from app.services.diagnostics.instruments import ensure_instruments, outcome_of
from app.services.observations import answers as stored

# instrument -> (share of the maximum points, outcome) from the top: the outcome of a record
# whose criteria reach that share.
LEVELS = {
    "adaptation_grade1": ((0.8, "high"), (0.5, "middle"), (0.3, "low"), (0.0, "maladapted")),
    "adaptation_grade5": ((0.8, "high"), (0.5, "middle"), (0.3, "low"), (0.0, "maladapted")),
    "learning_skills": ((0.8, "high"), (0.5, "middle"), (0.0, "low")),
    "upbringing_level": ((0.8, "high"), (0.6, "good"), (0.4, "middle"), (0.0, "low")),
}
PLACES = {"grade10": ["Ушул мектептин 10-классы", "10 класс нашей школы"],
          "college": ["Бишкек каржы-экономикалык колледжи", "Токмокский медицинский колледж"],
          "university": ["КУУ (Ж. Баласагын ат.)", "КРСУ им. Б. Н. Ельцина", "Ош мамлекеттик университети"],
          "work": ["Айыл чарба кооперативи", "Семейный бизнес"], "other": ["Армия", "Выехал за рубеж"]}


def _answers(spec, rng, grade: int, ability: float, teachers: list[str]) -> dict:
    """Answers of one record: criteria around `ability` (0-1), then the keyed single items."""
    answers: dict = {}
    points = maximum = 0
    for item in spec.items():
        if item.type == "criterion":
            low, high = stored.score_range(item)
            value = max(low, min(high, round(low + (high - low) * (ability + rng.gauss(0, 0.2)))))
            answers[item.key] = value
            points, maximum = points + value - low, maximum + high - low
    share = points / maximum if maximum else ability
    key = spec.key
    if key in LEVELS:
        answers["level"] = next(outcome for bound, outcome in LEVELS[key] if share >= bound)
    if key == "learning_skills":
        answers["band"] = "primary" if grade <= 4 else "basic" if grade <= 9 else "senior"
    elif key == "health_groups":
        answers["health_group"] = weighted(rng, ((0.3, "g1"), (0.5, "g2"), (0.17, "g3"), (0.03, "g4")))
        answers["pe_group"] = weighted(rng, ((0.72, "main"), (0.18, "preparatory"), (0.08, "special"),
                                              (0.02, "exempt")))
    elif key == "graduate_destinations":
        table = ((0.62, "grade10"), (0.28, "college"), (0.05, "work"), (0.05, "other")) if grade == 9 else \
            ((0.55, "university"), (0.25, "college"), (0.12, "work"), (0.08, "other"))
        answers["destination"] = weighted(rng, table)
        answers["place"] = rng.choice(PLACES[answers["destination"]])
    elif key == "gifted_programme":
        answers["area"] = rng.choice(["academic", "academic", "arts", "sport", "technical", "leadership"])
        answers["mentor"] = rng.choice(teachers)
        answers["result"] = weighted(rng, ((0.15, "winner"), (0.25, "prize"), (0.45, "participant"), (0.15, "none")))
    return answers


def _plan(grade: int, rng) -> list[tuple[str, int, int]]:
    """(instrument key, month, day) of the records a student of `grade` gets in a year."""
    plan = [("health_groups", 9, 20), ("upbringing_level", 4, 15), ("learning_skills", 4, 20)]
    if grade == 1:
        plan.append(("adaptation_grade1", 10, 25))
    if grade == 5:
        plan.append(("adaptation_grade5", 10, 25))
    if grade in (9, 11):
        plan.append(("graduate_destinations", 6, 20))
    if grade >= 3 and rng.random() < 1 / 12:
        plan.append(("gifted_programme", 5, 10))
    return plan


def _day(year, month: int, day: int) -> date:
    return date(year.starts_on.year if month >= 9 else year.ends_on.year, month, day)


def demo_diagnostics(ctx) -> None:
    rng = random.Random(f"diagnostics-{ctx.scale}")  # its own: the later steps' draws stay as they were
    school_id = ctx.school.id
    rows = ensure_instruments()
    today = ctx.today
    nurse = ctx.staff.get("nurse")
    deputy = ctx.staff.get("upbringing") or ctx.staff.get("deputy")
    teachers = [t.full_name for t in ctx.teachers[:12]] or ["—"]
    ability: dict[int, float] = {}
    records, answers_of = [], []
    for year in (ctx.last_year, ctx.current_year):
        lift = 0.06 if year.id == ctx.current_year.id else 0.0
        for cls in ctx.classes.get(year.id, []):
            student_ids = db.session.scalars(select(Enrollment.student_id).where(Enrollment.class_id == cls.id)
                                             .order_by(Enrollment.student_id)).all()
            for student_id in student_ids:
                base = ability.setdefault(student_id, min(0.95, max(0.15, rng.gauss(0.62, 0.17))))
                for key, month, day in _plan(cls.grade, rng):
                    on = _day(year, month, day)
                    if on > today:  # this year's spring diagnostics: held early, except the graduates'
                        on = max(year.starts_on + timedelta(days=14), today - timedelta(days=rng.randint(1, 20)))
                        if key == "graduate_destinations" or on > today:
                            continue
                    spec = rows[key].spec
                    given = _answers(spec, rng, cls.grade, min(1.0, base + lift), teachers)
                    by = nurse if key == "health_groups" else deputy if key == "gifted_programme" else None
                    by_id = by.id if by is not None else cls.class_teacher_id
                    records.append({"school_id": school_id, "instrument_id": rows[key].id, "instrument_key": key,
                                    "year_id": year.id, "student_id": student_id, "class_id": cls.id,
                                    "filled_by_id": by_id, "filled_on": on, "outcome": outcome_of(spec, given),
                                    "confidential": bool(spec.confidential)})
                    answers_of.append((spec, given))
    if not records:
        return
    ids = db.session.scalars(insert(Diagnostic).returning(Diagnostic.id, sort_by_parameter_order=True),
                             records).all()
    answer_rows = []
    for record_id, (spec, given) in zip(ids, answers_of):
        for section, position, item in spec.placed():
            for key in item.answer_keys():
                value = given.get(key)
                if value is None:
                    continue
                lo, hi = stored.score_range(item)
                answer_rows.append({"school_id": school_id, "diagnostic_id": record_id, "section_key": section.key,
                                    "item_key": key, "item_kind": item.type, "position": position,
                                    "min_score": lo, "max_score": hi, "score": None, "number": None, "text": None,
                                    "not_applicable": False, **stored.columns(item, key, value)})
    db.session.execute(insert(DiagnosticAnswer), answer_rows)
    db.session.flush()
    _student_round(ctx, rng, rows)


HELPS = ("Класста көбүрөөк топтук иштер болсо", "Мугалимдер түшүндүрүп берсе", None, None)


def _student_round(ctx, rng, rows) -> None:
    """This year's round of the students' own adaptation questionnaire in the first tenth grade."""
    cls = next((c for c in ctx.classes.get(ctx.current_year.id, []) if c.grade == 10), None)
    starter = ctx.staff.get("psychologist") or ctx.staff.get("deputy")
    if cls is None or starter is None:
        return
    instrument = rows["adaptation_grade10"]
    ctx.school.student_diagnostics = True
    principal = Principal.of(starter)
    rnd = student_codes.start(principal, cls, instrument)
    slips = student_codes.issue_codes(principal, rnd, rnd.codes_version)
    keys = [key for _section, _position, item in instrument.spec.placed() if item.type == "matrix"
            for key in item.answer_keys()]
    for _student, code in slips[:len(slips) * 2 // 3]:
        mood = rng.gauss(3.0, 0.6)
        answers = {key: max(1, min(4, round(mood + rng.gauss(0, 0.7)))) for key in keys}
        answers["helps"] = rng.choice(HELPS)
        student_codes.submit(rnd, code, answers, ctx.today)
    db.session.flush()

