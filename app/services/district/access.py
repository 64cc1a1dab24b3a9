"""Who sees which district and school: the district domain's one scope rule.

A district's staff (user.district_id set, no school) see the schools of their own district and
nothing of another; a school's users reach no district page (role_required). A district user
reads a school's figures as a read-only whole-school principal (`reader`), the role the school's
own experts have, through the school's own services: what is hidden from a school's expert
(survey groups below the minimum, open campaigns) is hidden from the district too."""
from typing import Optional

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models import DISTRICT_ROLES, District, School
from app.security import Principal
from app.services.core.text import is_db_id

ADMINS = ("district_admin",)
READERS = DISTRICT_ROLES
RUNNERS = ("district_specialist",)  # run district campaigns and issue the district's report


def district_of(user) -> Optional[District]:
    return db.session.get(District, user.district_id) if getattr(user, "district_id", None) else None


def current_district(user) -> District:
    """The district of the user a district page serves: a user without one gets a 404 (NotFound),
    the answer every district page gives to what is not theirs."""
    district = district_of(user)
    if district is None:
        raise NotFound()
    return district


def schools(district_id: Optional[int]) -> list[School]:
    """The district's schools by name (none for no district)."""
    if district_id is None:
        return []
    return list(db.session.scalars(select(School).where(School.district_id == district_id)
                                   .order_by(School.name, School.id)))


def school_of(district_id: Optional[int], school_id) -> Optional[School]:
    """The school with this id when it is one of the district's, else None (a 404 for the view)."""
    if district_id is None or not is_db_id(school_id):
        return None
    school = db.session.get(School, school_id)
    return school if school is not None and school.district_id == district_id else None


def reader(school_id: int, user_id: Optional[int] = None) -> Principal:
    """A district user reading one of the district's schools: the whole school, read-only."""
    return Principal(school_id, user_id, frozenset({"expert"}))
