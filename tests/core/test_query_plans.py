"""No school page reads a whole large table (issue 22 §5), on PostgreSQL.

The pages of one school must cost the same whether the installation holds one school or a
district of twenty: every query that reads marks, answers, responses, observation scores,
diagnostic answers or the audit log must reach the school's rows through an index. The test
builds the demo school beside a second school, crawls every page its staff can reach (the
links of every menu page, tests/security/test_crawl.py) while recording each statement with its
parameters, then asks PostgreSQL for the plan of each statement that names a large table with
sequential scans priced out (`enable_seqscan = off`): a "Seq Scan" left in such a plan means
the query has no index path at all, which at district scale is a scan of every school's rows.
At district scale the planner then takes that path on its own (bench/bench_growth.py measures
the pages: a 20-school installation against one school).
"""
import json
import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Campaign, User
from tests.conftest import do_login
from tests.security.test_crawl import DEMO_PASSWORD, crawl

LARGE = ("mark", "answer", "response", "observation_score", "diagnostic_answer", "audit_log")
NAMES = re.compile(r'\b(?:FROM|JOIN)\s+"?(' + "|".join(LARGE) + r')"?\b', re.I)
ROLES = ("director", "mohead", "teacher", "classteacher")  # the scopes: school, association, own lessons, own class


def _seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found.extend(_seq_scans(child))
    return found


@pytest.fixture
def statements(app):
    """Every SELECT that names a large table, with its parameters, as the pages run it."""
    seen: dict[str, tuple] = {}

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and NAMES.search(statement):
            seen.setdefault(statement, parameters)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_no_school_page_scans_a_whole_large_table(app, statements):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's (make test runs this on the PostgreSQL run)")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--scale", "small", "--seed", "3"]).exit_code == 0
    statements.clear()  # the demo's own inserts and checks are not pages
    pages = 0
    for role in ROLES:
        client = app.test_client()
        user = db.session.scalar(select(User).where(User.email == f"{role}@demo.sapat.kg"))
        assert do_login(client, user, DEMO_PASSWORD).status_code == 303
        menu, dead = crawl(client, per_shape=1)
        assert not dead
        pages += len(menu)
        if role == "director":  # every campaign's results, not one of each shape
            for campaign_id in db.session.scalars(select(Campaign.id)):
                assert client.get(f"/surveys/{campaign_id}/results").status_code == 200
    assert pages > 25 and len(statements) > 50, (pages, len(statements))
    assert {name for statement in statements for name in NAMES.findall(statement)} >= {"mark", "answer"}
    scans = {}
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            for statement, parameters in statements.items():
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                found = _seq_scans(plan[0]["Plan"])
                if found:
                    scans[" ".join(statement.split())[:600]] = sorted(set(found))
            cursor.execute("RESET enable_seqscan")
    assert scans == {}, "\n\n".join(f"{tables}: {sql}" for sql, tables in scans.items())
