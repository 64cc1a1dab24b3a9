"""Surveys for staff: campaigns, QR notices, access-code slips, results and the workbook.

The public answering pages are in surveys_public.py. Admin, deputy and psychologist run
campaigns; experts and MA heads may read results.
"""


from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import charts
from app.extensions import db
from app.i18n import current_language
from app.models import Campaign, CampaignClass, ClassGroup, Instrument
from app.security import REPORT_READERS, SURVEY_MANAGERS, audit, current_principal, get_scoped_or_404, role_required
from app.services.core import clock
from app.services.core import instruments as instrument_service
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.surveys import campaigns as campaign_service
from app.services.surveys import consistency
from app.services.surveys import public as public_service
from app.services.surveys import results as results_service
from app.web import public_url, send_xlsx, slips
from forms.surveys import ACCESS_LABELS, AUDIENCE_LABELS, STATUS_LABELS, CampaignForm, CodesForm, StatusForm

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

READERS = tuple(sorted(set(SURVEY_MANAGERS) | set(REPORT_READERS)))


def _campaign(campaign_id: int) -> Campaign:
    return get_scoped_or_404(Campaign, campaign_id)


def _managed(campaign_id: int) -> Campaign:
    """A campaign the user may manage (campaigns.may_manage); 403 for another manager's."""
    campaign = _campaign(campaign_id)
    if not campaign_service.may_manage(current_principal(), campaign):
        abort(403)
    return campaign


def _labels():
    return {"audience": AUDIENCE_LABELS, "access": ACCESS_LABELS, "status": STATUS_LABELS}


@bp.route("/")
@role_required(*READERS)
def index():
    campaigns = campaign_service.campaigns_of_school(current_user.school_id)
    return render_template("surveys/index.html", campaigns=campaigns, labels=_labels(),
                           can_manage=current_user.has_role(*SURVEY_MANAGERS), lang=current_language())


def _instrument_choices(lang):
    rows = instrument_service.versions(kind="survey")
    if not rows:
        report = instrument_service.publish_all()
        if report.errors:
            return []
        db.session.commit()
        rows = instrument_service.versions(kind="survey")
    return [(r.id, f"{r.spec.title.pick(lang)} (v{r.version})") for r in rows]


@bp.route("/new", methods=["GET", "POST"])
@role_required(*SURVEY_MANAGERS)
def new():
    lang = current_language()
    year = school_service.current_year(current_user.school_id)
    form = CampaignForm()
    form.instrument_id.choices = _instrument_choices(lang)
    classes = list(db.session.scalars(select(ClassGroup).where(
        ClassGroup.school_id == current_user.school_id, ClassGroup.year_id == (year.id if year else -1))
        .order_by(ClassGroup.grade, ClassGroup.letter)))
    form.classes.choices = [(c.id, c.name) for c in classes]
    if form.validate_on_submit():
        instrument = db.session.get(Instrument, form.instrument_id.data)
        if instrument is None or instrument.kind != "survey":
            abort(400)
        try:
            campaign = campaign_service.create_campaign(
                school_id=current_user.school_id, instrument=instrument, title=form.title.data,
                audience=form.audience.data, class_ids=form.classes.data or [], access_mode=form.access_mode.data,
                opens_on=form.opens_on.data, closes_on=form.closes_on.data,
                min_group_size=form.min_group_size.data, year_id=year.id if year else None,
                created_by_id=current_user.id, whole_school=form.whole_school.data == "yes")
        except campaign_service.SurveyError as error:
            db.session.rollback()
            # The refusal marks the field it concerns, not only the page.
            mark = {"dates": (form.closes_on, _("The closing date is before the opening date.")),
                    "unknown_class": (form.classes, _("Choose at least one class.")),
                    "no_targets": (form.classes, _("Choose at least one class."))}.get(error.code)
            if mark:
                mark[0].errors = [*mark[0].errors, mark[1]]
            flash(_("The campaign could not be created: check the classes and dates."), "error")
        else:
            audit("create", "campaign", campaign.id, after=snapshot(campaign))
            db.session.commit()
            flash(_("The campaign was created as a draft. Open it when the links are handed out."), "success")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    return render_template("surveys/form.html", form=form)


@bp.route("/<int:campaign_id>")
@role_required(*READERS)
def detail(campaign_id):
    campaign = _campaign(campaign_id)
    codes = results_service.codes_shown(campaign)
    codes_form = CodesForm()
    codes_form.target_id.choices = [(t.id, _target_label(t)) for t in campaign.targets]
    return render_template("surveys/detail.html", campaign=campaign, codes=codes, labels=_labels(),
                           status_form=StatusForm(), codes_form=codes_form, lang=current_language(),
                           can_manage=campaign_service.may_manage(current_principal(), campaign),
                           accepts=campaign_service.accepts_answers(campaign, clock.today(clock.school_zone(campaign.school_id))),
                           spec=campaign.instrument.spec)


def _target_label(target: CampaignClass) -> str:
    return _("Whole school") if target.class_id is None and target.label == "*" else target.label


@bp.route("/<int:campaign_id>/status", methods=["POST"])
@role_required(*SURVEY_MANAGERS)
def set_status(campaign_id):
    campaign = _managed(campaign_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    before = snapshot(campaign)
    try:
        campaign_service.set_status(campaign, form.status.data)
    except campaign_service.SurveyError:
        flash(_("This change of state is not possible."), "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    audit("status", "campaign", campaign.id, before=before, after=snapshot(campaign))
    db.session.commit()
    flash(_("The campaign is now: %(status)s.", status=STATUS_LABELS[campaign.status]), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/notice/<int:target_id>")
@role_required(*SURVEY_MANAGERS)
def notice(campaign_id, target_id):
    import segno

    campaign = _managed(campaign_id)
    target = _target(campaign, target_id)
    url = public_url("surveys_public.survey", slug=target.slug)
    qr = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return render_template("surveys/notice.html", campaign=campaign, target=target, url=url, qr=qr,
                           label=_target_label(target), spec=campaign.instrument.spec)


def _target(campaign, target_id) -> CampaignClass:
    target = next((t for t in campaign.targets if t.id == target_id), None)
    if target is None:
        abort(404)
    return target


@bp.route("/<int:campaign_id>/codes", methods=["POST"])
@role_required(*SURVEY_MANAGERS)
def codes(campaign_id):
    campaign = _managed(campaign_id)
    form = CodesForm()
    form.target_id.choices = [(t.id, _target_label(t)) for t in campaign.targets]
    if not form.validate_on_submit() or campaign.access_mode != "codes":
        flash(_("Choose a class and a number of codes between 1 and 200."), "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    target = _target(campaign, form.target_id.data)
    nonce = slips.new_nonce()
    issued = public_service.issue_codes(campaign, target, form.count.data, slips.secret_seed(nonce))
    audit("issue_codes", "campaign", campaign.id, after={"class": target.label, "count": len(issued)})
    db.session.commit()
    # Post/Redirect/Get: the codes are stored only as hashes; the issuer's session keeps the batch's
    # nonce for an hour (app/web/slips.py), so the slips page can be reloaded and printed, also after
    # a batch issued in another tab. A repeated POST is stopped by the once-only token.
    batch = slips.keep("survey", campaign=campaign.id, target=target.id, nonce=nonce, count=len(issued))
    return redirect(url_for(".code_slips", campaign_id=campaign.id, batch=batch), 303)


@bp.route("/<int:campaign_id>/codes/<batch>")
@role_required(*SURVEY_MANAGERS)
def code_slips(campaign_id, batch):
    campaign = _managed(campaign_id)
    kept = slips.kept("survey", batch) or {}
    target = next((t for t in campaign.targets if t.id == kept.get("target")), None)
    codes = (public_service.stored_batch(campaign, target, slips.secret_seeds(kept["nonce"]), kept["count"])
             if kept.get("campaign") == campaign.id and target is not None else [])
    if not codes:
        flash(_("These codes can no longer be shown: they are stored only as hashes and are shown for an hour "
                "after they are issued, to whoever issued them. Issue new codes if the slips were lost."), "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    url = public_url("surveys_public.survey", slug=target.slug)
    response = make_response(render_template("surveys/codes.html", campaign=campaign, target=target,
                                             codes=codes, url=url, label=_target_label(target),
                                             spec=campaign.instrument.spec))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:campaign_id>/results")
@role_required(*READERS)
def results(campaign_id):
    campaign = _campaign(campaign_id)
    data = results_service.results(campaign)
    lang = current_language()
    return render_template("surveys/results.html", campaign=campaign, r=data, lang=lang,
                           charts=_result_charts(data, lang), labels=_labels(), target_label=_target_label,
                           reliability=consistency.campaign_reliability(campaign))


def _result_charts(data, lang: str) -> dict:
    """The results page's charts: index by scale, each scale by class (suppressed classes drawn
    without a bar) and each item's answer shares, coloured by what the answers mean."""
    def option_label(option) -> str:
        return option.label.pick(lang) if hasattr(option.label, "pick") else str(option.label)

    scales = data.spec.scales
    return {
        "scales": charts.hbars([(s.title.pick(lang), data.scales[s.key]["index"]) for s in scales],
                               title=_("Index 0-100 by scale")),
        "classes": {s.key: charts.hbars([(_target_label(c["target"]), c["scales"][s.key]) for c in data.classes],
                                        title=s.title.pick(lang), missing=_("hidden")) for s in scales},
        "shares": lambda item: charts.shares([charts.Share(option_label(o), o.pct, o.rank) for o in item.options],
                                             160),
    }


@bp.route("/<int:campaign_id>/export")
@role_required(*READERS)
def export(campaign_id):
    from app.services.exports.core import new_temp_path
    from app.services.surveys import workbook as export_service

    campaign = _campaign(campaign_id)
    path = new_temp_path("sapat-campaign-")
    export_service.write_campaign_workbook(campaign, path)
    return send_xlsx(path, f"survey-{campaign.id}.xlsx")
