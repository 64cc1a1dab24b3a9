"""The tables that drive the cross-cutting security tests (access matrix, CSRF, XSS crawl,
bad-input fuzzing, the backup round trip), gathered from each domain's rows in
tests/security/<domain>.py. Feature authors add rows there; the tests pick up every route
of app.url_map by themselves, so a new route either works with these tables or fails with a
message saying which row to add.

- URL_ARGS_BY_NAME: how to fill a URL argument from the `school` fixture (tests/factories).
- URL_ARGS_BY_ENDPOINT: arguments for one endpoint when the name alone is not enough.
- OVERRIDES: object-level rules, i.e. expected status codes that differ from what
  @role_required / @public imply.
- CSRF_EXEMPT: POST endpoints that carry their own token (the public survey submit).
- XSS_SEEDERS: functions that put hostile text into the objects of a feature.
- FUZZ_FORMS: forms to post random and hostile values to.
- SCOPE_WORLDS, CANARIES, SCOPE_URL_VARIANTS, SCOPE_QUERY_VARIANTS, SCHOOL_TOTALS,
  EXPORT_PARAMS: the scope matrix (test_scope_matrix.py; see Tables).
"""
from typing import Any, Callable

from tests.factories import SchoolFixture
from tests.security import (
    Canary,
    FuzzForm,
    Tables,
    achievement,
    api,
    core,
    diagnostics,
    district,
    exports,
    monitoring,
    observations,
    staff,
    surveys,
)

DOMAINS: list[Tables] = [core.TABLES, surveys.TABLES, observations.TABLES, diagnostics.TABLES, achievement.TABLES,
                         monitoring.TABLES, staff.TABLES, exports.TABLES, district.TABLES, api.TABLES]

ROLES_UNDER_TEST = ("anonymous", "admin", "deputy", "mo_head", "teacher", "class_teacher",
                    "psychologist", "nurse", "expert", "district_admin", "district_specialist")

# Endpoints that are neither role_required nor public but are fine as they are.
BUILTIN_PUBLIC = {"static"}

# argument name -> fn(school) -> value. Ids must be of objects of the given school.
URL_ARGS_BY_NAME: dict[str, Callable[[SchoolFixture], Any]] = {
    name: fill for domain in DOMAINS for name, fill in domain.url_args_by_name.items()}

# endpoint -> fn(school) -> {argument: value}
URL_ARGS_BY_ENDPOINT: dict[str, Callable[[SchoolFixture], dict]] = {
    endpoint: fill for domain in DOMAINS for endpoint, fill in domain.url_args_by_endpoint.items()}

# Arguments that are ids of school-owned objects: the matrix swaps in the other school's
# ids and expects 404 for roles that may use the route.
ID_ARGUMENTS = {"class_id", "user_id", "student_id", "subject_id", "term_id", "year_id", "ma_id",
                "teacher_id", "obj_id", "campaign_id", "target_id", "obs_id", "assessment_id", "indicator_id",
                "item_id", "job_id", "measure_id", "doc_id", "plan_id", "step_id", "school_id", "round_id", "dc_id",
                "report_id"}

# Expected status codes that differ from the decorators. endpoint -> {role: status};
# "*" stands for every logged-in role without its own entry. An entry applies to GET
# (or to POST for POST-only routes).
# Several domains may add rows of one endpoint (e.g. the district's rows for its roles).
OVERRIDES: dict[str, dict[str, int]] = {}
for _domain in DOMAINS:
    for _endpoint, _statuses in _domain.overrides.items():
        OVERRIDES.setdefault(_endpoint, {}).update(_statuses)

# POST endpoints that do not use the session's CSRF token (they must carry their own).
CSRF_EXEMPT: dict[str, str] = {endpoint: why for domain in DOMAINS for endpoint, why in domain.csrf_exempt.items()}

# POST endpoints that the access matrix does not send for roles that may use them,
# because they end the session or must not run twice (they are still checked for the
# roles that may not use them).
POST_SKIP_ALLOWED = {"auth.logout"}

# Form data that would change something if a POST without a CSRF token were accepted.
# endpoint -> fn(school) -> data; other POST routes are sent with an empty form.
CSRF_SAMPLE_DATA: dict[str, Callable[[SchoolFixture], dict]] = {
    endpoint: data for domain in DOMAINS for endpoint, data in domain.csrf_sample_data.items()}

FUZZ_FORMS: list[FuzzForm] = [form for domain in DOMAINS for form in domain.fuzz_forms]

def _with_texts(seed: Callable[[SchoolFixture, tuple], None], texts: tuple) -> Callable[[SchoolFixture], None]:
    def seeder(school: SchoolFixture) -> None:
        seed(school, texts)
    seeder.__name__ = f"{seed.__module__}.{seed.__name__}"
    return seeder


PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
)

# fn(school) that stores the payloads in a feature's objects (no commit needed).
XSS_SEEDERS: list[Callable[[SchoolFixture], None]] = [
    _with_texts(domain.seed_xss, PAYLOADS) for domain in DOMAINS if domain.seed_xss]

# fn(school) that adds a row to every table of the features before the backup round trip
# (with texts that quote, mark up and leave the Basic Multilingual Plane).
BACKUP_TEXTS = ("Айгүл \"q\" ✓", "Жалал-Абад 'x' <b>", "😀 line\nbreak")
BACKUP_SEEDERS: list[Callable[[SchoolFixture], None]] = [
    _with_texts(domain.seed_backup, BACKUP_TEXTS) for domain in DOMAINS if domain.seed_backup]


# --- the scope matrix: what each role must not see, on any page or download -----------------

SCOPE_WORLDS: list[Callable[[SchoolFixture], None]] = [d.scope_world for d in DOMAINS if d.scope_world]
CANARIES: list[Canary] = [canary for domain in DOMAINS for canary in domain.canaries]
SCOPE_URL_VARIANTS: dict[str, list[Callable[[SchoolFixture], list]]] = {}
for _domain in DOMAINS:
    for _name, _values in _domain.scope_url_variants.items():
        SCOPE_URL_VARIANTS.setdefault(_name, []).append(_values)
SCOPE_QUERY_VARIANTS: list[Callable[[SchoolFixture], dict]] = [q for d in DOMAINS for q in d.scope_query_variants]
SCHOOL_TOTALS: dict[str, str] = {endpoint: why for d in DOMAINS for endpoint, why in d.school_totals.items()}
EXPORT_PARAMS: dict[str, Callable[[SchoolFixture], dict]] = {
    kind: params for d in DOMAINS for kind, params in d.export_params.items()}
