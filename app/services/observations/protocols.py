"""The observation protocols that ship with Sapat (surveys/instruments/*.yaml), as published
Instrument rows."""
from app.services.core import instruments

PROTOCOL_KEYS = ("lesson_observation", "extracurricular_event", "parent_meeting")


def ensure_protocols() -> dict[str, object]:
    """{key: the latest Instrument version} of each shipped protocol, publishing a file that
    is new or changed."""
    return {key: instruments.ensure_published(key) for key in PROTOCOL_KEYS}
