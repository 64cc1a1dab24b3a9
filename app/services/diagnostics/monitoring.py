"""What the diagnostics give the monitoring programme: the indicators that used to be typed
percentages (adaptation, uud_level, upbringing_level, health_main_group, continuing_education,
gifted_programme) computed from the school's diagnostic records of the year
(aggregates.school_figure, formulas in instruments.RULES), and the diagnostics part of a class
profile.

The indicators stay `manual` in the catalogue: a calculator here answers None for a year
without any record of its instruments, and then the typed value counts
(monitoring.indicators.value_of says which one a value is). Diagnostics are yearly: a term has
no computed value.
"""
from typing import Optional

from flask_babel import lazy_gettext as _l

from app.i18n import pick_text
from app.services.diagnostics import access, aggregates
from app.services.diagnostics.instruments import RULES, Rule
from app.services.monitoring import profiles
from app.services.monitoring.calculators import CalculatorTable, Period, Result
from app.services.monitoring.catalogue import shipped
from app.services.monitoring.labels import fmt

CALCULATORS = CalculatorTable()


def _calculator(rule: Rule):
    def calculate(school_id: int, period: Period) -> Optional[Result]:
        if period.term_id:
            return None
        found = aggregates.school_figure(rule, school_id, period.year_id)
        return Result(found.value, found.n) if found.n else None
    calculate.__name__ = f"diagnostics_{rule.indicator}"
    calculate.__doc__ = f"{rule.indicator}: from the diagnostics {', '.join(rule.instruments)}."
    return calculate


for _rule in RULES.values():
    CALCULATORS(_rule.indicator)(_calculator(_rule))


def indicator_names(lang: Optional[str] = None) -> dict[str, str]:
    """{indicator key: its name} of the indicators computed from diagnostics."""
    return {entry["key"]: pick_text(entry["name"], lang) for entry in shipped() if entry["key"] in RULES}


def class_diagnostics(cls, viewer) -> Optional[profiles.Section]:
    """The class's figures of the year, per indicator, over the records the viewer may see."""
    if not access.may_see_class(viewer, cls):
        return None
    conds = [access.visible(viewer), aggregates.Diagnostic.class_id == cls.id]
    names = indicator_names()
    rows = []
    for key, rule in RULES.items():
        found = aggregates.school_figure(rule, cls.school_id, cls.year_id, conds)
        if found.n:
            rows.append([names.get(key, key), found.n, fmt(found.value, rule.unit)])
    if not rows:
        return None
    return profiles.Section(_l("Diagnostics"), [_l("Indicator"), _l("Students diagnosed"), cls.year.name], rows)
