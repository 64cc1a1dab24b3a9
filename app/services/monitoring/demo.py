"""Demo data of the monitoring programme (runs after the other features' steps, order 90):
registers for both years, manual indicators for two years, an approved cyclogram; the staff
records, programme documents and methodical associations' own data (demo_staff.py)."""
from datetime import timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Enrollment
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.planning import Interview
from app.models.monitoring.registers import (
    Classroom,
    Club,
    ClubMember,
    Incident,
    SelfGovernmentActivity,
    StudentAchievement,
    SupportCase,
    TeacherAchievement,
    TextbookProvision,
)
from app.services.core.demo import DemoContext
from app.services.core.school import year_of_date
from app.services.monitoring import planning
from app.services.monitoring.catalogue import ensure_catalogue
from app.services.monitoring.demo_staff import demo_staff_and_associations

TEACHER_TITLES = {
    "attestation": "Аттестация: биринчи категория", "open_lesson": "Ачык сабак", "talk": "Педкеңеште баяндама",
    "content_development": "Окуу программасын иштеп чыгуу", "publication": "«Мугалимдер газетасы» макала",
    "refresher_course": "72 сааттык квалификацияны жогорулатуу курсу", "competition": "«Жылдын мугалими» сынагы",
    "ma_work": "МБнын отуруму", "creative_group": "Чыгармачыл топтун сабагы", "class_teacher": "Класстык саат-сынак",
    "technology": "Интерактивдүү доска менен сабак", "innovation": "Эксперименттик аянтча", "conference": "Илимий-практикалык конференция",
}
CLUBS = [("Шахмат", "club"), ("Комуз", "art"), ("Волейбол", "sport"), ("Робототехника", "additional"),
         ("Жаш журналист", "club"), ("Бий студиясы", "art"), ("Күрөш", "sport"), ("Англис тили клубу", "additional")]


def _dates(rng, year, n):
    span = (year.ends_on - year.starts_on).days
    return [year.starts_on + timedelta(days=rng.randint(0, span)) for _ in range(n)]


def demo_step(ctx: DemoContext) -> None:
    rng, school = ctx.rng, ctx.school
    sid = school.id
    big = ctx.big
    ensure_catalogue(sid)
    today = ctx.today
    subjects = list(ctx.subjects.values())
    for year in ctx.years:
        past = year.ends_on < today
        limit = year.ends_on if past else min(today, year.ends_on)
        def dated(n, year=year, limit=limit):
            return [d for d in _dates(rng, year, n) if d <= limit] or [year.starts_on]
        students = db.session.scalars(select(Enrollment.student_id).where(
            Enrollment.school_id == sid, Enrollment.year_id == year.id)).all()
        classes = ctx.classes[year.id]
        kinds = list(TEACHER_TITLES)
        rows = []
        for teacher in ctx.teachers:
            for on in dated(rng.randint(1, 3)):
                kind = rng.choice(kinds)
                rows.append({"school_id": sid, "teacher_id": teacher.id, "year_id": year.id, "on_date": on, "kind": kind,
                             "level": rng.choice(["school", "school", "district", "city", "national"]),
                             "result": rng.choice(["participant", "prize_winner", "winner"]) if kind == "competition" else None,
                             "title": TEACHER_TITLES[kind]})
            if rng.random() < 0.3:
                on = dated(1)[0]
                rows.append({"school_id": sid, "teacher_id": teacher.id, "year_id": year.id, "on_date": on,
                             "kind": "refresher_course", "level": "national", "result": None,
                             "title": TEACHER_TITLES["refresher_course"]})
        db.session.execute(insert(TeacherAchievement), rows)
        rows = []
        for on in dated(min(len(students), 300 if big else 40)):
            level = rng.choice(["school", "school", "school", "district", "district", "city", "region", "national"])
            rows.append({"school_id": sid, "student_id": rng.choice(students), "year_id": year.id, "on_date": on,
                         "kind": rng.choice(["olympiad", "olympiad", "competition", "project"]), "level": level,
                         "result": rng.choice(["participant", "participant", "participant", "prize_winner", "winner"]),
                         "subject_id": rng.choice(subjects).id, "title": "Предметтик олимпиада"})
        db.session.execute(insert(StudentAchievement), rows)
        incidents = [{"school_id": sid, "year_id": year.id, "class_id": rng.choice(classes).id, "on_date": on,
                      "kind": kind, "description": text}
                     for kind, text, n in (("injury", "Дене тарбия сабагында жыгылды", 3 if big else 1),
                                           ("offence", "Тыныгууда мушташ", 4 if year is ctx.last_year else 2))
                     for on in dated(n)]
        db.session.execute(insert(Incident), incidents)
        db.session.execute(insert(TextbookProvision), [
            {"school_id": sid, "year_id": year.id, "grade": grade, "subject_id": ctx.subjects[key].id,
             "needed": len([c for c in classes if c.grade == grade]) * (25 if big else 14),
             "available": int(len([c for c in classes if c.grade == grade]) * (25 if big else 14)
                              * rng.uniform(0.7, 1.05))}
            for grade in range(1, 12) for key in ("kyrgyz", "russian", "maths" if grade <= 6 else "algebra")])
        db.session.execute(insert(Club), [
            {"school_id": sid, "year_id": year.id, "name": name, "kind": kind, "leader": rng.choice(ctx.teachers).full_name,
             "grades": rng.choice(["1-4", "5-7", "5-11", "8-11"]), "enrolled": rng.randint(8, 25) * (4 if big else 1)}
            for name, kind in CLUBS])
        # The clubs' students: some in two clubs (places exceed students; coverage counts each once).
        pupils = list(db.session.scalars(select(Enrollment.student_id).where(Enrollment.year_id == year.id)))
        for club_id, places in db.session.execute(select(Club.id, Club.enrolled).where(Club.year_id == year.id)):
            db.session.execute(insert(ClubMember), [{"club_id": club_id, "student_id": s}
                                                    for s in rng.sample(pupils, min(places, len(pupils)))])
        db.session.execute(insert(SelfGovernmentActivity), [
            {"school_id": sid, "year_id": year.id, "on_date": on, "body": "Окуучулар кеңеши",
             "title": rng.choice(["Өзүн-өзү башкаруу күнү", "Экологиялык акция", "Ардагерлерге жардам", "Спорттук майрам"]),
             "participants": rng.randint(10, 80)} for on in dated(8)])
        # A case closes a month after it opened: only when that month has passed by today.
        cases = [(on, rng.choice(students), rng.choice(["Ыңгайлашуу", "Тынчсыздануу", "Класста мамиле"]),
                  (past or rng.random() < 0.5) and on + timedelta(days=30) <= today) for on in dated(6)]
        db.session.execute(insert(SupportCase), [
            {"school_id": sid, "year_id": year.id, "student_id": student, "opened_on": on, "reason": reason,
             "status": "closed" if closed else "open", "closed_on": on + timedelta(days=30) if closed else None}
            for on, student, reason, closed in cases])
        # manual indicators: a value per year near the target
        for ind in db.session.scalars(select(Indicator).where(Indicator.school_id == sid, Indicator.source == "manual")):
            if ind.target is None:
                continue
            spread = max(abs(ind.target) * 0.15, 1)
            value = ind.target - rng.uniform(-0.2, 1.0) * spread if ind.good == "higher" else ind.target + rng.uniform(0, 1) * spread
            if ind.unit == "percent":
                value = min(value, 100)
            if ind.unit == "count":
                value = round(value)
            db.session.add(IndicatorValue(school_id=sid, indicator_id=ind.id, year_id=year.id, value=round(value, 1),
                                          note="Демо", evidence="Мектептин отчету",
                                          entered_by_id=ctx.staff["deputy"].id))
    # Each year has its own state of the classrooms (a few fewer and less equipped last year).
    for year, rooms, better in ((ctx.last_year, 38 if big else 14, 0.0), (ctx.current_year, 40 if big else 15, 0.1)):
        db.session.add_all([Classroom(school_id=sid, year_id=year.id, name=f"{100 + n}",
                                      subject_id=rng.choice(subjects).id,
                                      equipment_percent=min(100, rng.randint(40, 90) + int(better * 50)),
                                      ict_units=rng.randint(0, 3) + (1 if better and rng.random() < 0.3 else 0),
                                      meets_requirements=rng.random() < 0.65 + better,
                                      methodical_materials=rng.random() < 0.8)
                            for n in range(1, rooms + 1)])
    db.session.flush()
    # cyclograms: last year's done, this year's approved with progress up to today
    last = planning.create_default(sid, ctx.last_year, "ky")
    last.order_number, last.order_date = "12-Б", ctx.last_year.starts_on
    for item in last.items:
        item.status, item.done_on = "done", item.due_on
    current = planning.copy_to_year(sid, ctx.last_year, ctx.current_year)
    current.order_number, current.order_date = "9-Б", ctx.current_year.starts_on
    for n, item in enumerate(current.items):
        if item.due_on < today:
            item.status = "done" if n % 4 else "in_progress"  # every fourth past item is left overdue
        item.done_on = item.due_on if item.status == "done" else None
    interview_item = next((i for i in current.items if i.method == "interview"), None)
    for year in ctx.years:
        for on in _dates(rng, year, 4):
            if on > today:
                continue
            db.session.add(Interview(school_id=sid, year_id=year_of_date(sid, on).id, on_date=on,
                                     participant_role=rng.choice(["teacher", "parent"]), participants=rng.randint(1, 8),
                                     topic=rng.choice(["Үй тапшырмасынын көлөмү", "Сабакта МКТ колдонуу", "Окуучулардын жетишүүсү"]),
                                     outcome="Сунуштар берилди", interviewer_id=ctx.staff["deputy"].id,
                                     item_id=interview_item.id if interview_item and year is ctx.current_year else None))
    db.session.flush()
    demo_staff_and_associations(ctx)
