"""Concurrent survey submissions under gunicorn (2 workers x 4 threads) on the test
database (SQLite in WAL mode, or PostgreSQL): 2,000 submissions from 50 clients, 10 %
sent twice with the same UUID and some connections cut mid-request; afterwards the stored
responses are exactly the distinct UUIDs: nothing lost, nothing duplicated."""
import random
import threading
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Response
from tests.factories.surveys import make_campaign
from tests.http_load import Gunicorn, cut_request, request, signed_submission
from tests.security.support import record_figure

pytestmark = pytest.mark.slow

SUBMISSIONS = 2000
CLIENTS = 50
RETRY_SHARE = 0.10
CUT_SHARE = 0.03


def run_clients(port, slug, submissions, clients, seed=7):
    """Each client loads the survey page once, then sends its share of complete submissions,
    each with a new signed UUID; returns (uuids sent, statistics)."""
    sent: list[str] = []
    problems: list[str] = []
    counts = {"requests": 0, "retried": 0, "cut": 0}
    lock = threading.Lock()
    per_client = submissions // clients

    def client(index):
        rng = random.Random(seed * 1000 + index)
        status, headers, html = request("127.0.0.1", port, "GET", f"/s/{slug}")
        if status != 200:
            problems.append(f"start page {status}")
            return
        cookies = {}
        mine, local = [], {"requests": 1, "retried": 0, "cut": 0}
        for _ in range(per_client):
            body = signed_submission(slug)
            client_uuid = body["client_uuid"]
            if rng.random() < CUT_SHARE:
                cut_request("127.0.0.1", port, f"/s/{slug}", body, cookies,
                            rng.choice(["mid-body", "no-read"]))
                local["cut"] += 1
            attempts = 2 if rng.random() < RETRY_SHARE else 1
            local["retried"] += attempts - 1
            for _attempt in range(attempts):
                for _try in range(5):  # a refused connection (full backlog) is tried again
                    try:
                        status, headers, _body = request("127.0.0.1", port, "POST", f"/s/{slug}", body, cookies)
                        break
                    except OSError:
                        time.sleep(0.1)
                else:
                    problems.append("no answer after 5 tries")
                    continue
                local["requests"] += 1
                location = dict((k.lower(), v) for k, v in headers).get("location", "")
                if status != 303 or not location.endswith(f"/s/{slug}/done"):
                    problems.append(f"POST answered {status} {location}")
            mine.append(client_uuid)
        with lock:
            sent.extend(mine)
            for k, v in local.items():
                counts[k] += v

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent, counts, problems


def test_concurrent_submissions_are_stored_exactly_once(app, school):
    campaign = make_campaign(school)
    slug = campaign.targets[0].slug
    campaign_id = campaign.id
    db.session.commit()
    started = time.time()
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2) as server:
        sent, counts, problems = run_clients(server.port, slug, SUBMISSIONS, CLIENTS)
        log = server.errors()
    seconds = time.time() - started
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}\n{log[-3000:]}"
    assert len(sent) == SUBMISSIONS and len(set(sent)) == SUBMISSIONS
    assert counts["retried"] >= SUBMISSIONS * RETRY_SHARE * 0.6 and counts["cut"] > 0
    db.session.expire_all()
    stored = db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign_id))
    distinct = set(db.session.scalars(select(Response.client_uuid).where(Response.campaign_id == campaign_id)))
    record_figure("concurrency", {"sent": len(sent), "requests": counts["requests"], "retried": counts["retried"],
                                  "cut": counts["cut"], "stored": stored, "seconds": round(seconds, 1)})
    assert stored == len(set(sent)) == len(distinct)
    assert distinct == set(sent)
    # Every stored response is whole: its five answers, none half-written, none doubled.
    answers = db.session.scalar(select(func.count(Answer.id)).where(Answer.campaign_id == campaign_id))
    assert answers == 5 * stored
