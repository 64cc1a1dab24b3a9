"""District campaigns (thin views; the rules are in app/services/district/campaigns.py): the list,
a new campaign across the chosen schools, its results per school and for the district with each
school's links, its state (open, close: all parts together) and each school's printable QR notices."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.models import Instrument
from app.security import role_required
from app.services.core import instruments as instrument_service
from app.services.district import access
from app.services.district import campaigns as service
from app.web import public_url
from app.web.changes import commit_change
from forms.district import DistrictCampaignForm, DistrictStatusForm
from forms.surveys import AUDIENCE_LABELS, STATUS_LABELS

bp = Blueprint("district_campaigns", __name__, url_prefix="/district/campaigns")


def _campaign(district, dc_id):
    found = service.get(district.id, dc_id)
    if found is None:
        abort(404)
    return found


def _labels():
    return {"audience": AUDIENCE_LABELS, "status": STATUS_LABELS}


@bp.route("/")
@role_required(*access.READERS)
def index():
    district = access.current_district(current_user)
    return render_template("district/campaigns.html", district=district, campaigns=service.campaigns_of(district.id),
                           labels=_labels(), can_run=current_user.has_role(*access.RUNNERS), lang=current_language())


ERRORS = {
    "no_schools": lambda p: _("Choose at least one school."),
    "unknown_school": lambda p: _("Choose at least one school."),
    "no_classes": lambda p: _("The school %(school)s has no classes this year.", school=p.get("school", "")),
    "not_a_survey": lambda p: _("Choose a questionnaire."),
    "audience": lambda p: _("Choose who answers."),
}


@bp.route("/new", methods=["GET", "POST"])
@role_required(*access.RUNNERS)
def new():
    district = access.current_district(current_user)
    schools = access.schools(district.id)
    lang = current_language()
    form = DistrictCampaignForm()
    form.instrument_id.choices = [(r.id, f"{r.spec.title.pick(lang)} (v{r.version})")
                                  for r in instrument_service.versions(kind="survey")]
    form.schools.choices = [(s.id, s.name_ru if lang == "ru" and s.name_ru else s.name) for s in schools]
    if request.method == "GET":
        form.schools.data = [s.id for s in schools]
        shipped = next((r for r in instrument_service.versions(kind="survey") if r.key == "parent_satisfaction"), None)
        if shipped is not None:
            form.instrument_id.data = shipped.id
    if form.validate_on_submit():
        done = commit_change(
            lambda: service.create(district, instrument=db.session.get(Instrument, form.instrument_id.data),
                                   title=form.title.data, audience=form.audience.data,
                                   school_ids=form.schools.data or [], min_group_size=form.min_group_size.data,
                                   user_id=current_user.id, remote_addr=request.remote_addr),
            service.DistrictCampaignError, field=form.schools, says=lambda error: ERRORS[error.code](error.params),
            success=lambda created: _("The district campaign was created as a draft in %(n)d schools. Open it when "
                                      "the links are handed out.", n=len(created.parts)),
            to=lambda created: url_for(".detail", dc_id=created.id))
        return done or (render_template("district/campaign_form.html", district=district, form=form), 422)
    return render_template("district/campaign_form.html", district=district, form=form)


@bp.route("/<int:dc_id>")
@role_required(*access.READERS)
def detail(dc_id):
    district = access.current_district(current_user)
    return _detail_page(district, _campaign(district, dc_id))


def _detail_page(district, dc, status: int = 200):
    data = service.results(dc)
    links = {part.id: [(t, public_url("surveys_public.survey", slug=t.slug)) for t in part.targets]
             for _s, part, _f in data.schools}
    return render_template("district/campaign.html", district=district, dc=dc, data=data, links=links,
                           labels=_labels(), form=DistrictStatusForm(), lang=current_language(),
                           can_run=current_user.has_role(*access.RUNNERS)), status


@bp.route("/<int:dc_id>/status", methods=["POST"])
@role_required(*access.RUNNERS)
def set_status(dc_id):
    district = access.current_district(current_user)
    dc = _campaign(district, dc_id)
    form = DistrictStatusForm()
    if not form.validate_on_submit():
        abort(400)
    if form.current.data != dc.status:  # a stale page: someone changed the state since it was shown
        flash(_("The campaign's state was changed meanwhile: the page showed %(old)s, it is now %(new)s. Nothing was changed.",
                old=STATUS_LABELS.get(form.current.data, "?"), new=STATUS_LABELS[dc.status]), "error")
        return _detail_page(district, dc, 409)
    back = url_for(".detail", dc_id=dc.id)
    return commit_change(
        lambda: service.set_status(dc, form.status.data, user_id=current_user.id, remote_addr=request.remote_addr),
        service.DistrictCampaignError, says=lambda error: _("This change of state is not possible."),
        success=lambda result: _("The campaign is now: %(status)s.", status=STATUS_LABELS[dc.status]),
        to=back) or redirect(back, code=303)


@bp.route("/<int:dc_id>/schools/<int:school_id>/notices")
@role_required(*access.READERS)
def notices(dc_id, school_id):
    import segno

    district = access.current_district(current_user)
    dc = _campaign(district, dc_id)
    school = access.school_of(district.id, school_id)
    part = service.part_of(dc, school_id) if school is not None else None
    if part is None:
        abort(404)
    sheets = []
    for target in part.targets:
        url = public_url("surveys_public.survey", slug=target.slug)
        sheets.append({"target": target, "url": url, "label": target.label,
                       "qr": segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")})
    return render_template("district/campaign_notices.html", district=district, dc=dc, school=school, part=part,
                           sheets=sheets, spec=dc.instrument.spec)
