"""Survey submissions under gunicorn on this machine (`make bench`, or
`python -m bench.bench_submit`). Prints one JSON object per line:

- submit_load: 20,000 complete submissions (POST with a signed UUID, 10 % retried) from 100
  clients; throughput and p95 against a bare endpoint of the same server (`bare`).
- respondent_flow: new clients that each load the survey page (every section is on it) and
  send their answers; completed responses per second and p95 per request (target: >= 100/s,
  p95 < 250 ms).

BENCH_DATABASE_URL chooses the database (default: a new SQLite file in WAL mode);
BENCH_SCALE=0.1 runs a tenth of the load (a quick check); BENCH_WORKERS sets gunicorn's workers
(default: one per core) and BENCH_THREADS its threads per worker (default 1: the sync worker the
README's production command runs; more threads switch to gthread).
"""
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time

from tests.http_load import SMALL_ANSWERS, Gunicorn, Stats, request, signed_submission, survey_fields

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))  # 1: sync workers, as the README's production command


def _prepare(url: str):
    """Tables, the small test school and one open link-mode campaign; returns the slug."""
    from app import create_app
    from app.extensions import db
    from config import TestingConfig
    from tests.factories import make_school
    from tests.factories.surveys import make_campaign

    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        school = make_school(f"bench{random.randint(0, 10**6)}")
        campaign = make_campaign(school)
        slug = campaign.targets[0].slug
        db.session.commit()
        db.engine.dispose()
    return slug


def _timed(stats: Stats, lock, *args, **kwargs):
    started = time.perf_counter()
    status, headers, body = request("127.0.0.1", *args, **kwargs)
    elapsed = time.perf_counter() - started
    with lock:
        stats.latencies.append(elapsed)
    return status, headers, body


def _run(clients: int, per_client: int, work):
    stats, lock = Stats(), threading.Lock()
    threads = [threading.Thread(target=work, args=(i, per_client, stats, lock)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, time.perf_counter() - started


def bench_submit(port: int, slug: str, submissions: int, clients: int) -> dict:
    def work(index, n, stats, lock):
        rng = random.Random(index)
        for _ in range(n):
            body = signed_submission(slug)
            for _attempt in range(2 if rng.random() < 0.1 else 1):
                status, _h, _b = _timed(stats, lock, port, "POST", f"/s/{slug}", body)
                if status != 303:
                    stats.errors.append(status)

    stats, seconds = _run(clients, max(1, submissions // clients), work)
    return {"requests": len(stats.latencies), "errors": len(stats.errors), "seconds": round(seconds, 2),
            "per_second": round(len(stats.latencies) / seconds, 1), "p50_ms": round(stats.p(0.5) * 1000, 1),
            "p95_ms": round(stats.p(0.95) * 1000, 1)}


def bench_bare(port: int, requests_total: int, clients: int) -> dict:
    def work(index, n, stats, lock):
        for _ in range(n):
            status, _h, _b = _timed(stats, lock, port, "GET", "/_bare")
            if status != 200:
                stats.errors.append(status)

    stats, seconds = _run(clients, max(1, requests_total // clients), work)
    return {"requests": len(stats.latencies), "errors": len(stats.errors), "seconds": round(seconds, 2),
            "per_second": round(len(stats.latencies) / seconds, 1), "p95_ms": round(stats.p(0.95) * 1000, 1)}


def bench_flow(port: int, slug: str, respondents: int, clients: int) -> dict:
    """A new client per respondent: it loads the survey page and sends its answers."""
    completed = {"n": 0}

    def work(index, n, stats, lock):
        for _ in range(n):
            status, _headers, html = _timed(stats, lock, port, "GET", f"/s/{slug}")
            if status != 200:
                stats.errors.append(status)
                continue
            body = {**survey_fields(html), **SMALL_ANSWERS}
            status, headers, _b = _timed(stats, lock, port, "POST", f"/s/{slug}", body)
            location = dict((k.lower(), v) for k, v in headers).get("location", "")
            if status == 303 and location.endswith("/done"):
                with lock:
                    completed["n"] += 1
            else:
                stats.errors.append(status)

    stats, seconds = _run(clients, max(1, respondents // clients), work)
    return {"completed": completed["n"], "errors": len(stats.errors), "requests": len(stats.latencies),
            "seconds": round(seconds, 2), "completed_per_second": round(completed["n"] / seconds, 1),
            "p95_ms": round(stats.p(0.95) * 1000, 1), "target": ">= 100 responses/s, p95 < 250 ms"}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    directory = tempfile.mkdtemp(prefix="sapat-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.db"
    slug = _prepare(url)
    database = url.split(":", 1)[0]
    with Gunicorn(url, workers=WORKERS, threads=THREADS) as server:
        bare = bench_bare(server.port, int(20000 * SCALE), 100)
        submit = bench_submit(server.port, slug, int(20000 * SCALE), 100)
        print(json.dumps({"name": "submit_load", "database": database, "workers": WORKERS, "threads": THREADS,
                          "clients": 100,
                          "submissions": int(20000 * SCALE), **submit, "seconds": submit["seconds"],
                          "baseline": {"name": "bare", **bare},
                          "ratio": round(submit["per_second"] / bare["per_second"], 3) if bare["per_second"] else None,
                          "peak_rss_mb": _peak_rss_mb()}, ensure_ascii=False), flush=True)
        flow = bench_flow(server.port, slug, int(2000 * SCALE), 50)
        print(json.dumps({"name": "respondent_flow", "database": database, "workers": WORKERS, "threads": THREADS,
                          "clients": 50, **flow,
                          "baseline": {"name": "bare", "per_second": bare["per_second"]},
                          "ratio": round(flow["completed_per_second"] / bare["per_second"], 4)
                          if bare["per_second"] else None,
                          "peak_rss_mb": _peak_rss_mb()}, ensure_ascii=False), flush=True)
        errors = server.errors()
        if "Traceback" in errors:
            print(errors[-3000:], file=sys.stderr)


if __name__ == "__main__":
    main()
