"""The built-in observation protocols (surveys/instruments/*.yaml) as published Instrument rows."""
from app.services.core import instruments


def load_protocols(keys) -> dict:
    """{key: the latest Instrument version}, publishing a file that is new or changed."""
    return {key: instruments.ensure_published(key) for key in keys}
