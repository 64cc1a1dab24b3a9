"""Demo data of the observations area: about 300 observations with --scale large, 40 with
small, over last year and this year, with plans per observer."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Observation, ObservationPlan, ObservationScore, TeachingAssignment
from app.services.observations.answers import score_range
from app.services.observations.protocols import PROTOCOL_KINDS, ensure_protocols, protocol_of


def demo_observations(ctx) -> None:
    rng = ctx.rng
    school_id = ctx.school.id
    instruments = ensure_protocols()
    parsed = {key: protocol_of(inst) for key, inst in instruments.items()}
    observers = [u for u in (ctx.staff.get("director"), ctx.staff.get("deputy"), ctx.staff.get("upbringing"),
                             ctx.staff.get("mohead")) if u is not None]
    total = 300 if ctx.big else 40
    today = ctx.today
    per_year = {ctx.last_year.id: int(total * 0.3), ctx.current_year.id: total - int(total * 0.3)}
    # The teacher's underlying skill drifts upward a little over time (so that dynamics show).
    skill = {t.id: rng.uniform(0.6, 1.7) for t in ctx.teachers}
    teacher_login = ctx.staff.get("teacher")
    purposes = ["control"] * 5 + ["methodical_help"] * 3 + ["attestation"] * 2 + ["open_school"] * 2 + \
        ["open_district", "open_city", "mentoring"]
    topics = ["Квадраттык теңдемелер", "Сөз түркүмдөрү", "Фотосинтез", "Ньютондун мыйзамдары",
              "Причастный оборот", "Кыргызстандын рельефи", "Манас эпосу", "Дроби и проценты"]
    obs_rows, meta = [], []
    for year in (ctx.last_year, ctx.current_year):
        assignments = list(db.session.execute(
            select(TeachingAssignment.teacher_id, TeachingAssignment.class_id, TeachingAssignment.subject_id)
            .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year.id)).all())
        if not assignments:
            continue
        start = year.starts_on
        end = min(year.ends_on, today - timedelta(days=1))
        if end <= start:
            continue
        span = (end - start).days
        mine = [a for a in assignments if teacher_login is not None and a[0] == teacher_login.id]
        for n in range(per_year[year.id]):
            kind_roll = rng.random()
            key = "lesson_observation" if kind_roll < 0.8 else "extracurricular_event" if kind_roll < 0.92 \
                else "parent_meeting"
            teacher_id, class_id, subject_id = rng.choice(mine if mine and n % 12 == 0 else assignments)
            observed_on = start + timedelta(days=rng.randint(0, span))
            if observed_on.weekday() == 6:
                observed_on -= timedelta(days=1)
            draft = year.id == ctx.current_year.id and rng.random() < 0.05
            observer = rng.choice(observers)
            final_at = datetime.combine(observed_on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=14)
            # The teacher reads the protocol two days later: only when that day has come.
            acknowledged = not draft and rng.random() < 0.6 and observed_on + timedelta(days=2) <= today
            obs_rows.append({
                "school_id": school_id, "instrument_id": instruments[key].id, "year_id": year.id,
                "kind": PROTOCOL_KINDS[key], "observer_id": observer.id, "teacher_id": teacher_id,
                "class_id": class_id, "subject_id": subject_id if key == "lesson_observation" else None,
                "observed_on": observed_on, "topic": rng.choice(topics) if key == "lesson_observation" else None,
                "purpose": rng.choice(purposes) if key == "lesson_observation" else "control",
                "status": "draft" if draft else "final", "version": 1, "is_current": True, "revision": 1,
                "finalized_at": None if draft else final_at,
                "acknowledged_at": final_at + timedelta(days=2) if acknowledged else None,
                "teacher_comment": rng.choice([None, None, "Рахмат, сунуштарды эске алам.",
                                               "Спасибо, согласна с рекомендациями."]) if acknowledged else None,
                "strengths": rng.choice(["Сабактын темпи жакшы, окуучулар активдүү.",
                                         "Хорошая организация групповой работы.", None]),
                "recommendations": rng.choice(["Дифференцияланган тапшырмаларды көбөйтүү.",
                                               "Больше времени на рефлексию в конце урока.", None]),
                "created_at": final_at, "updated_at": final_at,
            })
            progress_in_year = (observed_on - start).days / max(span, 1)
            meta.append((key, skill.get(teacher_id, 1.0) + 0.25 * progress_in_year + (0.3 if year.id ==
                                                                                       ctx.current_year.id else 0)))
    if not obs_rows:
        return
    ids = db.session.scalars(insert(Observation).returning(Observation.id, sort_by_parameter_order=True),
                             obs_rows).all()
    score_rows = []
    for obs_id, row, (key, level) in zip(ids, obs_rows, meta):
        for section, position, item in parsed[key].placed():
            low, high = score_range(item)
            base = {"school_id": school_id, "observation_id": obs_id, "section_key": section.key,
                    "item_key": item.key, "item_kind": item.type, "position": position,
                    "min_score": low, "max_score": high, "score": None, "number": None,
                    "text": None, "not_applicable": False}
            if item.type == "criterion":
                if row["status"] == "draft" and rng.random() < 0.5:
                    continue
                raw = level + rng.gauss(0, 0.55) - (0.35 if section.key in ("assessment", "activity") else 0)
                base["score"] = max(low, min(high, round(raw)))
                if rng.random() < 0.06:
                    base["text"] = rng.choice(["Жакшы мисал келтирилди.", "Не все ученики были вовлечены.",
                                               "Убакыт жетпей калды."])
            elif item.type == "yes_no":
                base["score"] = int(rng.random() < 0.85)
            elif item.type == "number":
                base["number"] = float(rng.randint(12, 25) if key == "lesson_observation" else rng.randint(8, 60))
            elif item.type == "text":
                base["text"] = row.get(item.key)
                if not base["text"]:
                    continue
            score_rows.append(base)
    db.session.execute(insert(ObservationScore), score_rows)
    db.session.execute(insert(ObservationPlan), [
        {"school_id": school_id, "year_id": ctx.current_year.id, "observer_id": o.id,
         "planned": max(4, per_year[ctx.current_year.id] // len(observers) + rng.randint(-3, 6))}
        for o in observers])

