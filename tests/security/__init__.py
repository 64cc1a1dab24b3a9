"""The rows of the cross-cutting security tests (access matrix, CSRF, XSS crawl, bad-input
fuzzing, the backup round trip), one module per domain: core, surveys, observations,
achievement, monitoring, exports. Each declares one `Tables`; tests/security/tables.py
gathers them. The objects the rows name are made with tests/factories on first use and kept
in the school fixture's `extra`."""
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from tests.factories import SchoolFixture


@dataclass
class FuzzForm:
    """A form to fuzz: `fields` maps a field name to "text", "int", "date", "email",
    "choice:<a>,<b>" or "id:<argument name>" (an id from URL_ARGS_BY_NAME); the test
    posts hypothesis-generated values and, besides, hostile ones."""

    endpoint: str
    role: str
    fields: dict[str, str]
    url_args: Callable[[SchoolFixture], dict] = lambda s: {}
    max_examples: int = 25
    extra: dict = field(default_factory=dict)
    note: Optional[str] = None
    # Turns the generated values into the posted ones (app, school, values) -> values.
    prepare: Optional[Callable[[Any, SchoolFixture, dict], dict]] = None


@dataclass
class Tables:
    """A domain's rows: how to fill URL arguments (by name, by endpoint), expected statuses
    that differ from the decorators, forms to fuzz, form data for the CSRF test, POST routes
    carrying their own token, `seed_xss(school, payloads)` storing hostile text in the domain's
    objects and `seed_backup(school, texts)` putting a row in each of its tables."""

    url_args_by_name: dict[str, Callable[[SchoolFixture], Any]] = field(default_factory=dict)
    url_args_by_endpoint: dict[str, Callable[[SchoolFixture], dict]] = field(default_factory=dict)
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    fuzz_forms: list[FuzzForm] = field(default_factory=list)
    csrf_sample_data: dict[str, Callable[[SchoolFixture], dict]] = field(default_factory=dict)
    csrf_exempt: dict[str, str] = field(default_factory=dict)
    seed_xss: Optional[Callable[[SchoolFixture, tuple], None]] = None
    seed_backup: Optional[Callable[[SchoolFixture, tuple], None]] = None


def kept(s: SchoolFixture, name: str, make: Callable[[SchoolFixture], Any]):
    """An object of the school made by `make` on first use and kept under `name`."""
    if name not in s.extra:
        s.extra[name] = make(s)
    return s.extra[name]


def kept_id(s: SchoolFixture, name: str, make: Callable[[SchoolFixture], Any]):
    """The id of a kept object, kept after the first call: routes that delete the object
    still get its (now missing) id rather than an expired instance."""
    key = f"{name}:id"
    if key not in s.extra:
        s.extra[key] = make(s).id
    return s.extra[key]
