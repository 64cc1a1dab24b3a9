"""The item types of the instrument language and their registry.

Each family module lists its classes in `TYPES`; the registry maps the `type` of an item in a
file to its class, and pydantic picks the class by that `type` (a discriminated union). An item
type is added by writing its class (surveys/items/base.py says what it must do) and listing it
in its module's TYPES; see the README, "Adding an item type".
"""
from typing import Annotated, Union

from pydantic import Field

from surveys.items import choice, free, scales
from surveys.items.base import NA, AnswerError, ItemBase, Part, Record
from surveys.items.choice import MultiItem, Option, SingleItem, YesNoItem
from surveys.items.free import NumberItem, TextItem
from surveys.items.scales import CriterionItem, Level, LikertItem, MatrixItem, MatrixRow

ITEM_CLASSES = (*choice.TYPES, *scales.TYPES, *free.TYPES)
REGISTRY: dict[str, type[ItemBase]] = {cls.type_name(): cls for cls in ITEM_CLASSES}
ITEM_TYPES = tuple(REGISTRY)
STORAGES = ("score", "number", "text", "option", "options")

Item = Annotated[Union[ITEM_CLASSES], Field(discriminator="type")]

__all__ = [
    "NA", "AnswerError", "CriterionItem", "ITEM_CLASSES", "ITEM_TYPES", "Item", "ItemBase", "Level", "LikertItem",
    "MatrixItem", "MatrixRow", "MultiItem", "NumberItem", "Option", "Part", "REGISTRY", "Record", "STORAGES",
    "SingleItem", "TextItem", "YesNoItem",
]
