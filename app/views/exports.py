"""Workbooks for experts: start an export, watch its progress, download it once; upload
experts' filled sheets and see their scores per indicator."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.security import ANNUAL_ROLES, REPORT_READERS, STAFF, audit, requested_year, role_required, school_years
from app.services.core import school as school_service
from app.services.exports import expert, jobs
from app.services.monitoring import annual as monitoring_annual
from app.services.monitoring import indicators as ind_service
from app.web import offer_problems, send_xlsx
from forms.exports import AnnualExportForm, ExpertUploadForm

bp = Blueprint("exports", __name__, url_prefix="/exports")

EXPERT_UPLOADERS = ("admin", "deputy", "expert")




def _year_choices(form):
    form.year.choices = [(y.name, y.name) for y in school_years()]
    current = school_service.current_year(current_user.school_id)
    if current and not form.year.data:
        form.year.data = current.name


@bp.route("/")
@role_required(*REPORT_READERS)
def index():
    form = AnnualExportForm()
    _year_choices(form)
    recent = [job for job in jobs.recent_jobs(school_id=current_user.school_id, user_id=current_user.id)
              if jobs.may_build(current_user, job.kind)]
    return render_template("exports/index.html", form=form, recent=recent, kinds=jobs.kinds(),
                           may_build_annual=jobs.may_build(current_user, "annual"))


@bp.route("/annual", methods=["POST"])
@role_required(*ANNUAL_ROLES)
def start_annual():
    form = AnnualExportForm()
    _year_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose an academic year."), "error")
        return redirect(url_for("exports.index"))
    job = jobs.start_job(school_id=current_user.school_id, user_id=current_user.id, kind="annual",
                         params={"year": form.year.data}, locale=current_language())
    return redirect(url_for("exports.job", job_id=job.id))


# A job's pages are its owner's only (any role: a refused import's problems are a job too).
def _own_job(job_id: str):
    job = jobs.get_job(job_id, school_id=current_user.school_id, user_id=current_user.id)
    if job is None:
        abort(404)
    return job


@bp.route("/jobs/<job_id>")
@role_required(*STAFF)
def job(job_id):
    job = _own_job(job_id)
    kind = jobs.kinds().get(job.kind)
    return render_template("exports/job.html", job=job, label=kind.label if kind else job.kind)


@bp.route("/jobs/<job_id>.json")
@role_required(*STAFF)
def job_status(job_id):
    job = _own_job(job_id)
    return jsonify({
        "status": job.status, "progress": job.progress, "error": job.error,
        "download": url_for("exports.download", job_id=job.id) if job.ready else None,
    })


@bp.route("/jobs/<job_id>/download")
@role_required(*STAFF)
def download(job_id):
    job = _own_job(job_id)
    name = job.download_name or "sapat.xlsx"
    path = jobs.take_file(job)
    if path is None:
        flash(_("This workbook is not ready, or it was already downloaded. Build it again."), "warning")
        return redirect(url_for("exports.job", job_id=job.id))
    return send_xlsx(path, name)


@bp.route("/expert/import", methods=["GET", "POST"])
@role_required(*EXPERT_UPLOADERS)
def expert_import():
    form = ExpertUploadForm()
    report = None
    if form.validate_on_submit():
        files = [(f.filename or "upload.xlsx", f.stream) for f in form.files.data if f]
        known = monitoring_annual.indicator_keys(current_user.school_id)
        report = expert.import_expert_files(files, school_id=current_user.school_id, user_id=current_user.id,
                                            known_keys=known)
        if report.ok:
            audit("import", "expert_scores", None, after={
                "files": [f.filename for f in report.files], "experts": [f.expert for f in report.files],
                "scores": report.stored})
            db.session.commit()
            flash(_("Imported %(n)d scores from %(files)d files.", n=report.stored, files=len(report.files)),
                  "success")
            year_name = report.files[0].year_name
            return redirect(url_for("exports.expert_scores", year=year_name))
        db.session.rollback()
        for f in report.files:
            f.problems_url = offer_problems([(f.filename, e) for e in f.errors], f.filename)
    status = 422 if report is not None and not report.ok else 200
    return render_template("exports/expert_import.html", form=form, report=report), status



@bp.route("/expert/scores")
@role_required(*REPORT_READERS)
def expert_scores():
    year = requested_year(param="year", by="name", required=False)
    rows = expert.score_summary(current_user.school_id, year.id) if year else []
    experts = expert.experts_of_year(current_user.school_id, year.id) if year else []
    notes = expert.comments(current_user.school_id, year.id) if year else []
    # An indicator is named in the reader's language from the catalogue (the workbook's name
    # is in the language it was exported in); its key is never shown.
    lang = current_language()
    names = {i.key: i.name_in(lang) for i in ind_service.indicators(current_user.school_id, active_only=False)}
    return render_template("exports/expert_scores.html", years=school_years(), year=year, rows=rows, experts=experts,
                           notes=notes, names=names, can_upload=current_user.has_role(*EXPERT_UPLOADERS))

