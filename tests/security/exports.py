"""Security rows of the exports: a deputy's annual-workbook job, experts' imported scores."""
from app.extensions import db
from app.models import ExpertScore
from tests.factories import SchoolFixture
from tests.factories.exports import make_export_job
from tests.security import FuzzForm, Tables, kept, kept_id


def export_job(s: SchoolFixture):
    """An annual-workbook job of the deputy, still queued (its page, status and a download
    that is not ready yet); export jobs are their owner's only. Its id is digits only: the
    anonymous check of the access matrix masks digits when it compares answers for an
    existing, a foreign and a missing id (the id is echoed in ?next=)."""
    return kept(s, "export_job", make_export_job)


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """An expert's imported scores: the expert's name, comments, indicator names, file name."""
    script, img, js = payloads
    for i, key in enumerate(("catering_coverage", "pass_rate", "quality")):
        db.session.add(ExpertScore(school_id=school.school.id, year_id=school.year.id, indicator_key=key,
                                   indicator_name=f"Indicator {payloads[i]}", expert_name=f"Expert {img}",
                                   score=3 + i % 3, comment=f"Comment {script} {js}",
                                   source_file=f"{img}.xlsx", imported_by_id=school.users["deputy"].id))
    export_job(school).download_name = f"{img}.xlsx"


TABLES = Tables(
    url_args_by_name={
        "job_id": lambda s: kept_id(s, "export_job", export_job),
    },
    overrides={
        # A job belongs to the user who started it (the deputy); nobody else sees it, not even
        # the director. Its download is not ready yet: back to the job page.
        # Any role may own a job (a refused import's list of problems), so every role but the
        # owner (the deputy) gets 404.
        "exports.job": {"*": 404, "deputy": 200},
        "exports.job_status": {"*": 404, "deputy": 200},
        "exports.download": {"*": 404, "deputy": 302},
    },
    fuzz_forms=[
        # The expert upload without a file.
        FuzzForm("exports.expert_import", "expert", {"files": "text"}, max_examples=5),
    ],
    csrf_sample_data={
        "exports.start_annual": lambda s: {"year": s.year.name},
    },
    seed_xss=seed_xss,
    seed_backup=seed_xss,
    # import_problems lists the user's own refused file, nothing of the school's data: None.
    export_params={"annual": lambda s: {"year": s.year.name}, "import_problems": None},
)
