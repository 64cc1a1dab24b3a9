"""A questionnaire for the disclosure tests: one scale of five 5-point items (the fifth reverse),
an optional multi item, a number and a free text; campaigns over any number of classes."""
import textwrap

from app.extensions import db
from app.models import Campaign, ClassGroup
from app.services.core import instruments as instrument_service
from app.services.surveys import campaigns
from surveys.loader import load_text
from tests.factories.surveys import answer

T = "{ky: к, ru: р, en: e}"
LABELS = f"[{T}, {T}, {T}, {T}, {T}]"
FIVE = f"""
key: parent_satisfaction
version: 1
kind: survey
title: {{ky: "Беш", ru: "Пять", en: "Five"}}
scales:
  - {{key: res, title: {{ky: "Натыйжалар", ru: "Результаты", en: "Results"}}}}
sections:
  - key: one
    title: {T}
    items:
      - {{key: q1, type: likert, points: 5, scale: res, text: {T}, labels: {LABELS}}}
      - {{key: q2, type: likert, points: 5, scale: res, text: {T}, labels: {LABELS}}}
      - {{key: q3, type: likert, points: 5, scale: res, text: {T}, labels: {LABELS}}}
      - {{key: q4, type: likert, points: 5, scale: res, text: {T}, labels: {LABELS}}}
      - {{key: q5, type: likert, points: 5, scale: res, reverse: true, text: {T}, labels: {LABELS}}}
      - key: help
        type: multi
        required: false
        text: {{ky: "Жардам", ru: "Помощь", en: "Help"}}
        options:
          - {{key: x, text: {{ky: "Икс", ru: "Икс", en: "Ex"}}}}
          - {{key: y, text: {{ky: "Игрек", ru: "Игрек", en: "Why"}}}}
      - {{key: age, type: number, min: 1, max: 100, required: false, text: {T}}}
      - {{key: note, type: text, max_length: 200, text: {T}}}
"""


def five_instrument():
    return instrument_service.publish(load_text(textwrap.dedent(FIVE), "parent_satisfaction.yaml")).row


def more_classes(school, count: int) -> list[ClassGroup]:
    """The school's two classes and more (grades 9, 10, ...), committed."""
    extra = [ClassGroup(school=school.school, year=school.year, grade=9 + i, letter="В") for i in range(count - 2)]
    db.session.add_all(extra)
    db.session.commit()
    return [*school.classes, *extra][:count]


def five_campaign(school, classes=None, min_group_size=5, mode="link", title="Parents"):
    campaign = campaigns.create_campaign(
        school_id=school.school.id, instrument=five_instrument(), title=title, audience="parents",
        class_ids=[c.id for c in (classes or school.classes)], access_mode=mode, min_group_size=min_group_size,
        year_id=school.year.id)
    campaign.status = "open"
    db.session.commit()
    return campaign


def everything(value: int, **more) -> dict:
    """Answers giving `value` to each of the five scale items."""
    return {**{f"q{i}": str(value) for i in range(1, 6)}, **more}


def answer_all(campaign, target, value: int, times: int, **more) -> None:
    for _ in range(times):
        answer(campaign, target, everything(value, **more))


def close(campaign) -> Campaign:
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = "closed"
    db.session.commit()
    return campaign
