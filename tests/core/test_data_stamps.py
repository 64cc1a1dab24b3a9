"""Indicator values are kept between views until their school's data changes (issue 22): every
committed write of a school's rows renews its data stamp, and a view after any write shows the
new figure, whichever way the write was made."""
from sqlalchemy import select, text, update

from app.extensions import db
from app.features import installed
from app.models import AuditLog, Campaign, Mark, School
from app.services.core import instruments as instrument_service
from app.services.monitoring import indicators as indicator_service
from app.services.monitoring.calculators import Period, _computed
from tests.factories.achievement import make_assessment
from tests.factories.surveys import answer, make_campaign


def _stamps(*fixtures):
    db.session.expire_all()
    return [db.session.get(School, f.school.id).data_stamp for f in fixtures]


def _value(school, key):
    rows = indicator_service.evaluate(school.school.id, school.year)
    return next(r for r in rows if r.indicator.key == key).value


def test_a_write_renews_its_school_only(school, other_school):
    before = _stamps(school, other_school)
    assert all(before)
    make_assessment(school, marks=[5, 4, 3])
    after = _stamps(school, other_school)
    assert after[0] != before[0] and after[1] == before[1]


def test_answers_renew_nothing_and_closing_the_campaign_renews_its_school(school, other_school):
    """100 parents answering must not void the staff's kept figures: a campaign's answers are
    published only when it closes, and closing is what renews the school's stamp."""
    campaign = make_campaign(school)
    before = _stamps(school, other_school)
    answer(campaign, campaign.targets[0], {"q1": 4})
    assert _stamps(school, other_school) == before
    campaign = db.session.get(Campaign, campaign.id)
    campaign.status = "closed"
    db.session.commit()
    after = _stamps(school, other_school)
    assert after[0] != before[0] and after[1] == before[1]


def _every_calculator(school):
    fns = installed().calculators
    periods = [Period.of_year(school.year), *(Period.of_term(t) for t in school.terms)]
    db.session.expire_all()
    return {(key, p.term_id): _computed(fn, school.school.id, p) for key, fn in sorted(fns.items()) for p in periods}


def test_no_kept_figure_reads_the_answers_of_an_open_campaign(school):
    """The rule above, for every calculator: answers sent to open campaigns of every shipped
    survey change no computed value (fresh, not kept); closed, they do."""
    campaigns = []
    for key in ("parent_satisfaction", "student_lessons", "psychological_climate", "teacher_survey"):
        campaign = make_campaign(school, min_group_size=1, title=key)
        campaign.instrument_id = instrument_service.ensure_published(key).id
        campaigns.append(campaign.id)
    db.session.commit()
    before = _every_calculator(school)
    for campaign_id in campaigns:
        campaign = db.session.get(Campaign, campaign_id)
        spec = campaign.instrument.spec
        values = {}
        for item in spec.items():
            for key in item.answer_keys():
                if item.type in ("likert", "matrix"):
                    values[key] = "4"
                elif getattr(item, "options", None):
                    values[key] = item.options[0].key
        for _ in range(6):
            answer(campaign, campaign.targets[0], values)
    assert _every_calculator(school) == before
    for campaign_id in campaigns:
        db.session.get(Campaign, campaign_id).status = "closed"
    db.session.commit()
    changed = {k for k, v in _every_calculator(school).items() if v != before[k]}
    assert ("parent_satisfaction", None) in changed  # so the comparison above can fail


def test_a_bulk_statement_or_raw_sql_renews_every_school(school, other_school):
    make_assessment(school, marks=[5, 4, 3])
    before = _stamps(school, other_school)
    db.session.execute(update(Mark).values(value=2))
    db.session.commit()
    middle = _stamps(school, other_school)
    assert middle[0] != before[0] and middle[1] != before[1]
    db.session.execute(text("UPDATE mark SET value = 3"))
    db.session.commit()
    after = _stamps(school, other_school)
    assert after[0] != middle[0] and after[1] != middle[1]


def test_a_bulk_update_by_keys_and_a_write_outside_any_session_renew_every_school(school, other_school):
    assessment = make_assessment(school, marks=[5, 4, 3])
    ids = [m.id for m in db.session.scalars(select(Mark).where(Mark.assessment_id == assessment.id))]
    before = _stamps(school, other_school)
    db.session.execute(update(Mark), [{"id": i, "value": 2} for i in ids])
    db.session.commit()
    middle = _stamps(school, other_school)
    assert middle[0] != before[0] and middle[1] != before[1]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM mark"))
    assert _stamps(school, other_school)[0] != middle[0]


def test_reads_and_the_audit_trail_renew_nothing(school):
    indicator_service.evaluate(school.school.id, school.year)  # the first one writes the catalogue
    db.session.commit()
    before = _stamps(school)
    indicator_service.evaluate(school.school.id, school.year)
    db.session.add(AuditLog(school_id=school.school.id, action="view", entity="school", entity_id="1"))
    db.session.commit()
    assert _stamps(school) == before


def test_a_kept_value_gives_way_to_a_committed_write(school):
    make_assessment(school, marks=[5, 5, 2, 2])
    assert _value(school, "pass_rate") == 50.0
    assert _value(school, "pass_rate") == 50.0  # kept
    make_assessment(school, cls=school.classes[1], marks=[5, 5, 5, 5])  # 6 of 8 students pass
    assert _value(school, "pass_rate") == 75.0
    db.session.execute(text("UPDATE mark SET value = 2"))  # not committed: this session's own view
    assert _value(school, "pass_rate") == 0.0
    db.session.rollback()
    assert _value(school, "pass_rate") == 75.0


def test_the_dashboard_after_a_grid_save_shows_the_new_figure(school, login):
    assessment = make_assessment(school, marks=[5, 5, 2, 2])
    client = login(school.user("deputy"))
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "50.0" in page
    db.session.execute(update(Mark).where(Mark.assessment_id == assessment.id).values(value=5))
    db.session.commit()
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "100.0" in page


def test_a_restore_renews_every_stamp(school, tmp_path):
    """Running nodes keep values by stamp: data loaded from a backup must not match them."""
    from app.services.core import backup

    before = _stamps(school)
    path = tmp_path / "copy.jsonl.gz"
    backup.backup(db.engine, path, fmt="jsonl")
    db.session.close()
    backup.restore(db.engine, path, force=True)
    assert _stamps(school) != before
