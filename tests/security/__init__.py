"""The rows of the cross-cutting security tests (access matrix, CSRF, XSS crawl, bad-input
fuzzing, the backup round trip), one module per domain: core, surveys, observations,
achievement, monitoring, exports, district. Each declares one `Tables`; tests/security/tables.py
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
class Canary:
    """Data outside the scope of the roles in `hidden_from` (tests/security/test_scope_matrix.py):
    once `seed(school)` has added it, no page, chart or download those roles can reach may
    change, not a figure computed with it, nor show a text of `markers`. `witness(school)` gives
    a role that may see it and URLs: the first must change when it is added, and each marker
    must show on one of them (the canary is real)."""

    name: str
    hidden_from: frozenset
    seed: Callable[[SchoolFixture], None]
    witness: Callable[[SchoolFixture], tuple[str, list[str]]]
    markers: tuple[str, ...] = ()


@dataclass
class Tables:
    """A domain's rows: how to fill URL arguments (by name, by endpoint), expected statuses
    that differ from the decorators, forms to fuzz, form data for the CSRF test, POST routes
    carrying their own token, `seed_xss(school, payloads)` storing hostile text in the domain's
    objects and `seed_backup(school, texts)` putting a row in each of its tables.

    The scope matrix (test_scope_matrix.py) uses: `scope_world(school)` (data every crawl
    starts from), `canaries` (data outside some roles' scope), `scope_url_variants` (more
    values of a URL argument to crawl, e.g. another class: argument name -> fn(school) ->
    values), `scope_query_variants` (query strings tried on every page a role can open),
    `school_totals` (endpoint -> why its figures are the whole school's by design: there a
    canary may change a figure, but its texts still must not show) and `export_params`
    (export-job kind -> fn(school) -> params, to build each workbook a role may build)."""

    url_args_by_name: dict[str, Callable[[SchoolFixture], Any]] = field(default_factory=dict)
    url_args_by_endpoint: dict[str, Callable[[SchoolFixture], dict]] = field(default_factory=dict)
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    fuzz_forms: list[FuzzForm] = field(default_factory=list)
    csrf_sample_data: dict[str, Callable[[SchoolFixture], dict]] = field(default_factory=dict)
    csrf_exempt: dict[str, str] = field(default_factory=dict)
    seed_xss: Optional[Callable[[SchoolFixture, tuple], None]] = None
    seed_backup: Optional[Callable[[SchoolFixture, tuple], None]] = None
    scope_world: Optional[Callable[[SchoolFixture], None]] = None
    canaries: list[Canary] = field(default_factory=list)
    scope_url_variants: dict[str, Callable[[SchoolFixture], list]] = field(default_factory=dict)
    scope_query_variants: list[Callable[[SchoolFixture], dict]] = field(default_factory=list)
    school_totals: dict[str, str] = field(default_factory=dict)
    export_params: dict[str, Optional[Callable[[SchoolFixture], dict]]] = field(default_factory=dict)


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
