"""Helpers shared by the security tests: classify routes, fill their URLs from the school
fixture, log in one client per role and snapshot every table."""
from dataclasses import dataclass
from typing import Optional

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app.extensions import db
from tests.conftest import do_login
from tests.factories import SchoolFixture
from tests.security.tables import (
    BUILTIN_PUBLIC,
    ID_ARGUMENTS,
    OVERRIDES,
    URL_ARGS_BY_ENDPOINT,
    URL_ARGS_BY_NAME,
)

MISSING_ID = 987654321


class UnmappedArgument(LookupError):
    pass


@dataclass
class Route:
    rule: Rule
    endpoint: str
    methods: tuple[str, ...]
    public: bool
    allowed_roles: Optional[tuple[str, ...]]

    @property
    def classified(self) -> bool:
        return self.public or self.allowed_roles is not None


def routes(app: Flask) -> list[Route]:
    result = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        methods = tuple(sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"}))
        result.append(Route(rule, rule.endpoint, methods,
                            public=bool(getattr(view, "public", False)) or rule.endpoint in BUILTIN_PUBLIC,
                            allowed_roles=getattr(view, "allowed_roles", None)))
    return result


def url_args(route: Route, school: SchoolFixture) -> dict:
    """The URL arguments of `route` filled with ids of `school`'s objects."""
    args = {}
    by_endpoint = URL_ARGS_BY_ENDPOINT.get(route.endpoint)
    if by_endpoint:
        args.update(by_endpoint(school))
    for name in route.rule.arguments:
        if name in args:
            continue
        if route.rule.defaults and name in route.rule.defaults:
            continue
        filler = URL_ARGS_BY_NAME.get(name)
        if filler is None:
            raise UnmappedArgument(
                f"route {route.rule.rule} ({route.endpoint}) has the URL argument <{name}> that the security "
                f"tests cannot fill: add '{name}' to URL_ARGS_BY_NAME or '{route.endpoint}' to "
                f"URL_ARGS_BY_ENDPOINT in tests/security/tables.py")
        args[name] = filler(school)
    return args


def build_url(app: Flask, route: Route, args: dict) -> str:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(route.endpoint, args, force_external=False)


def id_arguments(route: Route) -> set[str]:
    return {name for name in route.rule.arguments if name in ID_ARGUMENTS}


def user_roles(user) -> set[str]:
    return set(user.roles)


def expected_status(route: Route, role: str, roles: set[str], method: str):
    """200/302/403 or "ok" (any answer below 500 other than a refusal) for a request of
    `role` (a user holding `roles`; empty for anonymous)."""
    override = OVERRIDES.get(route.endpoint, {})
    if role in override:
        return override[role]
    if role != "anonymous" and "*" in override:
        return override["*"]
    if route.public:
        return 200 if method == "GET" else "ok"
    if role == "anonymous":
        return "login"
    if roles & set(route.allowed_roles):
        return 200 if method == "GET" else "ok"
    return 403


def outcome_matches(expected, response) -> bool:
    status = response.status_code
    if expected == "login":
        return status in (302, 303) and "/login" in response.headers.get("Location", "")
    if expected == "ok":
        refused = status in (401, 403, 404, 405) or (
            status in (302, 303) and "/login" in response.headers.get("Location", ""))
        return status < 500 and not refused
    return status == expected


def login_client(app: Flask, user):
    client = app.test_client()
    response = do_login(client, user)
    assert response.status_code == 303, f"could not log in {user.email}"
    return client


def snapshot_tables(skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, for before/after comparisons."""
    db.session.expire_all()
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            result[table.name] = [tuple(row) for row in rows]
    return result


def diff_tables(before: dict, after: dict) -> list[str]:
    changes = []
    for name in before:
        if before[name] != after.get(name):
            changes.append(f"{name}: {len(before[name])} rows -> {len(after.get(name, []))} rows"
                           + ("" if len(before[name]) != len(after.get(name, [])) else " (values changed)"))
    return changes


def record_figure(name: str, value) -> None:
    """Keep a measured figure (routes x roles, fuzz examples ...) in
    tests/artifacts/security-figures.json for the issue note."""
    import json
    import os
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "artifacts" / "security-figures.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        figures = json.loads(path.read_text())
    except (OSError, ValueError):
        figures = {}
    figures[f"{os.environ.get('SAPAT_TEST_DB', 'sqlite')}:{name}"] = value
    path.write_text(json.dumps(figures, indent=1, sort_keys=True))
