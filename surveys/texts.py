"""The vocabulary of the instrument language: keys, texts in three languages, the built-in
texts of answers (yes, no, not applicable) and a problem found in an instrument file."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=60)]
LANGS = ("ky", "ru", "en")


class Strict(BaseModel):
    # allow_inf_nan: a YAML .nan or .inf (or 1e400) is no number of a questionnaire, and PostgreSQL
    # refuses them in the stored definition (JSON)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Text(Strict):
    """A text in the three languages of Sapat: Kyrgyz, Russian and English are all required
    (each a non-empty string). `pick(lang)` gives Russian for a code other than ky / ru / en."""

    ky: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str, default: str = "") -> str:
        return getattr(self, lang, None) or default

    def pick(self, lang: str) -> str:
        return getattr(self, lang, None) or self.ru or self.ky


# Built-in texts of the language itself (not of the app), so that forms need no gettext for
# them: yes/no answers and the "not applicable" choice of a criterion.
YES = Text(ky="Ооба", ru="Да", en="Yes")
NO = Text(ky="Жок", ru="Нет", en="No")
NOT_APPLICABLE = Text(ky="Колдонулбайт", ru="Не применимо", en="Not applicable")


class Problem(Exception):
    """One problem in an instrument: where (path inside the file) and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason
