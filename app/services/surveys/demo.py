"""Demo surveys: closed campaigns with realistic anonymous answers and an open one to try on a phone.

Large scale: about 5,000 responses (parents last year and this year, students' satisfaction with
lessons, psychological climate in grades 5-11); small scale: a few hundred. Bulk inserts only.
"""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Answer, Campaign, Response
from app.services.core import instruments as instrument_service
from app.services.core.bulk import bulk_insert
from app.services.core.demo import DemoContext
from app.services.surveys import campaigns, public

PARENT_TEXTS_LIKE = [
    "Мугалимдер балдарга көңүл бурушат.", "Мектеп таза жана жылуу.", "Класс жетекчибиз абдан жакшы.",
    "Хорошие учителя, ребёнок с удовольствием ходит в школу.", "Нравятся кружки и олимпиады.",
    "Балам англис тилин жакшы үйрөнүп жатат.", "Порядок и дисциплина.",
]
PARENT_TEXTS_CHANGE = [
    "Ашканадагы тамакты жакшыртуу керек.", "Үй тапшырмасы өтө көп.", "Спортзалды оңдоо керек.",
    "Хотелось бы больше информации об оценках через телефон.", "Улучшить питание в столовой.",
    "Компьютер класстары жетишсиз.", "Родительские собрания проводить вечером.",
]
STUDENT_TEXTS = ["Көбүрөөк практикалык сабактар болсо.", "Больше опытов на уроках физики.",
                 "Сабактар кызыктуу болсун.", "Меньше домашних заданий."]
CLIMATE_TEXTS = ["Бири-бирибизди көбүрөөк колдосок.", "Больше совместных мероприятий класса."]

# Realistic means per sub-scale (0..1 of the range): teachers rated high, catering lower.
OFFSETS = {"results": 0.0, "lessons": -0.02, "teachers": 0.08, "safety": 0.04, "catering": -0.15,
           "communication": -0.03, "interest": -0.05, "clarity": 0.03, "relations": 0.06, "comfort": -0.06,
           "emotional": 0.03, "activity": -0.02}


def _value(rng, latent, lo, hi, reverse):
    p = min(1.0, max(0.0, rng.gauss(latent, 0.2)))
    point = int(round(lo + p * (hi - lo)))
    return int(lo + hi - point) if reverse else point


def _answers(rng, spec, latent, texts, respondent_kind=None):
    answers = {}
    for key, item, scale, reverse, (lo, hi) in spec.scored():
        if item.type == "yes_no":
            answers[key] = "yes" if rng.random() < 0.7 else "no"
        elif item.type == "single":
            continue
        else:
            answers[key] = str(_value(rng, latent + OFFSETS.get(scale, 0.0), lo, hi, reverse))
    for item in spec.items():
        if item.type == "single":
            weights = [0.62, 0.3, 0.08] if len(item.options) == 3 else [1] * len(item.options)
            answers[item.key] = respondent_kind or rng.choices([o.key for o in item.options], weights)[0]
        elif item.type == "multi":
            answers[item.key] = rng.sample([o.key for o in item.options], k=rng.randint(1, min(3, len(item.options))))
        elif item.type == "number":
            lo, hi = item.min or 0, item.max or 10
            answers[item.key] = str(rng.randint(int(lo), int(min(hi, lo + 25))))
        elif item.type == "text" and rng.random() < 0.12:
            answers[item.key] = rng.choice(texts.get(item.key, texts["*"]))
    if answers.get("eats_canteen") == "no":
        for key in ("c1", "c2", "c3"):
            answers.pop(key, None)
    return answers


def _fill(ctx: DemoContext, campaign: Campaign, rate: float, submitted: date, texts: dict, grade_filter=None,
          respondent_kind=None) -> int:
    rng = ctx.rng
    submitted = min(submitted, ctx.today)  # a campaign opened in the year's first days: answers up to today
    spec = campaign.instrument.spec
    responses, per_response = [], []
    for target in campaign.targets:
        latent_class = rng.gauss(0.66, 0.07)
        size = target.expected or 0
        n = sum(1 for _ in range(size) if rng.random() < rate)
        for _ in range(n):
            uuid = public.new_client_uuid()
            responses.append({"campaign_id": campaign.id, "target_id": target.id, "client_uuid": uuid,
                              "status": "complete", "language": rng.choice(["ky", "ky", "ru"]),
                              "started_on": submitted,
                              "submitted_on": submitted - timedelta(days=rng.randint(0, 6))})
            per_response.append((uuid, _answers(rng, spec, rng.gauss(latent_class, 0.08), texts, respondent_kind)))
    if not responses:
        return 0
    db.session.execute(insert(Response), responses)
    ids = dict(db.session.execute(select(Response.client_uuid, Response.id)
                                  .where(Response.campaign_id == campaign.id)).all())
    keys = spec.answer_keys()
    rows = []
    for uuid, answers in per_response:
        rows.extend(public.answer_rows(spec, keys, answers, ids[uuid], campaign.id))
        if len(rows) > 20000:
            bulk_insert(Answer, rows)
            rows = []
    bulk_insert(Answer, rows)
    return len(responses)


def demo_surveys(ctx: DemoContext) -> None:
    report = instrument_service.publish_all()
    if report.errors:
        raise RuntimeError(str(report.errors[0]))
    latest = {p.row.key: p.row for p in report.published}
    school, year, last = ctx.school, ctx.current_year, ctx.last_year
    director = ctx.staff["director"]
    psychologist = ctx.staff["psychologist"]
    today = ctx.today
    parents_texts = {"like_most": PARENT_TEXTS_LIKE, "change": PARENT_TEXTS_CHANGE, "*": PARENT_TEXTS_CHANGE}

    def campaign(instrument_key, title, classes, year_obj, status, opens, closes, created, by, audience="parents",
                 mode="link"):
        c = campaigns.create_campaign(school_id=school.id, instrument=latest[instrument_key], title=title,
                                    audience=audience, class_ids=[k.id for k in classes], access_mode=mode,
                                    opens_on=opens, closes_on=closes, min_group_size=5, year_id=year_obj.id,
                                    created_by_id=by.id)
        c.status = status
        c.created_at = datetime.combine(created, datetime.min.time(), tzinfo=timezone.utc)
        return c

    this_classes = ctx.classes[year.id]
    last_classes = ctx.classes[last.id]
    spring = date(last.ends_on.year, 4, 20)
    prev = campaign("parent_satisfaction", "Ата-энелердин канааттануусу, жаз " + str(spring.year), last_classes,
                    last, "closed", spring, spring + timedelta(days=14), spring, director)
    autumn = today - timedelta(days=30) if today - timedelta(days=30) >= year.starts_on else year.starts_on
    now = campaign("parent_satisfaction", "Ата-энелердин канааттануусу, күз " + str(year.starts_on.year),
                   this_classes, year, "closed", autumn, autumn + timedelta(days=14), autumn, director)
    upper = [c for c in this_classes if c.grade >= 5]
    lessons = campaign("student_lessons", "Окуучулардын сабактарга канааттануусу", upper, year, "closed",
                       autumn, autumn + timedelta(days=10), autumn + timedelta(days=1), director, audience="students")
    climate = campaign("psychological_climate", "Класстардагы психологиялык климат", upper, year, "closed",
                       autumn, autumn + timedelta(days=10), autumn + timedelta(days=2), psychologist,
                       audience="students")
    campaign("parent_satisfaction", "Ата-энелердин сурамжылоосу (ачык)", this_classes, year, "open",
             today - timedelta(days=2), today + timedelta(days=30), today, director)
    db.session.flush()
    _fill(ctx, prev, 0.72, spring + timedelta(days=10), parents_texts)
    _fill(ctx, now, 0.8, autumn + timedelta(days=10), parents_texts)
    _fill(ctx, lessons, 0.88, autumn + timedelta(days=8), {"*": STUDENT_TEXTS})
    _fill(ctx, climate, 0.8, autumn + timedelta(days=8), {"*": CLIMATE_TEXTS}, respondent_kind="student")
