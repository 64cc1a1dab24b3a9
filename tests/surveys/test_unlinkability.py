"""Unlinkability of access codes and responses (issue 16, part 2): spending a code and storing
the response share no transaction id (PostgreSQL's xmin, read here), no neighbouring ids and
no time finer than the day."""
from itertools import combinations

from sqlalchemy import DateTime, Time, func, select, text

from app.extensions import db
from app.models import AccessCode, Answer, Response
from app.services.core import clock
from app.services.surveys import public
from tests.factories.surveys import make_campaign

ANSWERS = {"a": "4", "b": "2", "kids": "no"}


def spend_all(school, count=8):
    campaign = make_campaign(school, mode="codes", min_group_size=1)
    target = campaign.targets[0]
    codes = public.issue_codes(campaign, target, count)
    db.session.commit()
    link = public.public_link(target.slug)
    ids = []
    for code in codes:
        client_uuid = public.new_client_uuid()
        assert public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, clock.today(), code=code)
        db.session.commit()
        ids.append(public.response_by_uuid(target.id, client_uuid).id)
    return campaign, target, codes, ids


def test_response_ids_are_random_not_in_the_order_of_arrival(school):
    _campaign, _target, _codes, ids = spend_all(school)
    assert ids != sorted(ids)  # 8 sends: 1 in 40,320 to fail by chance
    assert min(abs(a - b) for a, b in combinations(ids, 2)) > 1000  # no neighbours
    assert max(ids) > 2 ** 31  # 1 in 2**22 x 8 to fail by chance: not a sequence


def test_no_time_finer_than_the_day():
    for table in (Response.__table__, AccessCode.__table__):
        assert not [c.name for c in table.columns if isinstance(c.type, (DateTime, Time))]


def test_code_rows_and_response_rows_share_no_transaction_id(school):
    campaign, target, codes, _ids = spend_all(school)
    if db.engine.dialect.name != "postgresql":
        return  # xmin is PostgreSQL's; the ids and columns are checked on both
    rows = lambda sql: [r[0] for r in db.session.execute(text(sql), {"t": target.id})]  # noqa: E731
    code_xmins = rows("SELECT xmin::text FROM access_code WHERE target_id = :t")
    response_xmins = rows("SELECT xmin::text FROM response WHERE target_id = :t")
    answer_xmins = rows("SELECT DISTINCT a.xmin::text FROM answer a JOIN response r ON r.id = a.response_id "
                        "WHERE r.target_id = :t")
    assert len(code_xmins) == 8 and len(set(response_xmins)) == 8
    # Every code row of the class carries the latest spend's transaction: a printed slip's row
    # does not tell when it was spent, and no response was written in that transaction.
    assert len(set(code_xmins)) == 1
    assert not set(code_xmins) & (set(response_xmins) | set(answer_xmins))
    digest = public._hash_code(campaign, codes[3])
    slip = db.session.execute(text("SELECT xmin::text FROM access_code WHERE code_hash = :h"), {"h": digest}).scalar()
    assert slip not in response_xmins


def test_a_resent_response_spends_no_second_code(school):
    campaign = make_campaign(school, mode="codes", min_group_size=1)
    target = campaign.targets[0]
    first, second = public.issue_codes(campaign, target, 2)
    db.session.commit()
    link = public.public_link(target.slug)
    client_uuid = public.new_client_uuid()
    assert public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, clock.today(), code=first)
    db.session.commit()
    assert not public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, clock.today(), code=second)
    db.session.commit()
    used = db.session.scalars(select(AccessCode.used).where(AccessCode.target_id == target.id)).all()
    assert sorted(used) == [False, True]


def test_answer_ids_do_not_tell_the_order_of_arrival(school):
    """Each response's answer rows have random ids: the smallest answer id of a response no
    longer orders the responses by arrival (it did with a sequence: 1..k, k+1..2k, ...)."""
    _campaign, target, _codes, ids = spend_all(school)
    firsts = [db.session.scalar(select(func.min(Answer.id)).where(Answer.response_id == rid)) for rid in ids]
    assert firsts != sorted(firsts)  # 1 in 40,320 to fail by chance
    every = list(db.session.scalars(select(Answer.id).where(Answer.response_id.in_(ids))))
    assert max(every) > 2 ** 31 and min(abs(a - b) for a, b in combinations(sorted(every), 2)) > 0
    if db.engine.dialect.name == "postgresql":  # no sequence behind answer.id, and it is 64-bit
        default, kind = db.session.execute(text(
            "SELECT column_default, data_type FROM information_schema.columns "
            "WHERE table_name = 'answer' AND column_name = 'id'")).one()
        assert default is None and kind == "bigint"


def test_the_migration_shuffles_the_ids_of_stored_answers(database_url, tmp_path):
    """A database of 0019 with two responses' answers numbered by a sequence (1-5, 6-10) upgrades
    to 0020: the same ten answers, ids still 1..10, no longer in the order they were stored."""
    from flask_migrate import upgrade

    from app import create_app
    from config import TestingConfig
    from tests.core.test_migrations import _drop_database, _fresh_database_url

    url, pg_name = _fresh_database_url(database_url, tmp_path)
    application = create_app(type("M", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with application.app_context():
            upgrade(revision="0019_diagnostics")
            now = "2026-09-01 08:00:00"
            statements = [
                f"INSERT INTO school (id, code, name, timezone, created_at) VALUES (1, 'old', 'Old', 'Asia/Bishkek', '{now}')",
                "INSERT INTO instrument (id, key, version, kind, title, content_hash, definition, created_at) "
                f"VALUES (1, 'k', 1, 'survey', 'T', 'h', '{{}}', '{now}')",
                "INSERT INTO campaign (id, instrument_id, title, audience, status, access_mode, min_group_size, "
                f"code_salt, school_id, created_at) VALUES (1, 1, 'C', 'parents', 'open', 'link', 5, 's', 1, '{now}')",
                "INSERT INTO campaign_class (id, campaign_id, slug, label) VALUES (1, 1, 'oldslug1', '*')",
                "INSERT INTO response (id, campaign_id, target_id, client_uuid, status, started_on, submitted_on) "
                "VALUES (7001, 1, 1, 'u1', 'complete', '2026-09-01', '2026-09-01'), "
                "(9002, 1, 1, 'u2', 'complete', '2026-09-01', '2026-09-01')",
                "INSERT INTO answer (id, response_id, campaign_id, item_key, value) VALUES " + ", ".join(
                    f"({n}, {7001 if n <= 5 else 9002}, 1, 'q{n}', {n})" for n in range(1, 11)),
            ]
            with db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT id, item_key, response_id FROM answer")).all()
            db.engine.dispose()
        assert sorted(r[0] for r in rows) == list(range(1, 11))
        assert sorted(r[1] for r in rows) == sorted(f"q{n}" for n in range(1, 11))
        assert any(r[1] != f"q{r[0]}" for r in rows)  # 1 in 3,628,800 to fail by chance
    finally:
        _drop_database(pg_name)
