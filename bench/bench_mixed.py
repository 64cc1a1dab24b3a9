"""Mixed load on two app nodes (issue 22 §5; `make bench`, or `python -m bench mixed`): two
gunicorn instances on two ports (bench/mixed_app.py) against one PostgreSQL database and one
Redis (rate limits), serving at once
- 50 staff users, logged in, each opening in turn the main staff pages (home, results, survey
  results, observations, monitoring, cyclogram), and
- 100 parents answering a survey campaign (load the page, send it; a new parent takes the place
  of one who finished),
for 240 x BENCH_SCALE seconds (requests under way then are finished and counted),
every request going to a node drawn at random (a balancer without sticky sessions: a login, a
session and a survey page's signed UUID travel between nodes; a strict alternation would send
each page of the rotation always to the same node).
Every client pauses between its requests as people do: they read a page before the next click
and fill in the form before sending it. The pause is drawn from an exponential distribution of
mean BENCH_MIXED_THINK seconds (default 7, at most ten times that: the think time of the TPC-W
web benchmark); 0 sends as fast as the nodes answer (their capacity, not people's use). So the
50 staff ask for about 7 pages a second and the 100 parents send about 7 responses a second.
Prints one JSON object per line:

- mixed_staff: staff pages' p50/p95 (target p95 < 500 ms) and per page, errors (target 0);
- mixed_respondent_flow: p50/p95 per request of the flow (target p95 < 250 ms) and of the
  whole flow (both requests, pauses left out), completed responses, errors (target 0);
- the baseline of both: the bare endpoint of the same nodes, measured in the same run just
  before by the same 150 clients at once without pauses (`per_second`: what the two nodes
  answer at most); `ratio` is p95 / the bare p95.

The school is one `demo --scale district` school (about 1,000 students, two years of marks,
surveys, observations; BENCH_MIXED_DEMO=small|large|district) with its director, its two deputies
and 47 deputies more; the parents answer an open link campaign of the small test questionnaire
(as bench_submit's respondent flow). BENCH_SCALE=0.2 is a quick run (48 s of load, under 2
minutes in all, most of the rest building the school); BENCH_WORKERS (default 2) and
BENCH_THREADS (default 1: sync workers) set each node's gunicorn. Needs PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 (rate limits); says so and skips otherwise.
"""
import json
import os
import random
import socket
import statistics
import sys
import threading
import time
import uuid
from contextlib import ExitStack

from bench.bench_growth import _p95, _pages
from bench.bench_metrics import PG_ADMIN_URL, _app, _postgres_reachable, _rss_mb
from tests.http_load import SMALL_ANSWERS, Gunicorn, csrf_token, request, set_cookies, survey_fields

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DURATION = 240 * SCALE  # seconds of mixed load
STAFF, PARENTS = 50, 100
THINK = float(os.environ.get("BENCH_MIXED_THINK", "7"))
DEMO = os.environ.get("BENCH_MIXED_DEMO", "district")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # per node
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ROTATION = ("home", "achievement", "survey_results", "observations", "monitoring", "cyclogram")
STAFF_TARGET_MS, FLOW_TARGET_MS = 500, 250
BARE_EACH = 10  # requests of the bare endpoint per client (150 clients, no pauses)


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


def _prepare(url: str) -> tuple[str, list[str], dict[str, str]]:
    """The demo school, STAFF managers who may open every page of the rotation and an open link
    campaign of the small questionnaire; returns its slug, the staff's emails and the pages."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from app.extensions import db, refresh_statistics
    from app.models import AcademicYear, ClassGroup, School, User
    from app.services.core import demo
    from tests.factories.surveys import make_campaign

    app = _app(url)
    with app.app_context():
        db.create_all()
        demo.build_demo(scale=DEMO, seed=2026)
        db.session.commit()
        who = demo.DemoSchool()
        school = db.session.scalar(select(School).where(School.code == who.code))
        director = db.session.scalar(select(User).where(User.email == f"director@{who.domain}"))
        emails = [f"{key}@{who.domain}" for key in ("director", "deputy", "upbringing")]
        for number in range(STAFF - len(emails)):
            user = User(school=school, email=f"bench-deputy-{number:02d}@{who.domain}", full_name=f"Deputy {number}",
                        password_hash=director.password_hash, locale="ky")
            user.set_roles(["deputy"])
            db.session.add(user)
            emails.append(user.email)
        pages = _pages(school.id)
        year = db.session.scalar(select(AcademicYear).where(AcademicYear.school_id == school.id)
                                 .order_by(AcademicYear.starts_on.desc()))
        classes = list(db.session.scalars(select(ClassGroup).where(ClassGroup.year_id == year.id)))
        campaign = make_campaign(SimpleNamespace(school=school, year=year, classes=classes), title="Bench campaign")
        slug = campaign.targets[0].slug
        refresh_statistics(db.session.connection())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slug, emails, {page: pages[page] for page in ROTATION}


class Client:
    """One person's cookies; each request goes to a node drawn at random."""

    def __init__(self, ports: list[int], index: int, stats: dict, lock):
        self.ports, self.cookies = ports, {}
        self.stats, self.lock = stats, lock
        self.rng = random.Random(index)

    def go(self, method, path, body=None, kind=None):
        port = self.rng.choice(self.ports)
        started = time.perf_counter()
        try:
            status, headers, data = request("127.0.0.1", port, method, path, body, self.cookies)
        except OSError as exc:
            status, headers, data = f"{type(exc).__name__}", [], b""
        elapsed = time.perf_counter() - started
        self.cookies.update(set_cookies(headers))
        if kind:
            with self.lock:
                self.stats.setdefault(kind, []).append(elapsed)
        return status, dict((k.lower(), v) for k, v in headers), data, elapsed

    def pause(self, until: float):
        """A person's pause, cut short when the load ends at `until` (time.monotonic())."""
        if THINK:
            time.sleep(max(0.0, min(10 * THINK, self.rng.expovariate(1 / THINK), until - time.monotonic())))

    def login(self, email: str, password: str) -> None:
        _s, _h, page, _t = self.go("GET", "/login")
        status, headers, _d, _t = self.go("POST", "/login", {"csrf_token": csrf_token(page), "email": email,
                                                             "password": password})
        if status != 303 or "/login" in headers.get("location", ""):
            raise RuntimeError(f"login of {email} answered {status} {headers.get('location')}")


def _warm_up(ports: list[int], email: str, pages: dict[str, str]) -> None:
    """Every page a few times on both nodes, unmeasured, so that the workers' first requests
    (templates compiled, questionnaires read) do not count as the load's."""
    from app.services.core.demo import DEMO_PASSWORD

    client = Client(ports, 0, {}, threading.Lock())
    client.login(email, DEMO_PASSWORD)
    for _ in range(2 * WORKERS):
        for path in pages.values():
            client.go("GET", path)


def _together(targets) -> float:
    threads = [threading.Thread(target=target) for target in targets]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def bench_bare(ports: list[int], requests_each: int) -> dict:
    """The bare endpoint by STAFF + PARENTS clients at once, no pauses, over both nodes."""
    stats, lock, errors = {}, threading.Lock(), []

    def work(index):
        client = Client(ports, index, stats, lock)
        for _ in range(requests_each):
            status, _h, _b, _t = client.go("GET", "/_bare", kind="bare")
            if status != 200:
                errors.append(status)

    seconds = _together([lambda i=i: work(i) for i in range(STAFF + PARENTS)])
    times = stats.get("bare", [])
    return {"requests": len(times), "errors": len(errors), "seconds": round(seconds, 2),
            "per_second": round(len(times) / seconds, 1), **_percentiles(times)}


def _percentiles(times: list[float]) -> dict:
    if not times:
        return {"p50_ms": None, "p95_ms": None}
    return {"p50_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(_p95(times) * 1000, 1)}


def bench_mixed(ports: list[int], slug: str, emails: list[str], pages: dict[str, str]) -> dict:
    from app.services.core.demo import DEMO_PASSWORD

    stats, lock = {}, threading.Lock()
    errors = {"staff": [], "flow": []}
    staff = [Client(ports, i, stats, lock) for i in range(len(emails))]
    for client, email in zip(staff, emails):  # logged in before the load starts
        client.login(email, DEMO_PASSWORD)
    flows = []
    until = time.monotonic() + DURATION

    def browse(client: Client, index: int):
        order = list(pages.items())
        order = order[index % len(order):] + order[:index % len(order)]  # not all on one page at once
        while True:
            for page, path in order:
                client.pause(until)
                if time.monotonic() > until:
                    return
                status, headers, _b, _t = client.go("GET", path, kind=f"staff:{page}")
                if status != 200:
                    errors["staff"].append(f"{page} {status} {headers.get('location', '')}")

    def answer(index: int):
        number = index
        while time.monotonic() < until:
            parent = Client(ports, number, stats, lock)  # a new parent: no cookies yet
            status, _h, html, first = parent.go("GET", f"/s/{slug}", kind="flow")
            if status != 200:
                errors["flow"].append(f"GET {status}")
            else:
                parent.pause(until)
                if time.monotonic() > until:
                    return  # the load ended before this parent sent: its page load counts, no flow
                try:
                    body = {**survey_fields(html), **SMALL_ANSWERS}
                except AssertionError:
                    body = {}  # a page without the form: its send is refused and counted
                status, headers, _b, second = parent.go("POST", f"/s/{slug}", body, kind="flow")
                if status == 303 and headers.get("location", "").endswith("/done"):
                    with lock:
                        flows.append(first + second)
                else:
                    errors["flow"].append(f"POST {status} {headers.get('location', '')}")
            parent.pause(until)
            number += PARENTS

    seconds = _together([lambda c=c, i=i: browse(c, i) for i, c in enumerate(staff)]
                        + [lambda i=i: answer(i) for i in range(PARENTS)])
    return {"seconds": seconds, "stats": stats, "errors": errors, "flows": flows}


def _records(bare: dict, mixed: dict, nodes) -> list[dict]:
    stats, seconds = mixed["stats"], mixed["seconds"]
    staff_times = [t for kind, times in stats.items() if kind.startswith("staff:") for t in times]
    flow_times = stats.get("flow", [])
    common = {"nodes": 2, "workers_per_node": WORKERS, "threads": THREADS, "database": "postgresql",
              "rate_limits": "redis", "demo": DEMO, "think_seconds": THINK, "load_seconds": DURATION,
              "seconds": round(seconds, 2),
              "baseline": {"name": "bare", "clients": STAFF + PARENTS, **bare}}
    staff = {"name": "mixed_staff", "users": STAFF, "parents_at_once": PARENTS,
             "requests": len(staff_times), "errors": len(mixed["errors"]["staff"]),
             "error_examples": mixed["errors"]["staff"][:5], "per_second": round(len(staff_times) / seconds, 1),
             **_percentiles(staff_times),
             "pages": {kind.split(":", 1)[1]: _percentiles(times) for kind, times in sorted(stats.items())
                       if kind.startswith("staff:")},
             **common, "target": f"p95 < {STAFF_TARGET_MS} ms, 0 errors"}
    flow = {"name": "mixed_respondent_flow", "parents_at_once": PARENTS, "staff_at_once": STAFF,
            "completed": len(mixed["flows"]), "requests": len(flow_times),
            "errors": len(mixed["errors"]["flow"]), "error_examples": mixed["errors"]["flow"][:5],
            "completed_per_second": round(len(mixed["flows"]) / seconds, 1), **_percentiles(flow_times),
            "flow": _percentiles(mixed["flows"]), **common, "target": f"p95 < {FLOW_TARGET_MS} ms, 0 errors"}
    for record, target in ((staff, STAFF_TARGET_MS), (flow, FLOW_TARGET_MS)):
        record["ratio"] = round(record["p95_ms"] / bare["p95_ms"], 1) if record["p95_ms"] and bare["p95_ms"] else None
        record["within_target"] = bool(record["p95_ms"] is not None and record["p95_ms"] < target
                                       and not record["errors"])
        record["peak_rss_mb"] = _rss_mb()
    logs = "".join(node.errors() for node in nodes)
    staff["server_tracebacks"] = flow["server_tracebacks"] = logs.count("Traceback")
    return [staff, flow]


def run() -> list[dict]:
    import psycopg
    import redis

    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    run_id = uuid.uuid4().hex[:8]
    name, prefix = f"sapat_mixed_{run_id}", f"sapat-bench-mixed-{run_id}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    try:
        slug, emails, pages = _prepare(url)
        env = {"RATELIMIT_STORAGE_URI": REDIS, "SAPAT_MIXED_PREFIX": prefix}
        with ExitStack() as stack:
            nodes = [stack.enter_context(Gunicorn(url, workers=WORKERS, threads=THREADS, app="bench.mixed_app:app",
                                                  env=env)) for _ in range(2)]
            ports = [node.port for node in nodes]
            _warm_up(ports, emails[0], pages)
            bare = bench_bare(ports, BARE_EACH)
            mixed = bench_mixed(ports, slug, emails, pages)
            records = _records(bare, mixed, nodes)
            logs = "".join(node.errors() for node in nodes)
            if "Traceback" in logs:
                print(logs[-3000:], file=sys.stderr)
        return records
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)


def main() -> int:
    if not _postgres_reachable() or not _redis_up():
        print(json.dumps({"name": "mixed", "skipped": "needs PostgreSQL on 127.0.0.1:5432 and Redis on "
                          "127.0.0.1:6379 (redis-server --daemonize yes)"}), flush=True)
        return 0
    records = run()
    for record in records:
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
