"""The annual whole-school workbook (issue 17) is for the roles that see the whole school: the
director, the deputies and the experts (security.ANNUAL_ROLES). An MO head, who sees their
association's results, neither starts it nor fetches one started before; a job whose owner
lost the role is not built."""
import pytest

from app.extensions import db
from app.models import ExportJob
from app.services.exports import jobs
from tests.factories.exports import make_export_job


@pytest.fixture(autouse=True)
def _exports_dir(app, tmp_path):
    app.config["EXPORTS_DIR"] = str(tmp_path / "exports")
    yield
    app.config.pop("EXPORTS_DIR", None)


def test_an_mo_head_cannot_start_the_annual_workbook(client, login, school):
    login(school.user("mo_head"))
    assert client.post("/exports/annual", data={"year": school.year.name}).status_code == 403
    assert db.session.query(ExportJob).count() == 0
    page = client.get("/exports/").get_data(as_text=True)
    assert "/exports/annual" not in page and "the director, the deputies and the experts build it" in page
    with pytest.raises(jobs.ExportError):
        jobs.start_job(school_id=school.school.id, user_id=school.user("mo_head").id, kind="annual",
                       params={"year": school.year.name}, locale="en")


def test_an_mo_heads_earlier_annual_job_is_gone(client, login, school):
    """A job started before the rule (or before the role changed) is nobody's to fetch."""
    job = make_export_job(school, owner="mo_head", status="done", progress=100)
    login(school.user("mo_head"))
    for url in (f"/exports/jobs/{job.id}", f"/exports/jobs/{job.id}.json", f"/exports/jobs/{job.id}/download"):
        assert client.get(url).status_code == 404, url
    assert job.id not in client.get("/exports/").get_data(as_text=True)


def test_a_job_whose_owner_lost_the_role_is_not_built(app, school):
    job = make_export_job(school, owner="deputy")
    deputy = school.user("deputy")
    deputy.set_roles(["mo_head"])
    db.session.commit()
    jobs.run_job(app, job.id)
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == "failed" and job.file_path is None and "role" in job.error


@pytest.mark.parametrize("role", ["admin", "deputy", "expert"])
def test_the_whole_school_roles_build_it(client, login, school, role, app):
    app.config["EXPORT_JOBS_INLINE"] = True
    try:
        login(school.user(role))
        response = client.post("/exports/annual", data={"year": school.year.name})
    finally:
        app.config["EXPORT_JOBS_INLINE"] = False
    assert response.status_code == 303
    job = db.session.scalar(db.select(ExportJob))
    assert job.status == "done" and job.user_id == school.user(role).id
