"""The shipped invariant catalogue (indicators.yaml) and its copy in every school."""
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.models.monitoring.indicators import (
    GOOD_DIRECTIONS,
    PERIODICITIES,
    SOURCES,
    UNITS,
    Indicator,
)

CATALOGUE_FILE = Path(__file__).with_name("indicators.yaml")
ROLES_OK = ("admin", "deputy", "mo_head", "teacher", "class_teacher", "psychologist", "expert")


class CatalogueError(ValueError):
    pass


@lru_cache(maxsize=1)
def shipped() -> tuple[dict, ...]:
    """The invariant indicators as validated dicts, in file order."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    seen, out = set(), []
    for position, raw in enumerate(data["indicators"], start=1):
        item = {**defaults, **raw}
        key = item.get("key")
        where = f"{CATALOGUE_FILE.name}: indicators[{position - 1}] ({key})"
        if not key or key in seen:
            raise CatalogueError(f"{where}: missing or repeated key")
        seen.add(key)
        checks = [
            (item.get("direction") in range(1, 8), "direction must be 1-7"),
            (item.get("unit") in UNITS, f"unit must be one of {UNITS}"),
            (item.get("source") in SOURCES, f"source must be one of {SOURCES}"),
            (item.get("periodicity") in PERIODICITIES, f"periodicity must be one of {PERIODICITIES}"),
            (item.get("good") in GOOD_DIRECTIONS, f"good must be one of {GOOD_DIRECTIONS}"),
            (item.get("responsible") in ROLES_OK, "responsible must be a role"),
            (all(item.get("name", {}).get(lang) for lang in ("ky", "ru", "en")), "name needs ky, ru and en"),
            (all(item.get("method", {}).get(lang) for lang in ("ky", "ru", "en")), "method needs ky, ru and en"),
        ]
        for ok, reason in checks:
            if not ok:
                raise CatalogueError(f"{where}: {reason}")
        item["position"] = position
        out.append(item)
    return tuple(out)


def _columns(item: dict) -> dict:
    return {
        "key": item["key"], "name_ky": item["name"]["ky"], "name_ru": item["name"]["ru"],
        "name_en": item["name"]["en"], "direction": item["direction"], "invariant": True,
        "unit": item["unit"], "method_ky": item["method"]["ky"], "method_ru": item["method"]["ru"],
        "method_en": item["method"]["en"], "source": item["source"], "periodicity": item["periodicity"],
        "responsible_role": item["responsible"], "good": item["good"], "criterion": item.get("criterion"),
        "position": item["position"],
    }


def ensure_catalogue(school_id: int) -> int:
    """Give the school every shipped indicator it lacks; refresh the texts of those it has
    (targets stay as the school set them). Returns how many were added."""
    items = shipped()
    count = db.session.scalar(select(func.count(Indicator.id)).where(
        Indicator.school_id == school_id, Indicator.invariant.is_(True))) or 0
    if count >= len(items):
        return 0
    existing = {i.key: i for i in db.session.scalars(select(Indicator).where(Indicator.school_id == school_id))}
    added = 0
    for item in items:
        if item["key"] in existing:
            continue
        db.session.add(Indicator(school_id=school_id, target=item.get("target"), threshold=item.get("threshold"),
                                 **_columns(item)))
        added += 1
    db.session.flush()
    return added
