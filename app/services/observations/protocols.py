"""The observation protocols: instruments of kind `observation` in the one instrument language
(surveys/), published as immutable Instrument rows.

    PROTOCOL_KINDS     which kind of observation each shipped protocol records
    ensure_protocols() {key: newest Instrument} of the shipped protocols, publishing changed files
    protocols()        the newest version of every observation protocol
    protocol_of(row)   the row's parsed instrument (surveys.instrument.Instrument)
    criterion_labels() {(protocol key, item or section key): (text, section title)}
"""
from typing import Optional

from sqlalchemy import and_, func, select

from app.extensions import db
from app.i18n import pick_text
from app.models import Instrument
from app.services.core import instruments

# Which kind of observation a protocol records (by instrument key); others record lessons.
PROTOCOL_KINDS = {"lesson_observation": "lesson", "extracurricular_event": "event", "parent_meeting": "parent_meeting"}
PROTOCOL_KEYS = tuple(PROTOCOL_KINDS)


def ensure_protocols() -> dict[str, object]:
    """{key: the latest Instrument version} of each shipped protocol, publishing a file that
    is new or changed."""
    return {key: instruments.ensure_published(key) for key in PROTOCOL_KEYS}


def protocols(school_id: Optional[int] = None) -> list[Instrument]:
    """The newest version of every observation protocol."""
    newest = (select(Instrument.key, func.max(Instrument.version).label("version"))
              .where(Instrument.kind == "observation").group_by(Instrument.key).subquery())
    stmt = select(Instrument).join(newest, and_(Instrument.key == newest.c.key,
                                                Instrument.version == newest.c.version))
    return list(db.session.scalars(stmt.order_by(Instrument.key)))


def protocol_of(instrument: Instrument):
    """The protocol of an Instrument row, parsed once per row (surveys.instrument.Instrument)."""
    return instrument.spec


def kind_of(instrument: Instrument) -> str:
    return PROTOCOL_KINDS.get(instrument.key, "lesson")


def criterion_labels(lang: Optional[str] = None) -> dict[tuple[str, str], tuple[str, str]]:
    """{(protocol key, item key): (criterion text, section title)} from the newest protocol versions;
    a section's own key gives (section title, section title)."""
    labels = {}
    for instrument in protocols():
        spec = protocol_of(instrument)
        for section in spec.sections:
            for item in section.items:
                labels[(spec.key, item.key)] = (pick_text(item.text, lang), pick_text(section.title, lang))
            labels[(spec.key, section.key)] = (pick_text(section.title, lang), pick_text(section.title, lang))
    return labels
