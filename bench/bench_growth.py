"""Growth with the installation (issue 22 §5): the main staff pages of one school's director at
1, 5 and 20 schools in the installation (`demo --scale district`: about 1,000 students each, two
years of marks, surveys, observations). The 1-school figures are the baseline measured in the
same run; the target is p95(20 schools) / p95(1 school) <= 1.2 for every page: a school's page
must not cost more because other schools exist. At each size the same run also measures:
- the district specialist's pages over all the schools (`/district/`, `/district/results`,
  `/district/rating`; target: p95 under 1 s at 20 schools), the schools making the demo district;
- the annual workbook of school 1 (`growth_<engine>_annual_workbook`, seconds, best of 3; target:
  the 20-school time within 1.2x of the 1-school time);
- on PostgreSQL, the plans of every statement school 1's pages ran that reads a large table
  (marks, answers, responses, observation scores, diagnostic answers, audit log), taken at the
  largest size: `seq_scans` counts those that read a whole large table (target 0).

    python -m bench growth
    BENCH_GROWTH_STEPS=1,5 BENCH_GROWTH_SCALE=small python -m bench growth   # a quick look

SQLite, then PostgreSQL when 127.0.0.1:5432 answers. Each size is its own database (the smaller
one copied, then grown), so that all sizes are measured together, taking turns request by request:
the noise of a shared machine falls on every size alike. Requests go through the Flask test client
(the whole app: routing, session, queries, templates), each page REQUESTS times after WARMUP.
"""
import json
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.bench_metrics import PG_ADMIN_URL, _app, _postgres_reachable, _rss_mb

STEPS = [int(n) for n in os.environ.get("BENCH_GROWTH_STEPS", "1,5,20").split(",")]
SCALE = os.environ.get("BENCH_GROWTH_SCALE", "district")
REQUESTS, WARMUP = 30, 3
TARGET = 1.2


def _pages(school_id: int) -> dict[str, str]:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Campaign

    campaign = db.session.scalar(select(Campaign.id).where(Campaign.school_id == school_id).order_by(Campaign.id))
    return {"home": "/", "monitoring": "/monitoring/", "achievement": "/achievement/",
            "dynamics": "/achievement/dynamics", "surveys": "/surveys/",
            "survey_results": f"/surveys/{campaign}/results", "observations": "/observations/",
            "cyclogram": "/cyclogram/"}


def _grow(url: str, have: int, want: int) -> float:
    """Build schools have+1 ... want in the database at `url`; returns the seconds it took."""
    from app.extensions import db, refresh_statistics
    from app.services.core import demo

    app = _app(url)
    start = time.perf_counter()
    with app.app_context():
        if not have:
            db.create_all()
        for number in range(have + 1, want + 1):
            demo.build_demo(scale=SCALE, seed=2026 + number, who=demo.district_school(number))
            db.session.commit()
            db.session.expunge_all()
        _district_of_all()
        refresh_statistics(db.session.connection())
        db.session.commit()
        db.session.remove()
        built = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            # Settle the new rows before timing: otherwise autovacuum's VACUUM of the tables just
            # loaded (their visibility maps) runs during the larger sizes' requests and shows as
            # their p95 alone (survey results and observations at 20 schools: p95 x1.9, p50 x1.1).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
        db.engine.dispose()
    return built


def _district_of_all() -> None:
    """Every school of the installation in the demo district (made with its staff on first use)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import District, School
    from app.services.district import demo as district_demo

    district = db.session.scalar(select(District).where(District.code == district_demo.DISTRICT_CODE))
    loose = list(db.session.scalars(select(School).where(School.district_id.is_(None))))
    if district is None:
        district_demo.new_district(loose)
    else:
        for school in loose:
            school.district_id = district.id


DISTRICT_PAGES = {"district_home": "/district/", "district_results": "/district/results",
                  "district_rating": "/district/rating"}
LARGE = ("mark", "answer", "response", "observation_score", "diagnostic_answer", "audit_log")


def _login(app, email: str):
    from app.services.core.demo import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303, (email, response.status_code)
    return client


def _client(url: str):
    """(app, {page: (client, url)}): school 1's director's pages and the district's pages."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import School
    from app.services.core.demo import DEMO_SCHOOL_CODE, DemoSchool

    app = _app(url)
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        pages = _pages(db.session.scalar(select(School.id).where(School.code == DEMO_SCHOOL_CODE)))
    director = _login(app, f"director@{DemoSchool().domain}")
    specialist = _login(app, "district-specialist@demo.sapat.kg")
    return app, {**{page: (director, path) for page, path in pages.items()},
                 **{page: (specialist, path) for page, path in DISTRICT_PAGES.items()}}


def _timings(urls: dict[int, str]) -> dict[int, dict[str, list[float]]]:
    """Milliseconds per request, per installation size and page. The sizes take turns request by
    request, so that the machine's noise falls on all of them alike."""
    from app.extensions import db

    clients = {n: _client(url) for n, url in urls.items()}
    times: dict[int, dict[str, list[float]]] = {n: {} for n in urls}
    for page in clients[min(urls)][1]:
        for i in range(WARMUP + REQUESTS):
            for n, (_, pages) in clients.items():
                client, path = pages[page]
                start = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (n, path, response.status_code)
                if i >= WARMUP:
                    times[n].setdefault(page, []).append(elapsed)
    for app, _ in clients.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return times


def _annual_seconds(url: str) -> float:
    """Seconds to build school 1's annual workbook (best of 3) in the database at `url`."""
    from app.extensions import db
    from bench.workbooks import annual

    app = _app(url)
    best = float("inf")
    with app.app_context(), tempfile.TemporaryDirectory() as directory:
        for _ in range(3):
            start = time.perf_counter()
            annual(str(Path(directory) / "annual.xlsx"))
            best = min(best, time.perf_counter() - start)
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return best


def _seq_scans(url: str) -> dict:
    """School 1's director's pages at `url` (PostgreSQL): the statements that read a large table
    and, among them, those whose plan reads a whole large table."""
    import re

    from sqlalchemy import event

    from app.extensions import db

    names = re.compile(r'\b(?:FROM|JOIN)\s+"?(' + "|".join(LARGE) + r')"?\b', re.I)
    app, pages = _client(url)
    seen: dict[str, object] = {}

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and names.search(statement):
            seen.setdefault(statement, parameters)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        for page, (client, path) in pages.items():
            if not page.startswith("district"):
                client.get(path)
        event.remove(db.engine, "before_cursor_execute", record)
        scans = []
        with db.engine.connect() as conn, conn.connection.dbapi_connection.cursor() as cursor:
            for statement, parameters in seen.items():
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                stack = [plan[0]["Plan"]]
                while stack:
                    node = stack.pop()
                    stack.extend(node.get("Plans", []))
                    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE:
                        scans.append({"table": node["Relation Name"], "sql": " ".join(statement.split())[:300]})
        db.session.remove()
        db.engine.dispose()
    return {"statements": len(seen), "seq_scans": len(scans), "examples": scans[:5]}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _records(engine_name: str, times, builds: dict[int, float], annual: dict[int, float]) -> list[dict]:
    first = min(times)
    records = [{"name": f"growth_{engine_name}_annual_workbook", "schools": n, "scale": SCALE,
                "seconds": round(annual[n], 3), "baseline": {"schools": first, "seconds": round(annual[first], 3)},
                "ratio": round(annual[n] / annual[first], 2), "target": TARGET,
                "within_target": annual[n] / annual[first] <= TARGET, "peak_rss_mb": _rss_mb()}
               for n in sorted(annual)]
    for n in sorted(times):
        for page, values in times[n].items():
            base = times[first][page]
            p50, p95 = statistics.median(values), _p95(values)
            ratio = round(p95 / _p95(base), 2)
            within = p95 < 1000 if page.startswith("district") else ratio <= TARGET
            records.append({"name": f"growth_{engine_name}_{page}", "schools": n, "scale": SCALE,
                            "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "seconds": round(p50 / 1000, 4),
                            "peak_rss_mb": _rss_mb(),
                            "baseline": {"schools": first, "p50_ms": round(statistics.median(base), 1),
                                         "p95_ms": round(_p95(base), 1)},
                            "ratio": ratio, "p50_ratio": round(p50 / statistics.median(base), 2),
                            "target": "p95 < 1000 ms" if page.startswith("district") else TARGET,
                            "within_target": within,
                            "build_seconds": round(builds[n], 1)})
    return records


def run_sqlite() -> list[dict]:
    directory = tempfile.mkdtemp(prefix="sapat-bench-")
    try:
        urls, builds, have, previous = {}, {}, 0, None
        for n in STEPS:
            path = Path(directory) / f"schools-{n}.db"
            if previous:
                shutil.copyfile(previous, path)
            urls[n] = f"sqlite:///{path}"
            builds[n] = _grow(urls[n], have, n)
            have, previous = n, path
        return _records("sqlite", _timings(urls), builds, {n: _annual_seconds(u) for n, u in urls.items()})
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_postgres() -> list[dict]:
    import psycopg

    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    run = uuid.uuid4().hex[:8]
    names = {n: f"sapat_growth_{run}_{n}" for n in STEPS}
    try:
        builds, have, previous = {}, 0, None
        for n in STEPS:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                template = f' TEMPLATE "{previous}"' if previous else ""
                conn.execute(f'CREATE DATABASE "{names[n]}"{template}')
            builds[n] = _grow(f"{base}/{names[n]}", have, n)
            have, previous = n, names[n]
        urls = {n: f"{base}/{name}" for n, name in names.items()}
        records = _records("postgresql", _timings(urls), builds, {n: _annual_seconds(u) for n, u in urls.items()})
        plans = _seq_scans(urls[max(urls)])
        records.append({"name": "growth_postgresql_query_plans", "schools": max(urls), "scale": SCALE, **plans,
                        "target": 0, "within_target": plans["seq_scans"] == 0})
        return records
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    for record in run_sqlite():
        print(json.dumps(record, ensure_ascii=False), flush=True)
    if not _postgres_reachable():
        print(json.dumps({"name": "growth_postgresql", "skipped": "127.0.0.1:5432 not reachable"}), flush=True)
        return
    for record in run_postgres():
        print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
