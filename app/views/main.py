"""The home dashboard: what each role sees first."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.features import installed
from app.security import SIGNED_IN, current_principal, public, role_required
from app.services.core import school as school_service
from app.services.core.today import first_screen

bp = Blueprint("main", __name__)


@bp.route("/")
@role_required(*SIGNED_IN)
def home():
    school_id = current_user.school_id
    if school_id is None:  # a district's staff: their first page (no school of their own)
        first = next((link.endpoint for link in installed().nav if current_user.has_role(*link.roles)), None)
        return redirect(url_for(first)) if first else abort(403)
    year = school_service.current_year(school_id)
    counts = school_service.school_counts(school_id, year.id if year else None)
    shown = {}  # one tile per page: the first one declared for the user's roles
    for tile in installed().tiles:
        if current_user.has_role(*tile.roles):
            shown.setdefault(tile.endpoint, tile.label)
    links = [(label, url_for(endpoint)) for endpoint, label in shown.items()]
    my_classes = school_service.classes_of_class_teacher(current_user.id, year.id) if year else []
    my_assignments = school_service.assignments_of_teacher(current_user.id, year.id) if year else []
    today = first_screen(current_principal(), year)
    db.session.commit()  # the indicators' catalogue may have been given to the school just now
    return render_template("main/home.html", year=year, counts=counts, links=links, today=today,
                           my_classes=my_classes, my_assignments=my_assignments)


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
