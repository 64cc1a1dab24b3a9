"""Several app nodes (issue 22): two gunicorn instances on two ports against one PostgreSQL and
one Redis (rate limits and the job queue), with `flask worker` processes building the exports.

- a survey campaign answered through both nodes, with 10 % retries sent to the other node and
  cut connections, stores every response exactly once;
- a login and its CSRF tokens made on one node work on the other; an export started on node A
  is built by a worker and downloaded from node B, once;
- a worker killed with SIGKILL mid-job: the job is built again by the next worker; killed with
  every attempt, it fails with a message;
- the login rate limit counts the POSTs of both nodes together (Redis).

Needs PostgreSQL (SAPAT_TEST_DB=postgres) and Redis on 127.0.0.1:6379; skipped otherwise.
"""
import io
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, ExportJob, Response
from tests.factories import PASSWORD
from tests.factories.surveys import make_campaign
from tests.http_load import BASE_DIR, Gunicorn, csrf_token, cut_request, request, set_cookies, signed_submission

pytestmark = pytest.mark.slow

SUBMISSIONS = 400
CLIENTS = 20
RETRY_SHARE = 0.10
CUT_SHARE = 0.03
LEASE_SECONDS = 8  # a worker silent this long is dead (production: 120; the CI machine is loaded)


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster(app):
    """Nodes A and B (one gunicorn worker with 4 threads each) and the environment of workers."""
    if app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0] != "postgresql":
        pytest.skip("several app nodes need a database server: run with SAPAT_TEST_DB=postgres "
                    "(two nodes cannot share the tests' SQLite file over a network)")
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379 (apt-get install redis-server)")
    run = uuid.uuid4().hex[:10]
    env = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "SAPAT_CLUSTER_PREFIX": f"sapat-test-{run}",
           "QUEUE_URL": "redis://127.0.0.1:6379/0", "QUEUE_NAME": f"sapat-test-{run}", "QUEUE_IN_PROCESS": "0",
           "QUEUE_LEASE_SECONDS": str(LEASE_SECONDS), "QUEUE_MAX_ATTEMPTS": "2"}
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    with ExitStack() as stack:
        nodes = [stack.enter_context(Gunicorn(database, workers=1, threads=4, app="tests.cluster_app:app", env=env))
                 for _ in range(2)]
        yield {"a": nodes[0].port, "b": nodes[1].port, "env": env, "database": database, "nodes": nodes}
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = list(client.scan_iter(match=f"*sapat-test-{run}*"))
    if keys:
        client.delete(*keys)


@contextmanager
def worker(cluster):
    """A `flask worker` process of the cluster (one thread); yields the process."""
    log = tempfile.TemporaryFile()
    env = {**os.environ, "SAPAT_HARNESS_DB": cluster["database"], "SAPAT_ENV": "development", **cluster["env"]}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tests.cluster_app", "worker", "--threads", "1"],
                               cwd=str(BASE_DIR), env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        yield process
    except BaseException:
        log.seek(0)  # the worker's own account, beside the test's failure
        sys.stderr.write(f"worker (exit {process.poll()}):\n" + log.read()[-6000:].decode(errors="replace"))
        raise
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


class Browser:
    """One user's cookies, sent to whichever node is asked."""

    def __init__(self, cluster):
        self.cluster, self.cookies = cluster, {}

    def go(self, node, method, path, body=None):
        status, headers, data = request("127.0.0.1", self.cluster[node], method, path, body, self.cookies)
        self.cookies.update(set_cookies(headers))
        return status, dict((k.lower(), v) for k, v in headers), data

    def login(self, user, page_node="a", post_node="b"):
        _s, _h, page = self.go(page_node, "GET", "/login")
        status, headers, _d = self.go(post_node, "POST", "/login", {
            "csrf_token": csrf_token(page), "email": user.email, "password": PASSWORD})
        assert status == 303 and "/login" not in headers["location"], (status, headers)

    def job(self, node, job_id):
        import json

        status, _h, data = self.go(node, "GET", f"/exports/jobs/{job_id}.json")
        assert status == 200, status
        return json.loads(data)

    def wait(self, node, job_id, until, timeout=90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.job(node, job_id)
            if until(data):
                return data
            time.sleep(0.2)
        raise AssertionError(f"job {job_id}: {data}")


def test_a_campaign_answered_through_two_nodes_stores_every_response_once(cluster, school):
    campaign = make_campaign(school)
    slug, campaign_id = campaign.targets[0].slug, campaign.id
    db.session.commit()
    ports = [cluster["a"], cluster["b"]]
    sent, problems, counts = [], [], {"retried": 0, "cut": 0, "other_node": 0}
    lock = threading.Lock()

    def client(index):
        rng = random.Random(22_000 + index)
        mine, local = [], {"retried": 0, "cut": 0, "other_node": 0}
        status, _h, _page = request("127.0.0.1", ports[index % 2], "GET", f"/s/{slug}")
        if status != 200:
            problems.append(f"start page {status}")
            return
        for _ in range(SUBMISSIONS // CLIENTS):
            body = signed_submission(slug)
            node = rng.randrange(2)
            if rng.random() < CUT_SHARE:
                cut_request("127.0.0.1", ports[node], f"/s/{slug}", body, {}, rng.choice(["mid-body", "no-read"]))
                local["cut"] += 1
            attempts = 2 if rng.random() < RETRY_SHARE else 1
            for attempt in range(attempts):
                port = ports[(node + attempt) % 2]  # a retry goes to the other node
                local["other_node"] += attempt
                local["retried"] += attempt
                for _try in range(5):
                    try:
                        status, headers, _b = request("127.0.0.1", port, "POST", f"/s/{slug}", body)
                        break
                    except OSError:
                        time.sleep(0.1)
                else:
                    problems.append("no answer after 5 tries")
                    continue
                location = dict((k.lower(), v) for k, v in headers).get("location", "")
                if status != 303 or not location.endswith(f"/s/{slug}/done"):
                    problems.append(f"POST answered {status} {location}")
            mine.append(body["client_uuid"])
        with lock:
            sent.extend(mine)
            for key, value in local.items():
                counts[key] += value

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    logs = "".join(node.errors() for node in cluster["nodes"])
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}\n{logs[-3000:]}"
    assert len(sent) == SUBMISSIONS and counts["retried"] >= SUBMISSIONS * RETRY_SHARE * 0.5 and counts["cut"] > 0
    db.session.expire_all()
    stored = set(db.session.scalars(select(Response.client_uuid).where(Response.campaign_id == campaign_id)))
    assert db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign_id)) == len(sent)
    assert stored == set(sent)
    answers = db.session.scalar(select(func.count(Answer.id)).where(Answer.campaign_id == campaign_id))
    assert answers == 5 * len(sent)


def test_login_csrf_and_an_export_move_between_nodes(cluster, school):
    deputy = school.user("deputy")
    db.session.commit()
    browser = Browser(cluster)
    browser.login(deputy, page_node="a", post_node="b")  # the CSRF token of A's page is valid on B
    status, _h, page = browser.go("a", "GET", "/exports/")
    assert status == 200
    token = csrf_token(page)
    forged = browser.go("b", "POST", "/exports/annual", {"csrf_token": token[:-4] + "AAAA", "year": school.year.name})
    assert forged[0] == 400
    with worker(cluster):
        status, headers, _d = browser.go("a", "POST", "/exports/annual", {"csrf_token": token, "year": school.year.name})
        assert status == 303 and "/exports/jobs/" in headers["location"], status
        job_id = headers["location"].rsplit("/", 1)[1]
        data = browser.wait("b", job_id, lambda d: d["status"] in ("done", "failed"), timeout=240)
    assert data["status"] == "done", data
    status, headers, body = browser.go("b", "GET", data["download"])  # B never saw the file being built
    assert status == 200 and headers["content-disposition"].endswith("sapat-annual-2026-2027.xlsx")
    assert "Expert assessment" in openpyxl.load_workbook(io.BytesIO(body)).sheetnames
    assert browser.go("a", "GET", data["download"])[0] == 302  # one download, whichever node


def _start_slow(browser, content):
    _s, _h, page = browser.go("b", "GET", "/exports/")
    status, headers, _d = browser.go("a", "POST", "/_slow_export", {"csrf_token": csrf_token(page),
                                                                    "content": content})
    assert status == 303, status
    return headers["location"].rsplit("/", 1)[1]


def _kill_mid_job(browser, cluster, job_id, attempt):
    """Start a worker, let it build `job_id` for a while, kill it with SIGKILL."""
    def attempts():
        db.session.expire_all()
        return db.session.get(ExportJob, job_id).attempts

    with worker(cluster) as process:
        # Progress as seen by node B, of this worker's attempt (the last one's stays until recovered).
        data = browser.wait("b", job_id, lambda d: d["status"] == "running" and d["progress"] >= 10
                            and attempts() == attempt)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    return data


def test_a_worker_killed_mid_job_leaves_it_retried_or_failed(cluster, school):
    browser = Browser(cluster)
    browser.login(school.user("deputy"), page_node="b", post_node="a")

    content = f"built after a kill {uuid.uuid4()}"
    job_id = _start_slow(browser, content)
    _kill_mid_job(browser, cluster, job_id, attempt=1)
    with worker(cluster):  # the next worker finds the silent job and builds it again
        data = browser.wait("a", job_id, lambda d: d["status"] in ("done", "failed"))
    assert data["status"] == "done", data
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).attempts == 2
    status, _h, body = browser.go("b", "GET", data["download"])
    assert status == 200 and body.decode() == content

    doomed = _start_slow(browser, "never")
    _kill_mid_job(browser, cluster, doomed, attempt=1)
    _kill_mid_job(browser, cluster, doomed, attempt=2)
    # No worker is left: the status page itself finds the job silent with no attempt left.
    data = browser.wait("a", doomed, lambda d: d["status"] != "running", timeout=120)
    assert data["status"] == "failed" and "stopped 2 times" in data["error"], data
    assert data["download"] is None


def test_the_login_limit_counts_both_nodes_together(cluster, school):
    """10 login POSTs a minute per address (LOGIN_RATE_LIMIT): five on each node reach it."""
    browser = Browser(cluster)
    statuses = []
    for attempt in range(12):
        node = "ab"[attempt % 2]
        _s, _h, page = browser.go(node, "GET", "/login")
        statuses.append(browser.go(node, "POST", "/login", {
            "csrf_token": csrf_token(page), "email": f"nobody{attempt}@example.kg", "password": "wrong"})[0])
    assert 429 not in statuses[:8] and statuses[-1] == 429, statuses
