"""Surveys on the small test school: a published two-page instrument, campaigns, answers."""
import textwrap

from app.extensions import db
from app.services.core import clock
from app.services.core import instruments as instrument_service
from app.services.surveys import campaigns, public
from surveys.loader import load_text

T = "{ky: к, ru: р, en: e}"
# Two pages; a 5-point scale with one reverse item; a yes/no that shows a number; free text.
SMALL = f"""
key: small
version: 1
kind: survey
title: {{ky: "Кичине сурамжылоо", ru: "Малая анкета", en: "Small survey"}}
scales:
  - {{key: sat, title: {{ky: "Канааттануу", ru: "Удовлетворённость", en: "Satisfaction"}}}}
sections:
  - key: one
    title: {{ky: "Биринчи бет", ru: "Первая страница", en: "First page"}}
    items:
      - key: a
        type: likert
        points: 5
        scale: sat
        text: {{ky: "Мектеп жагабы?", ru: "Нравится ли школа?", en: "Do you like the school?"}}
        labels: [{T}, {T}, {T}, {T}, {T}]
      - {{key: b, type: likert, points: 5, scale: sat, reverse: true, text: {T}, labels: [{T}, {T}, {T}, {T}, {T}]}}
      - {{key: kids, type: yes_no, text: {{ky: "Балдарыңыз барбы?", ru: "Есть ли дети?", en: "Kids?"}}}}
      - {{key: howmany, type: number, min: 1, max: 10, text: {{ky: "Канча?", ru: "Сколько?", en: "How many?"}}, show_if: {{item: kids, equals: "yes"}}}}
  - key: two
    title: {{ky: "Экинчи бет", ru: "Вторая страница", en: "Second page"}}
    items:
      - {{key: note, type: text, max_length: 200, text: {{ky: "Пикир", ru: "Мнение", en: "Opinion"}}}}
"""


def small_instrument():
    return instrument_service.publish(load_text(textwrap.dedent(SMALL), "small.yaml")).row


def make_campaign(school, status="open", mode="link", min_group_size=5, classes=None, title="Test campaign"):
    """A parents' campaign of the small instrument over `classes` (default: both), committed."""
    instrument = small_instrument()
    campaign = campaigns.create_campaign(
        school_id=school.school.id, instrument=instrument, title=title, audience="parents",
        class_ids=[c.id for c in (classes or school.classes)], access_mode=mode, min_group_size=min_group_size,
        year_id=school.year.id)
    campaign.status = status
    db.session.commit()
    return campaign


def answer(campaign, target, answers: dict, today=None):
    """One complete response through the service, as the public pages would store it."""
    link = public.public_link(target.slug)
    client_uuid = public.new_client_uuid()
    public.submit_response(link, public.link_spec(link), client_uuid, answers, today or clock.today())
    db.session.commit()
    return public.response_by_uuid(link.target_id, client_uuid)
