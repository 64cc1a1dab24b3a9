"""Demo data of the staff records, the programme documents and the methodical associations
(called from the monitoring demo step), so that a new user finds the staff page, the
programme register and each association's page and annual report filled:

- a staff record of every teacher: category, education, the year they began teaching, the
  last attestation (up to today) and the next one (five years on: a few are overdue), the day
  hired (one teacher joined this year);
- programme documents: the development and education programmes, the curriculum, work
  programmes of a few subjects (one older than three years, to be renewed);
- each association: one variable indicator of its own with last year's and this year's value,
  and its proposals to the development programme for both years.
"""
import random
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.monitoring.associations import AssociationYear
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from app.models.school import MethodicalAssociation
from app.services.core.demo import DemoContext, weighted
from app.services.monitoring.associations import new_key

CATEGORIES = ((0.2, "highest"), (0.35, "first"), (0.25, "second"), (0.2, "none"))  # (share, value)
EDUCATIONS = ((0.75, "higher_pedagogical"), (0.1, "higher_other"), (0.12, "vocational_pedagogical"),
              (0.03, "vocational_other"))
APPROVED_BY = "Педагогикалык кеңеш"
PROPOSALS = ("Ачык сабактардын санын көбөйтүү, жаш мугалимдерге насаатчы бекитүү.",
             "Текшерүү иштеринин талдоосун чейрек сайын МБнын отурумунда кароо.",
             "Олимпиадага даярдоо боюнча тандоо курстарын уюштуруу.")
# The association's own indicator: (ky, ru, en, unit, target).
OWN_INDICATOR = ("МБнын мугалимдеринин ачык сабактары", "Открытые уроки учителей МО", "Open lessons of the MA's teachers",
                 "count", 6.0)


def _day_before(today: date, rng, years: int) -> date:
    return today - timedelta(days=rng.randint(30, 365 * years))


def staff_records(ctx: DemoContext, rng) -> None:
    today, sid = ctx.today, ctx.school.id
    newcomer = ctx.teachers[-1] if ctx.teachers else None  # joined this year, in their first year
    rows = []
    for teacher in ctx.teachers:
        if teacher is newcomer:
            since, hired, last = today.year, min(ctx.current_year.starts_on + timedelta(days=3), today), None
        else:
            since = today.year - rng.randint(1, 32)
            hired = date(since, 9, 1)
            last = max(hired, _day_before(today, rng, 6)) if rng.random() < 0.9 else None
        rows.append(StaffRecord(school_id=sid, user_id=teacher.id, category=weighted(rng, CATEGORIES),
                                education=weighted(rng, EDUCATIONS), teaching_since=since, last_attestation_on=last,
                                next_attestation_on=last + timedelta(days=5 * 365) if last else None,
                                hired_on=hired))
    db.session.add_all(rows)


def programme_documents(ctx: DemoContext) -> None:
    sid, start, today = ctx.school.id, ctx.current_year.starts_on, ctx.today
    last_start = ctx.last_year.starts_on
    docs = [("development", "Мектептин 2024–2029-жылдарга өнүктүрүү программасы", None, None, last_start - timedelta(days=370)),
            ("education", "Билим берүү программасы", None, None, min(start - timedelta(days=5), today)),
            ("curriculum", "Окуу планы", None, None, min(start - timedelta(days=3), today))]
    subjects = list(ctx.subjects.values())
    for n, subject in enumerate(subjects[:6]):
        approved = last_start - timedelta(days=365 * 3 + 30) if n == 0 else min(start - timedelta(days=4), today)
        docs.append(("work", f"{subject.name}: жумушчу программа", subject.id, 5 + n, approved))
    db.session.add_all([ProgrammeDocument(school_id=sid, kind=kind, title=title, subject_id=subject_id, grade=grade,
                                          approved_on=approved, approved_by=APPROVED_BY)
                        for kind, title, subject_id, grade, approved in docs])


def associations(ctx: DemoContext, rng) -> None:
    sid = ctx.school.id
    author = ctx.staff.get("mohead") or ctx.staff["deputy"]
    mas = db.session.scalars(select(MethodicalAssociation).where(MethodicalAssociation.school_id == sid)
                             .order_by(MethodicalAssociation.id)).all()
    for n, ma in enumerate(mas):
        ky, ru, en, unit, target = OWN_INDICATOR
        item = Indicator(school_id=sid, ma_id=ma.id, invariant=False, source="manual", responsible_role="mo_head",
                         key=new_key(ma), name_ky=ky, name_ru=ru, name_en=en, direction=2, unit=unit,
                         periodicity="year", good="higher", target=target, position=100)
        db.session.add(item)
        db.session.flush()
        for year, value in ((ctx.last_year, rng.randint(3, 6)), (ctx.current_year, rng.randint(2, 7))):
            db.session.add(IndicatorValue(school_id=sid, indicator_id=item.id, year_id=year.id, value=float(value),
                                          note="Демо", entered_by_id=author.id))
            db.session.add(AssociationYear(school_id=sid, ma_id=ma.id, year_id=year.id,
                                           proposals=PROPOSALS[(n + (year is ctx.current_year)) % len(PROPOSALS)],
                                           updated_by_id=author.id))


def demo_staff_and_associations(ctx: DemoContext) -> None:
    rng = random.Random(f"staff-{ctx.scale}")  # its own: the other steps' draws stay as they were
    staff_records(ctx, rng)
    programme_documents(ctx)
    associations(ctx, rng)
    db.session.flush()
