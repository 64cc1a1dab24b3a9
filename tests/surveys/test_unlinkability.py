"""Unlinkability of access codes and responses (issue 16, part 2): spending a code and storing
the response share no transaction id (PostgreSQL's xmin, read here), no neighbouring ids and
no time finer than the day."""
from datetime import date
from itertools import combinations

from sqlalchemy import DateTime, Time, select, text

from app.extensions import db
from app.models import AccessCode, Response
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
        assert public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, date.today(), code=code)
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
    assert public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, date.today(), code=first)
    db.session.commit()
    assert not public.submit_response(link, public.link_spec(link), client_uuid, ANSWERS, date.today(), code=second)
    db.session.commit()
    used = db.session.scalars(select(AccessCode.used).where(AccessCode.target_id == target.id)).all()
    assert sorted(used) == [False, True]
