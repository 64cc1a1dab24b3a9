"""The app of one node of the multi-node test (tests/exports/test_cluster.py): the harness app
(development settings, CSRF on, survey limits lifted) with rate limits and the job queue in
Redis as the environment says, a key prefix of the run's own, and a slow export kind for
killing a worker in the middle of a job."""
import os
import time

from flask import redirect, request, url_for
from flask_login import current_user

from app import create_app
from app.features import installed
from app.security import ANNUAL_ROLES, role_required
from app.services.exports import jobs
from tests.harness_app import HarnessConfig

SLOW_KIND = "slow-test"


class ClusterConfig(HarnessConfig):
    RATELIMIT_KEY_PREFIX = os.environ.get("SAPAT_CLUSTER_PREFIX", "sapat-cluster")


app = create_app(ClusterConfig)


def slow_build(path, school_id, params, progress):
    """`steps` pauses of `pause` seconds with progress, then a file holding `content`."""
    steps = int(params.get("steps", 40))
    for step in range(steps):
        time.sleep(float(params.get("pause", 0.25)))
        progress(100 * (step + 1) // steps)
    with open(path, "w", encoding="utf-8") as out:
        out.write(params["content"])
    return "slow.txt"


installed(app).export_kinds[SLOW_KIND] = jobs.ExportKind(SLOW_KIND, "Slow", ANNUAL_ROLES, slow_build)


@app.route("/_slow_export", methods=["POST"])
@role_required(*ANNUAL_ROLES)
def slow_export():
    job = jobs.start_job(school_id=current_user.school_id, user_id=current_user.id, kind=SLOW_KIND,
                         params={"content": request.form["content"]}, locale="en")
    return redirect(url_for("exports.job", job_id=job.id))
