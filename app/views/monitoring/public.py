"""The public report for parents and the community (issue 19 part 4): the director's page
(a preview of today's figures, publish, withdraw, the stable address and its QR code) and the
public page itself, open without an account, which shows the published version exactly as it
was stored (app/services/monitoring/public.py)."""
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app.extensions import db, limiter
from app.i18n import current_language
from app.security import public, requested_year, role_required, school_years
from app.services.core import clock
from app.services.core import school as school_service
from app.services.monitoring import issued
from app.services.monitoring import public as service
from app.web import flash_errors, public_url
from forms.monitoring.measures import IssueForm

bp = Blueprint("public_report", __name__)

MANAGERS = ("admin", "deputy", "expert")  # who sees the page and its address; PUBLISHERS publish
BODY = "monitoring/public/_body.html"
# A parent's phone or a proxy may keep the page but must ask again before showing it (a
# conditional GET answered 304 while the version stands): a withdrawn or republished report is
# never shown stale. A page that is gone (410) or was never there (404) is not stored at all.
CACHE_CONTROL = "public, no-cache"
GONE_CACHE_CONTROL = "no-store"


def _limit() -> str:
    """GETs of the public page per address (config PUBLIC_REPORT_RATE_LIMIT)."""
    return current_app.config.get("PUBLIC_REPORT_RATE_LIMIT", "120 per minute")


def _context(year, lang: str, issued_as=None) -> dict:
    school = current_user.school
    name = school.name_ru if lang == "ru" and school.name_ru else school.name
    return dict(year=year, lang=lang, school_name=name, previous=school_service.previous_year(year),
                issued=issued_as, **service.figures(current_user.school_id, year, lang))


@bp.route("/monitoring/public")
@role_required(*MANAGERS)
def manage():
    """Today's figures as the public page would show them, what is published, publish / withdraw."""
    year = requested_year()
    context = _context(year, current_language())
    db.session.commit()  # evaluating may give the school its catalogue
    page = service.page_of(current_user.school_id)
    url = qr = None
    if page is not None:
        import segno

        url = public_url("public_report.page", slug=page.slug)
        qr = segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    may_publish = current_user.has_role(*service.PUBLISHERS)
    form = IssueForm(issued_on=clock.today(current_user.school)) if may_publish else None
    return render_template("monitoring/public/manage.html", years=school_years(), page=page, url=url, qr=Markup(qr or ""),
                           form=form, may_publish=may_publish, **context)


def _render(year, number, issued_on, lang: str, version: int):
    """One language's title, stored HTML and figures of the version being published."""
    with force_locale(lang):
        stamp = SimpleNamespace(number=number, issued_on=issued_on, version=version,
                                author_name=current_user.full_name)
        context = _context(year, lang, stamp)
        html = render_template(BODY, **context)
        rows = [r for b in context["blocks"] for r in b.rows if not context["suppress"](r)]
        return _("Report for parents and the community"), html, issued.figures(rows, lang)


@bp.route("/monitoring/public/publish", methods=["POST"])
@role_required(*service.PUBLISHERS)
def publish():
    """Issue the year's public report (every language) and show it at the public address."""
    year = requested_year()
    back = url_for(".manage", year_id=year.id)
    form = IssueForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    number = form.number.data.strip()
    try:
        page = service.publish(school_id=current_user.school_id, year=year, number=number,
                               issued_on=form.issued_on.data, author_id=current_user.id,
                               author_name=current_user.full_name, remote_addr=request.remote_addr,
                               render=lambda lang, version: _render(year, number, form.issued_on.data, lang, version))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Another issue of this document was saved at the same moment: issue it again."), "error")
        return redirect(back)
    flash(_("Published: No. %(number)s, version %(n)d.", number=number, n=page.version), "success")
    return redirect(back)


@bp.route("/monitoring/public/withdraw", methods=["POST"])
@role_required(*service.PUBLISHERS)
def withdraw():
    """Take the public page down (its address answers 410 until the next publication)."""
    page = service.page_of(current_user.school_id)
    if page is not None and page.status == "published":
        service.withdraw(page, current_user.id, request.remote_addr)
        db.session.commit()
        flash(_("The public report was withdrawn."), "success")
    return redirect(url_for(".manage", year_id=request.args.get("year_id", type=int)))


@bp.route("/r/<slug>")
@limiter.limit(_limit, scope="public-report")
@public
def page(slug):
    """The published public report, as stored, in the reader's language (?lang=ky|ru|en)."""
    row = service.by_slug(slug)
    if row is None:
        abort(404)
    doc = service.published(row, current_language())
    if doc is None:
        status = 410 if row.status == "withdrawn" and row.version else 404
        response = make_response(render_template("monitoring/public/gone.html", code=status), status)
        response.headers["Cache-Control"] = GONE_CACHE_CONTROL
        return response
    response = make_response(render_template("monitoring/public/page.html", body=Markup(doc.html), doc=doc))
    if current_user.is_authenticated:
        return response  # the page carries the account's name: not for shared caches (no-store)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.set_etag(f"{doc.id}-{doc.version}-{doc.lang}")
    return response.make_conditional(request)
