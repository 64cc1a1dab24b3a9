"""The demo school has diagnostics: every indicator computed from diagnostics has a value from
records (last year all six, this year all but the graduates' destinations), the nurse's
health records, and the values agree with a count of the records."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Diagnostic, User
from app.services.core.demo import DEMO_DOMAIN, build_demo
from app.services.diagnostics.instruments import RULES
from app.services.monitoring import indicators as ind_service
from app.services.monitoring.calculators import Period, compute
from tests.conftest import do_login


def test_the_demo_school_has_diagnostics_behind_its_indicators(app):
    ctx = build_demo(scale="small", seed=11)
    db.session.commit()
    sid = ctx.school.id
    for key in RULES:
        result = compute(key, sid, Period.of_year(ctx.last_year))
        assert result is not None and result.n > 0 and result.value is not None, key
        now = compute(key, sid, Period.of_year(ctx.current_year))
        if key == "continuing_education":
            assert now is None  # this year's graduates have not left yet
        else:
            assert now is not None and now.n > 0, key
    # The figure is the count of the records: main group / health records of the year · 100.
    def count(*conds):
        return db.session.scalar(select(func.count(Diagnostic.id)).where(
            Diagnostic.school_id == sid, Diagnostic.year_id == ctx.current_year.id,
            Diagnostic.instrument_key == "health_groups", *conds))
    main, total = count(Diagnostic.outcome == "main"), count()
    assert compute("health_main_group", sid, Period.of_year(ctx.current_year)).value == round(100.0 * main / total, 2)
    # Every student of the current year has a health record, filled in by the nurse.
    nurse = db.session.scalar(select(User).where(User.email == f"nurse@{DEMO_DOMAIN}"))
    assert set(db.session.scalars(select(Diagnostic.filled_by_id).where(
        Diagnostic.school_id == sid, Diagnostic.instrument_key == "health_groups"))) == {nurse.id}
    rows = ind_service.evaluate(sid, ctx.current_year)
    basis = {r.indicator.key: r.basis for r in rows if r.indicator.key in RULES}
    assert {k: v for k, v in basis.items() if k != "continuing_education"} == \
        {k: "records" for k in RULES if k != "continuing_education"}
    # The nurse's page lists the classes and their health records.
    client = app.test_client()
    assert do_login(client, nurse, password="sapat-demo-2026").status_code == 303
    cls = ctx.classes[ctx.current_year.id][0]
    sheet = client.get(f"/diagnostics/class/{cls.id}?instrument=health_groups").text
    assert "Main" in sheet or "Негизги" in sheet
