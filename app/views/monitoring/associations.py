"""The methodical association level (issue 19 part 6): the list of associations a user may
open, one association's page (learning results of its subjects and teachers with the change
since the previous period, its observations, its teachers' achievements and refresher
courses, its own variable indicators), its proposals, its indicators' forms, and its annual
report (printable, issued and kept like the other issued documents)."""
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.i18n import current_language
from app.models import MethodicalAssociation, Term
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import IssuedDocument
from app.security import audit, current_principal, get_scoped_or_404, requested_year, role_required, school_years
from app.services.core import clock
from app.services.core.audit import snapshot
from app.services.monitoring import associations as service
from app.services.monitoring import indicators as ind_service
from app.services.monitoring import issued
from app.services.monitoring.labels import FIGURE_LABELS, LEVEL_LABELS, RESULT_LABELS, TEACHER_KIND_LABELS
from app.web import conflicts, flash_errors
from app.web.issuing import store_and_show
from forms.monitoring.associations import AssociationIndicatorForm, ProposalsForm
from forms.monitoring.measures import IssueForm

bp = Blueprint("associations", __name__, url_prefix="/monitoring/associations")

READERS = service.READERS


def _association(ma_id: int) -> MethodicalAssociation:
    """The association of the user's school that the user may open; otherwise a 404."""
    ma = get_scoped_or_404(MethodicalAssociation, ma_id)
    if not service.may_see(current_principal(), ma):
        abort(404)
    return ma


def ma_name(ma: MethodicalAssociation) -> str:
    return ma.name_ru if current_language() == "ru" and ma.name_ru else ma.name


def _span(year, term_id):
    if not term_id:
        return service.Span(year)
    term = get_scoped_or_404(Term, term_id)
    if term.year_id != year.id or term.kind != "quarter":
        abort(404)
    return service.Span(year, term)


def context(ma: MethodicalAssociation, span: "service.Span") -> dict:
    """What the page and the report show of an association for a span."""
    principal = current_principal()
    done, courses = service.achievements(ma, span.year.id)
    found = service.results(principal, ma, span)
    db.session.commit()  # evaluating indicators may give the school its catalogue
    note = service.proposals(ma, span.year.id)
    return dict(ma=ma, ma_name=ma_name(ma), span=span, year=span.year, results=found, change=service.change,
                observations=service.observations(principal, ma, span.year.id), achievements=done, courses=courses,
                indicator_rows=service.indicator_rows(ma, span), proposals=note.proposals if note else None,
                teachers=service.teachers(ma, span.year.id), lang=current_language(), issued=None,
                kinds=TEACHER_KIND_LABELS, levels=LEVEL_LABELS, outcomes=RESULT_LABELS, names=FIGURE_LABELS,
                school=current_user.school)


@bp.route("/")
@role_required(*READERS)
def index():
    year = requested_year()
    return render_template("monitoring/associations/index.html", year=year, years=school_years(),
                           associations=service.visible_associations(current_principal()), ma_name=ma_name)


@bp.route("/<int:ma_id>")
@role_required(*READERS)
def page(ma_id):
    ma = _association(ma_id)
    year = requested_year()
    span = _span(year, request.args.get("term_id", type=int))
    quarters = [t for t in year.terms if t.kind == "quarter"]
    return render_template("monitoring/associations/page.html", years=school_years(), quarters=quarters,
                           may_write=service.may_write(current_principal(), ma), **context(ma, span))


@bp.route("/<int:ma_id>/proposals", methods=["GET", "POST"])
@role_required(*READERS)
def proposals(ma_id):
    """The association's proposals to the school's development programme for the year."""
    ma = _association(ma_id)
    year = requested_year()
    row = service.proposals(ma, year.id)
    form = ProposalsForm(obj=row)
    stored = ProposalsForm(formdata=None, obj=row)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if valid and not conflicts.check(form, stored):
            status = 409  # changed meanwhile by someone else: nothing is saved
        elif valid:
            service.set_proposals(ma, year.id, (form.proposals.data or "").strip(), current_user.id,
                                  request.remote_addr)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("associations.page", ma_id=ma.id, year_id=year.id))
    return render_template("monitoring/associations/proposals.html", ma=ma, ma_name=ma_name(ma), year=year,
                           form=form, originals=conflicts.originals_field(stored)), status


def _indicator(ma: MethodicalAssociation, indicator_id: int) -> Indicator:
    item = get_scoped_or_404(Indicator, indicator_id)
    if item.ma_id != ma.id:
        abort(404)
    return item


@bp.route("/<int:ma_id>/indicators/new", methods=["GET", "POST"])
@role_required(*READERS)
def indicator_new(ma_id):
    """A new variable indicator of the association (§2.17), with its target."""
    ma = _association(ma_id)
    form = AssociationIndicatorForm()
    if form.validate_on_submit():
        item = Indicator(school_id=ma.school_id, ma_id=ma.id, invariant=False, source="manual",
                         responsible_role="mo_head", key=service.new_key(ma))
        form.populate_obj(item)
        item.name_en = item.name_en or item.name_ru
        db.session.add(item)
        try:
            db.session.flush()
            audit("create", "indicator", item.id, after=snapshot(item))
            db.session.commit()
        except IntegrityError:  # two new indicators at once took the same key
            db.session.rollback()
            flash(_("Another indicator was saved at the same moment: save again."), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("associations.page", ma_id=ma.id))
    return render_template("monitoring/associations/indicator_form.html", ma=ma, ma_name=ma_name(ma), form=form,
                           item=None, originals=None)


@bp.route("/<int:ma_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*READERS)
def indicator_edit(ma_id, indicator_id):
    """The association's indicator: names, method, target and threshold (a stale page's
    change of a field someone else changed meanwhile is refused with a 409)."""
    ma = _association(ma_id)
    item = _indicator(ma, indicator_id)
    form = AssociationIndicatorForm(obj=item)
    stored = AssociationIndicatorForm(formdata=None, obj=item)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if valid and not conflicts.check(form, stored):
            status = 409
        elif valid:
            before = snapshot(item)
            old_target, old_threshold = item.target, item.threshold
            form.populate_obj(item)
            ind_service.keep_past_targets(item, old_target, old_threshold)  # last year keeps its target
            item.name_en = item.name_en or item.name_ru
            audit("update", "indicator", item.id, before=before, after=snapshot(item))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("associations.page", ma_id=ma.id))
    return render_template("monitoring/associations/indicator_form.html", ma=ma, ma_name=ma_name(ma), form=form,
                           item=item, originals=conflicts.originals_field(stored)), status


@bp.route("/<int:ma_id>/report")
@role_required(*READERS)
def report(ma_id):
    """The association's annual report (A4, printable): the page's figures for the year and
    its proposals; those who may write it issue it here."""
    ma = _association(ma_id)
    ctx = context(ma, service.Span(requested_year()))
    issue_form = IssueForm(issued_on=clock.today(current_user.school)) \
        if service.may_write(current_principal(), ma) else None
    docs = db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.school_id == ma.school_id, IssuedDocument.year_id == ctx["year"].id,
        IssuedDocument.kind == service.KIND, IssuedDocument.subject == service.subject_of(ma))
        .order_by(IssuedDocument.version)).all()
    return render_template("monitoring/associations/report.html", years=school_years(), issue_form=issue_form,
                           versions=docs, **ctx)


@bp.route("/<int:ma_id>/report/issue", methods=["POST"])
@role_required(*READERS)
def issue_report(ma_id):
    """Issue the association's annual report of ?year_id: number, date, author; its figures and
    rendered HTML are stored and never recomputed; a new issue is a new version."""
    ma = _association(ma_id)
    year = requested_year()
    back = url_for("associations.report", ma_id=ma.id, year_id=year.id)
    form = IssueForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    ctx = context(ma, service.Span(year))
    subject = service.subject_of(ma)
    version = issued.next_version(ma.school_id, year.id, service.KIND, subject)
    number = form.number.data.strip()
    ctx["issued"] = SimpleNamespace(number=number, issued_on=form.issued_on.data, version=version,
                                    author_name=current_user.full_name)
    html = render_template("monitoring/associations/_report_body.html", **ctx)
    title = ctx["ma_name"]  # the archive puts the kind before it
    return store_and_show(back, school_id=ma.school_id, year_id=year.id, kind=service.KIND, subject=subject,
                          version=version, title=title, number=number, issued_on=form.issued_on.data,
                          rows=service.figures(ctx["results"]), html=html)
