"""What a district's admin changes: the district's schools (each created with its director's
account) and the district's own staff (district admins and specialists, who belong to the
district and to no school). Every change is audited in the same transaction."""
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import DISTRICT_ROLES, District, School, User
from app.services.core import accounts
from app.services.core.audit import record as audit_record
from app.services.core.passwords import password_problems


class StaffError(accounts.AccountError):
    """A refused school or account; `field` names the form field it is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def district_staff(district_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.district_id == district_id)
                                   .order_by(User.full_name, User.id)))


def directors(school_ids: list[int]) -> dict[int, list[User]]:
    """school id -> its directors (role admin)."""
    from app.models import UserRole

    out: dict[int, list[User]] = {sid: [] for sid in school_ids}
    if school_ids:
        for user in db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
                User.school_id.in_(school_ids), UserRole.role == "admin").order_by(User.full_name)):
            out[user.school_id].append(user)
    return out


def _check_account(email: str, full_name: str, password: str, context: str) -> None:
    from flask_babel import gettext as _

    if accounts.find_user(email):
        raise StaffError(_("A user with the email %(email)s already exists.", email=email), "email")
    problems = password_problems(password, [email, full_name, context])
    if problems:
        raise StaffError(problems[0], "password")


def create_school(district: District, *, code: str, name: str, name_ru: Optional[str], director_email: str,
                  director_name: str, password: str, user_id: Optional[int],
                  remote_addr: Optional[str] = None) -> School:
    """A new school of the district with its director (role admin), flushed and audited."""
    from flask_babel import gettext as _

    if db.session.scalar(select(School.id).where(School.code == code)):
        raise StaffError(_("A school with the code %(code)s already exists.", code=code), "code")
    _check_account(director_email, director_name, password, name)
    school = School(code=code, name=name, name_ru=name_ru or None, district_id=district.id)
    db.session.add(school)
    db.session.flush()
    audit_record("create", "school", school.id, school_id=school.id, user_id=user_id, remote_addr=remote_addr,
                 after={"code": code, "name": name, "district": district.code})
    accounts.create_user(director_email, roles=["admin"], full_name=director_name, password=password,
                         school=school, locale="ky")
    return school


def create_staff(district: District, *, email: str, full_name: str, role: str, password: str,
                 user_id: Optional[int], remote_addr: Optional[str] = None) -> User:
    """A district admin or specialist of the district (no school), flushed and audited."""
    from flask_babel import gettext as _

    if role not in DISTRICT_ROLES:
        raise StaffError(_("Unknown role: %(role)s. Known roles: %(roles)s", role=role,
                               roles=", ".join(DISTRICT_ROLES)), "role")
    _check_account(email, full_name, password, district.name)
    user = User(email=email.strip().lower(), full_name=full_name, district_id=district.id, school_id=None,
                locale="ky", password_hash="")
    user.set_password(password)
    user.set_roles([role])
    db.session.add(user)
    db.session.flush()
    audit_record("create", "user", user.id, school_id=None, user_id=user_id, remote_addr=remote_addr,
                 after={"email": user.email, "roles": [role], "district": district.code})
    return user
