"""The one list / add / edit / delete flow of school-owned tables (the admin structure, the
registers): a `Resource` declares what differs, a `Crud` installs the four pages on a
blueprint; templates/_crud/list.html and form.html render them."""
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.i18n import display
from app.models import AcademicYear
from app.security import (
    audit,
    current_principal,
    get_scoped_or_404,
    requested_year,
    role_required,
    school_years,
    scoped,
)
from app.services.core import school as school_service
from app.services.core.audit import snapshot
from app.web import conflicts, save_audited


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


def _every_row(principal, write: bool) -> None:
    return None


def _no_class(obj) -> str:
    return ""


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
    save); `in_use(obj)` says why the object may not be deleted, or None; `row_class(obj)` is
    the CSS class of its row in the list ("overdue" highlights it), or ""."""

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
    rows: Callable[[Any, bool], Any] = _every_row
    row_class: Callable[[Any], str] = _no_class

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
    `show(value)` formats a cell (the reader's locale by default); `back` = (endpoint, label):
    the page the lists belong to, linked above each list (with the page's year)."""

    def __init__(self, name: str, resources: list[Resource], *, list_roles: tuple, write_roles: tuple,
                 new_label: Any, empty_label: Any, count_label: Optional[Callable[[int], str]] = None,
                 show: Callable[[Any], Any] = display, by_year: bool = False, stylesheet: Optional[str] = None,
                 back: Optional[tuple[str, Any]] = None):
        self.name, self.blueprint = name, None
        self.resources = {r.key: r for r in resources}
        self.list_roles, self.write_roles = list_roles, write_roles
        self.new_label, self.empty_label, self.count_label = new_label, empty_label, count_label
        self.show, self.by_year, self.stylesheet, self.back = show, by_year, stylesheet, back

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
        principal = current_principal()
        seen = resource.rows(principal, False)
        if seen is not None:
            stmt = stmt.where(seen.clause())
        objects = db.session.scalars(stmt.order_by(*resource.order_by())).all()
        summary = resource.summary(current_user.school_id, year) if resource.summary and year else None
        can_write = resource.may_write(current_user)
        changeable = resource.rows(principal, True) if can_write else None
        writable = None if changeable is None else set(db.session.scalars(
            select(model.id).where(model.id.in_([o.id for o in objects]), changeable.clause())))
        return render_template("_crud/list.html", crud=self, resource=resource, objects=objects, year=year,
                               years=school_years() if self.by_year else [], active=active, summary=summary,
                               can_write=can_write, writable=writable)

    def new_page(self, key):
        return self._save(self._resource(key, write=True))

    def _row_or_404(self, resource: Resource, obj_id):
        """A row of the school that the user may change (resource.rows); else a 404."""
        obj = get_scoped_or_404(resource.model, obj_id)
        scope = resource.rows(current_principal(), True)
        if scope is not None and not scope.allows(obj):
            abort(404)
        return obj

    def edit_page(self, key, obj_id):
        resource = self._resource(key, write=True)
        return self._save(resource, self._row_or_404(resource, obj_id))

    def delete_page(self, key, obj_id):
        resource = self._resource(key, write=True)
        obj = self._row_or_404(resource, obj_id)
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
            if not is_new:  # only the fields this user changed; both changed one: refused
                current = resource.form(formdata=None, obj=obj)
                resource.choices(current, year)
                if not conflicts.check(form, current):
                    return self._form_page(resource, form, obj, status=409)
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
            scope = resource.rows(current_principal(), True)
            if scope is not None and not scope.allows(obj):  # the form's choices offer none of these
                db.session.rollback()
                abort(403)
            if save_audited(obj, is_new=is_new, before=before):
                flash(_("Saved."), "success")
                return redirect(url_for(self.endpoint("list"), key=resource.key,
                                        year_id=target_year.id if target_year else None))
            if is_new:
                obj = None  # the rolled-back object has no id: show the form as new again
        return self._form_page(resource, form, obj)

    def _form_page(self, resource: Resource, form, obj, status: int = 200):
        """The form; an edit form carries the stored values as its originals (app/web/conflicts.py)."""
        originals = None
        if obj is not None and obj.id:
            stored = resource.form(formdata=None, obj=obj)
            originals = conflicts.originals_field(stored)
        return render_template("_crud/form.html", crud=self, resource=resource, form=form, obj=obj,
                               originals=originals), status
