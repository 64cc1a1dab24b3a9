"""The observations' part of the first screen, within what `access.visibility_clause` lets the
person see: drafts waiting for the observer's feedback (the management every draft, an MO head
their own), final observations of the person's own lessons waiting for their acknowledgement,
and, for the management, final observations of other teachers not yet acknowledged."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, Observation
from app.security import Principal
from app.services.core.today import Item
from app.services.observations.access import MANAGERS, OBSERVER_ROLES, visibility_clause


def waiting(principal: Principal, year: AcademicYear) -> list[Item]:
    seen = [visibility_clause(principal), Observation.year_id == year.id]
    final = [Observation.status == "final", Observation.is_current.is_(True), Observation.acknowledged_at.is_(None)]
    mine = Observation.teacher_id == principal.user_id
    drafts, to_acknowledge, unacknowledged = db.session.execute(select(
        func.count(Observation.id).filter(Observation.status == "draft"),
        func.count(Observation.id).filter(*final, mine),
        func.count(Observation.id).filter(*final, ~mine),
    ).where(*seen)).one()
    items = []
    args = {"year": year.id}
    if drafts and principal.has_role(*OBSERVER_ROLES):
        items.append(Item("observation_drafts", _("Observations awaiting feedback (drafts)"), drafts,
                          "observations.index", {**args, "status": "draft"}))
    if to_acknowledge:
        items.append(Item("observations_to_acknowledge", _("Observations of your lessons to acknowledge"),
                          to_acknowledge, "observations.index", {**args, "status": "final"}, alert=True))
    if unacknowledged and principal.has_role(*MANAGERS):
        items.append(Item("observations_unacknowledged", _("Observations not yet acknowledged by the teacher"),
                          unacknowledged, "observations.index", {**args, "status": "final"}))
    return items
