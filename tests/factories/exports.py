"""Export jobs on the small test school."""
import secrets

from app.extensions import db
from app.models import ExportJob


def make_export_job(school, owner: str = "deputy", *, job_id=None, **values) -> ExportJob:
    """An export job of the fixture user `owner`: by default an annual workbook of the
    fixture's year, still queued, with a random id of digits (the app's ids are
    token_urlsafe); `values` set other columns. Committed."""
    fields = dict(kind="annual", params={"year": school.year.name}, locale="en", status="queued", progress=0)
    job = ExportJob(id=job_id or str(secrets.randbelow(10**20) + 10**20), school_id=school.school.id,
                    user_id=school.user(owner).id, **{**fields, **values})
    db.session.add(job)
    db.session.commit()
    return job
