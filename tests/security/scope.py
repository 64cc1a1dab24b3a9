"""The crawl of the scope matrix: every page and download a role can reach, read back as
comparable text (HTML and JSON with CSRF tokens and response UUIDs masked; workbooks cell by cell, with the
time they were made masked), so that a crawl before and after adding data outside the role's
scope can be compared (tests/security/test_scope_matrix.py)."""
import io
import os
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlencode

import openpyxl
from flask import Flask

from app.extensions import db
from app.models import ExportJob
from app.services.exports import jobs
from tests.factories import SchoolFixture
from tests.security.support import build_url, routes, url_args
from tests.security.tables import (
    CANARIES,
    EXPORT_PARAMS,
    SCOPE_QUERY_VARIANTS,
    SCOPE_URL_VARIANTS,
    SCOPE_WORLDS,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Inputs whose value is new on every request: the session's CSRF token (signed with the time)
# and a survey page's response UUID with its signature.
_VOLATILE = re.compile(r'<input[^>]*name="(?:csrf_token|client_uuid|signature|_once)"[^>]*>'
                       r'|<input[^>]*value="[^"]*"[^>]*name="(?:csrf_token|client_uuid|signature|_once)"[^>]*>')
_GENERATED = re.compile(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}")


@dataclass
class Page:
    """What a role got from one URL: status, where a redirect leads, the comparable content."""

    status: int
    location: str
    content: str

    def show(self) -> str:
        return f"{self.status} {self.location}".strip()


def seed_world(school: SchoolFixture) -> None:
    for seed in SCOPE_WORLDS:
        seed(school)
    db.session.commit()


def canaries_hidden_from(role: str) -> list:
    return [c for c in CANARIES if role in c.hidden_from]


def _values(name: str, endpoint: str, school: SchoolFixture) -> list:
    fillers = SCOPE_URL_VARIANTS.get(f"{endpoint}:{name}", []) + SCOPE_URL_VARIANTS.get(name, [])
    return [value for fill in fillers for value in fill(school)]


def plan(app: Flask, school: SchoolFixture) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route with the fixture's arguments, and once more for each
    variant of each argument (another class, student, subject, teacher, register ...). Building
    it makes the objects the arguments name (kept), so call it before the first crawl."""
    urls = []
    for route in routes(app):
        if "GET" not in route.methods or route.endpoint == "static":
            continue
        args = url_args(route, school)
        urls.append((route.endpoint, build_url(app, route, args)))
        for name in route.rule.arguments:
            for value in _values(name, route.endpoint, school):
                if value != args.get(name):
                    urls.append((route.endpoint, build_url(app, route, {**args, name: value})))
    db.session.commit()
    return list(dict.fromkeys(urls))


def read(response) -> Page:
    location = response.headers.get("Location", "")
    if response.mimetype == XLSX:
        content = workbook_text(response.data)
    elif response.mimetype.startswith(("text/", "application/json", "image/svg")):
        content = _VOLATILE.sub("<volatile>", response.get_data(as_text=True))
    else:
        content = f"{response.mimetype} {len(response.data)} bytes"
    return Page(response.status_code, location, content)


def workbook_text(data: bytes) -> str:
    """Every cell of every sheet, one line a row (the time the workbook was made masked)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else _GENERATED.sub("<when>", str(v)) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                lines.append(" | ".join(cells))
    book.close()
    return "\n".join(lines)


def crawl(app: Flask, client, school: SchoolFixture, urls: list[tuple[str, str]]) -> dict[str, Page]:
    """Every URL of the plan, and every page the role opens (200) again with each query
    variant (filters by teacher, class and subject, another term and basis)."""
    pages = {}
    queries = [urlencode(fill(school)) for fill in SCOPE_QUERY_VARIANTS]
    for _endpoint, url in urls:
        page = read(client.get(url))
        pages[url] = page
        if page.status != 200:
            continue
        for query in queries:
            variant = f"{url}{'&' if '?' in url else '?'}{query}"
            pages[variant] = read(client.get(variant))
    return pages


def endpoint_of(url: str, urls: list[tuple[str, str]]) -> Optional[str]:
    base = url.split("?", 1)[0]
    for endpoint, planned in urls:
        if planned.split("?", 1)[0] == base:
            return endpoint
    return None


def build_exports(app: Flask, school: SchoolFixture, user) -> dict[str, Page]:
    """Each export-job workbook the user may build (ExportKind.roles), built at once."""
    pages = {}
    inline = app.config.get("EXPORT_JOBS_INLINE")
    app.config["EXPORT_JOBS_INLINE"] = True
    try:
        for kind in sorted(jobs.kinds(app)):
            if not jobs.may_build(user, kind, app):
                continue
            make_params = EXPORT_PARAMS[kind]  # a new kind must be declared in tests/security/<domain>.py
            if make_params is None:
                continue  # declared as no view of the school's data
            params = make_params(school)
            job = jobs.start_job(school_id=school.school.id, user_id=user.id, kind=kind, params=params, locale="en",
                                 app=app)
            db.session.expire_all()
            job = db.session.get(ExportJob, job.id)
            assert job.status == "done", (kind, job.status, job.error)
            path = jobs.take_file(job)
            with open(path, "rb") as handle:
                pages[f"export job {kind}"] = Page(200, "", workbook_text(handle.read()))
            os.remove(path)
            db.session.delete(job)  # the user's list of recent workbooks stays as it was
            db.session.commit()
    finally:
        app.config["EXPORT_JOBS_INLINE"] = inline
    return pages


def first_difference(before: str, after: str, context: int = 160) -> str:
    """Where two texts part, with a little of each."""
    i = next((k for k, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    start = max(0, i - 40)
    return f"before: …{before[start:i + context]!r}\n      after:  …{after[start:i + context]!r}"
