"""Shared view helpers: streaming a workbook, an all-or-nothing upload page, an audited save,
and the one list/add/edit/delete flow of school-owned tables (`Resource`, `Crud`).

Views stay thin: they parse a form, call a service and render; what several domains' views
do the same way lives here. Rules (who may see what, which dates are allowed, what may be
deleted) are services' or forms' own: this module only applies what a resource declares.
"""
import os
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Optional

from flask import Blueprint, Request, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from app.extensions import db
from app.i18n import display
from app.models import AcademicYear
from app.security import audit, get_scoped_or_404, requested_year, role_required, school_years, scoped
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.services.core.xlsx_input import refresh_statistics_after

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(path: str, download_name: str):
    """Stream a finished workbook from its temporary file and delete the file.

    The file is opened and then unlinked at once: the open handle keeps it readable while
    it streams (send_file's direct passthrough never calls a response's on-close hooks,
    so deleting "after the response" would never happen).
    """
    handle = open(path, "rb")
    size = os.fstat(handle.fileno()).st_size
    os.remove(path)
    response = send_file(handle, as_attachment=True, download_name=download_name, max_age=0,
                         mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return response


def run_upload_import(form, importer, *, entity: str, template: str, success, done_url: str):
    """The upload page of an all-or-nothing .xlsx import for the current year (the web twin
    of cli.run_import). A valid file is audited, committed and followed by a redirect to
    `done_url` with the `success(summary)` message; a file with problems writes nothing and
    the page lists them row by row with status 422."""
    report = None
    if form.validate_on_submit():
        year = school_service.current_year(current_user.school_id)
        if year is None:
            flash(_("Create an academic year first."), "error")
        else:
            report = importer(form.file.data.stream, school_id=current_user.school_id, year_id=year.id)
            if report.ok:
                audit("import", entity, None, after=report.summary())
                db.session.commit()
                refresh_statistics_after(report)
                flash(success(report.summary()), "success")
                return redirect(done_url)
            db.session.rollback()
            report.problems_url = offer_problems([("", e) for e in report.errors], form.file.data.filename or "")
    status = 422 if report is not None and not report.ok else 200
    return render_template(template, form=form, report=report), status


def offer_problems(problems: list, filename: str) -> Optional[str]:
    """When a refused file has more problems than a page lists, start the export job that
    writes them all into a workbook for the current user; returns its page (else None)."""
    from flask import url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    from app.i18n import current_language
    from app.services.core.xlsx_input import errors_shown
    from app.services.exports import problems as problems_service

    if len(problems) <= errors_shown():
        return None
    job = problems_service.start_problems_job(
        problems, school_id=current_user.school_id, user_id=current_user.id, locale=current_language(),
        title=_("Problems found in %(file)s", file=filename[:100]))
    return url_for("exports.job", job_id=job.id)


def public_url(endpoint: str, **values) -> str:
    """The full address of a page as printed for people outside (QR notices, code slips, the
    links of a campaign): PUBLIC_BASE_URL + the path when it is set, else the request's own
    host (development on a LAN; production requires PUBLIC_BASE_URL or TRUSTED_HOSTS, so the
    Host header of a request can never put another site's address on paper)."""
    from flask import current_app, url_for

    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def set_private_cookie(response, name: str, value: str, *, max_age: int) -> None:
    """A cookie no script reads, sent over https only in production (SESSION_COOKIE_SECURE),
    and not on cross-site requests."""
    from flask import current_app

    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def set_lang_cookie(response, lang: str) -> None:
    """The language choice, kept a year (HttpOnly, Secure in production, SameSite=Lax)."""
    set_private_cookie(response, "lang", lang, max_age=365 * 24 * 3600)


def save_audited(obj, *, is_new: bool, before: Optional[dict]) -> bool:
    """Flush, audit (create or update, before → after) and commit an object a form filled in.
    When a unique constraint refuses it, roll back, flash "Such a record already exists."
    and return False, so that the view shows the form again."""
    try:
        db.session.flush()
        audit("create" if is_new else "update", obj.__tablename__, obj.id, before=before, after=snapshot(obj))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Such a record already exists."), "error")
        return False
    return True


def flash_errors(form) -> None:
    """Every message of a refused form as an error banner (for forms posted from another page,
    which is shown again after the redirect)."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")


def local_url(target: Optional[str], default: str) -> str:
    """`target` when it is a path on this site ("/..."), else `default`: a redirect taken
    from a form never leads to another site ("//host/..." or "https://...")."""
    target = target or ""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else default


# --- tables of school-owned objects: one list page, one form page -------------------------

class Column(NamedTuple):
    """A column of a list page: its heading, the cell of an object, and optionally the URL
    the cell links to."""

    label: Any
    get: Callable[[Any], Any]
    link: Optional[Callable[[Any], str]] = None


class Filter(NamedTuple):
    """A choice above a list page: ?<column>=<value> keeps the objects with that value
    (`labels` maps the values to their texts)."""

    column: str
    label: Any
    labels: dict


@dataclass
class Table:
    """A summary above a list page: a heading, column headings and (row label, cells) rows."""

    title: Any
    columns: list
    rows: list[tuple[Any, list]]


def _no_choices(form, year) -> None:
    return None


def _nothing_to_stamp(obj, is_new: bool) -> None:
    return None


def _never_in_use(obj) -> Optional[str]:
    return None


@dataclass
class Resource:
    """One kind of school-owned object with a list page and an add / edit / delete form.

    Declared, not coded: `columns` of the list, `order_by()` its order, `filters` by a
    column's value, `summary(school_id, year)` a Table above it (or None). `read` and
    `write` are the roles that may see the list and that may add, edit and delete (writers
    may read). `yearly` objects have a year_id: the list shows the page's year and a saved
    object gets it, or, with `date_field`, the year containing that date. `choices(form,
    year)` fills the form's select fields; `owned` names the form fields that must be ids of
    the school's objects (field -> model; another school's id is a 404); `stamp(obj,
    is_new)` sets what the form does not carry (after the form's values, before the audited
    save); `in_use(obj)` says why the object may not be deleted, or None."""

    key: str
    model: type
    form: type
    title: Any
    columns: list[Column]
    order_by: Callable[[], list]
    read: tuple = ()
    write: tuple = ()
    yearly: bool = False
    date_field: Optional[str] = None
    filters: list[Filter] = field(default_factory=list)
    summary: Optional[Callable[[int, AcademicYear], Optional[Table]]] = None
    owned: dict = field(default_factory=dict)
    choices: Callable[[Any, Optional[AcademicYear]], None] = _no_choices
    stamp: Callable[[Any, bool], None] = _nothing_to_stamp
    in_use: Callable[[Any], Optional[str]] = _never_in_use

    def may_read(self, user) -> bool:
        return user.has_role(*self.read, *self.write)

    def may_write(self, user) -> bool:
        return user.has_role(*self.write)


class Crud:
    """The pages of a blueprint's resources, rendered by templates/_crud/list.html and
    form.html: GET /<key>/ (endpoint `<name>_list`), GET|POST /<key>/new (`<name>_new`),
    GET|POST /<key>/<obj_id> (`<name>_edit`), POST /<key>/<obj_id>/delete (`<name>_delete`).

    `list_roles` and `write_roles` guard the routes (each resource's own `read` / `write`
    then apply: 403). With `by_year` the pages carry ?year_id= (the year picker; the
    school's current year by default; another school's year is a 404). The words that
    differ between blueprints are given: `new_label` (the form's heading for a new object),
    `empty_label` (an empty list), `count_label(n)` (a line above the list, or None), and
    `show(value)` formats a cell (the reader's locale by default)."""

    def __init__(self, name: str, resources: list[Resource], *, list_roles: tuple, write_roles: tuple,
                 new_label: Any, empty_label: Any, count_label: Optional[Callable[[int], str]] = None,
                 show: Callable[[Any], Any] = display, by_year: bool = False, stylesheet: Optional[str] = None):
        self.name, self.blueprint = name, None
        self.resources = {r.key: r for r in resources}
        self.list_roles, self.write_roles = list_roles, write_roles
        self.new_label, self.empty_label, self.count_label = new_label, empty_label, count_label
        self.show, self.by_year, self.stylesheet = show, by_year, stylesheet

    def install(self, bp: Blueprint) -> None:
        self.blueprint = bp.name
        bp.add_url_rule("/<key>/", f"{self.name}_list", role_required(*self.list_roles)(self.list_page))
        bp.add_url_rule("/<key>/new", f"{self.name}_new", role_required(*self.write_roles)(self.new_page),
                        methods=["GET", "POST"])
        bp.add_url_rule("/<key>/<int:obj_id>", f"{self.name}_edit",
                        role_required(*self.write_roles)(self.edit_page), methods=["GET", "POST"])
        bp.add_url_rule("/<key>/<int:obj_id>/delete", f"{self.name}_delete",
                        role_required(*self.write_roles)(self.delete_page), methods=["POST"])

    def endpoint(self, action: str) -> str:
        return f"{self.blueprint}.{self.name}_{action}"

    def visible(self) -> list[Resource]:
        """The resources the current user may read, in their declared order."""
        return [r for r in self.resources.values() if r.may_read(current_user)]

    def _resource(self, key: str, write: bool = False) -> Resource:
        resource = self.resources.get(key)
        if resource is None:
            abort(404)
        if not (resource.may_write(current_user) if write else resource.may_read(current_user)):
            abort(403)
        return resource

    def _page_year(self, resource: Resource, obj=None) -> Optional[AcademicYear]:
        if not self.by_year:
            return None
        if obj is not None and resource.yearly:
            return db.session.get(AcademicYear, obj.year_id)
        return requested_year(required=False)

    def list_page(self, key):
        resource = self._resource(key)
        year = self._page_year(resource)
        model = resource.model
        stmt = scoped(model)
        if resource.yearly and year is not None:
            stmt = stmt.where(model.year_id == year.id)
        active = {}
        for choice in resource.filters:
            value = request.args.get(choice.column)
            if value in choice.labels:
                stmt = stmt.where(getattr(model, choice.column) == value)
                active[choice.column] = value
        objects = db.session.scalars(stmt.order_by(*resource.order_by())).all()
        summary = resource.summary(current_user.school_id, year) if resource.summary and year else None
        return render_template("_crud/list.html", crud=self, resource=resource, objects=objects, year=year,
                               years=school_years() if self.by_year else [], active=active, summary=summary,
                               can_write=resource.may_write(current_user))

    def new_page(self, key):
        return self._save(self._resource(key, write=True))

    def edit_page(self, key, obj_id):
        resource = self._resource(key, write=True)
        return self._save(resource, get_scoped_or_404(resource.model, obj_id))

    def delete_page(self, key, obj_id):
        resource = self._resource(key, write=True)
        obj = get_scoped_or_404(resource.model, obj_id)
        reason = resource.in_use(obj)
        if reason:
            flash(reason, "error")
        else:
            audit("delete", resource.model.__tablename__, obj.id, before=snapshot(obj))
            db.session.delete(obj)
            db.session.commit()
            flash(_("Deleted."), "success")
        return redirect(url_for(self.endpoint("list"), key=resource.key))

    def _save(self, resource: Resource, obj=None):
        is_new = obj is None
        year = self._page_year(resource, obj)
        form = resource.form(obj=obj)
        resource.choices(form, year)
        if form.validate_on_submit():
            target_year = year
            if resource.date_field:
                target_year = school_service.year_of_date(current_user.school_id,
                                                          getattr(form, resource.date_field).data)
            if resource.yearly and target_year is None:
                flash(_("The date is before the first academic year of the school."), "error")
                return self._form_page(resource, form, obj)
            for name, model in resource.owned.items():
                if getattr(form, name).data:
                    get_scoped_or_404(model, getattr(form, name).data)
            before = None if is_new else snapshot(obj)
            if is_new:
                obj = resource.model(school_id=current_user.school_id)
                db.session.add(obj)
            form.populate_obj(obj)
            obj.school_id = current_user.school_id  # never taken from the form
            if resource.yearly:
                obj.year_id = target_year.id
            resource.stamp(obj, is_new)
            if save_audited(obj, is_new=is_new, before=before):
                flash(_("Saved."), "success")
                return redirect(url_for(self.endpoint("list"), key=resource.key,
                                        year_id=target_year.id if target_year else None))
            if is_new:
                obj = None  # the rolled-back object has no id: show the form as new again
        return self._form_page(resource, form, obj)

    def _form_page(self, resource: Resource, form, obj):
        return render_template("_crud/form.html", crud=self, resource=resource, form=form, obj=obj)



# --- the request class -----------------------------------------------------------------

JSON_MAX_DEPTH = 32  # the checklist's draft is two levels deep


def _json_depth_exceeds(value, limit: int) -> bool:
    """True when lists/dicts in `value` nest deeper than `limit` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return False


class SapatRequest(Request):
    """JSON bodies above JSON_MAX_BYTES are refused (413), and bodies nested too deep for the
    parser (RecursionError, once a 500) or deeper than JSON_MAX_DEPTH are a bad request (400,
    or None with silent=True) like any other malformed JSON."""

    def get_json(self, force=False, silent=False, cache=True):
        from flask import current_app

        if (self.content_length or 0) > current_app.config.get("JSON_MAX_BYTES", 1024 * 1024):
            raise RequestEntityTooLarge()
        try:
            data = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            data = BadRequest
        if data is BadRequest or (data is not None and _json_depth_exceeds(data, JSON_MAX_DEPTH)):
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.")
        return data
