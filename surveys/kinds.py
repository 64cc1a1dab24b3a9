"""Kinds of instrument: who fills an instrument in and where its answers are kept.

- survey        answered anonymously (campaigns, app/services/surveys/): every item type but
                criterion; answers are `answer` rows (value, score, option, text)
- observation   filled in by an observer about a lesson, an event or a meeting
                (app/services/observations/): every item type; one `observation_score` row per
                answer key (app/services/observations/answers.py maps each item `storage` to
                its columns)
- diagnostic    filled in by staff (a class teacher, a teacher, the psychologist) about one named
                student of their class, once a year (app/services/diagnostics/): every item type;
                one `diagnostic_answer` row per answer key, stored like an observation's

The item types of a kind are the registry's (surveys/items/) less those it refuses, so a new
item type belongs to every kind at once; the database constraint on
observation_score.item_kind is `OBSERVATION.item_types()` (app/models/observations.py), that
on diagnostic_answer.item_kind `DIAGNOSTIC.item_types()` (app/models/diagnostics.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from surveys.items import REGISTRY


@dataclass(frozen=True)
class Kind:
    key: str
    # item type -> why it does not belong to this kind (reported at the path `kind` of the file)
    refused: dict = field(default_factory=dict)

    def item_types(self) -> tuple[str, ...]:
        """The item types its instruments may hold, in registry order."""
        return tuple(name for name in REGISTRY if name not in self.refused)

    def problems(self, items) -> list[tuple[str, str]]:
        """(path, reason) for the item types, among `items` ((path, item) pairs), that an
        instrument of this kind cannot hold; each refused type is reported once."""
        found, seen = [], set()
        for _path, item in items:
            if item.type in self.refused and item.type not in seen:
                seen.add(item.type)
                found.append(("kind", self.refused[item.type]))
        return found


SURVEY = Kind("survey", refused={"criterion": "criterion items belong to observation protocols (kind: observation)"})
OBSERVATION = Kind("observation")
DIAGNOSTIC = Kind("diagnostic")

KINDS: dict[str, Kind] = {kind.key: kind for kind in (SURVEY, OBSERVATION, DIAGNOSTIC)}
KIND_NAMES = tuple(KINDS)
