"""People: staff accounts with roles, students, enrolments and teaching assignments."""
from datetime import date, datetime
from typing import Optional

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, one_of
from app.models.district import DISTRICT_ROLES

# admin is the director. Parents and students never get accounts.
ROLES = ("admin", "deputy", "mo_head", "teacher", "class_teacher", "psychologist", "nurse", "expert")


class User(UserMixin, Timestamped, db.Model):
    """A staff account of one school (school_id), or of a district's education department
    (district_id, with no school: app/models/district.py); never both."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint("(school_id IS NULL) <> (district_id IS NULL)", name="one_home"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[Optional[int]] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session cookie (get_id): bumped on logout, password change, deactivation and
    # restore, which ends every session of the user made before.
    session_version: Mapped[int] = mapped_column(default=1)

    school = relationship("School")
    district = relationship("District")
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session cookie issued to this user so far worthless."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __str__(self) -> str:
        return self.full_name


@event.listens_for(User.active, "set")
def _deactivation_ends_sessions(user, value, old, _initiator):
    """A deactivated user's sessions end for good: re-activating the account later does not
    bring the old cookies back."""
    if old is True and not value:
        user.end_sessions()


class LoginThrottle(db.Model):
    """Failed logins counted per key (an HMAC of the account's email with the client's address,
    of the email alone, or of a trusted device cookie; missing accounts are counted alike).
    See services/core/login_throttle.py."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[Optional[datetime]] = mapped_column(AwareDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint(one_of("role", ROLES + DISTRICT_ROLES), name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class Student(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "student"
    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        CheckConstraint("gender IN ('m', 'f') OR gender IS NULL", name="gender"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[Optional[str]] = mapped_column(String(1))
    birth_date: Mapped[Optional[date]] = mapped_column(Date)

    def __str__(self) -> str:
        return self.full_name


class Enrollment(SchoolOwned, db.Model):
    """A student in a class for one academic year (at most one class a year)."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("student_id", "year_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)

    student: Mapped[Student] = relationship()
    class_group = relationship("ClassGroup")


class TeachingAssignment(SchoolOwned, db.Model):
    """Who teaches which subject in which class in a year."""

    __tablename__ = "teaching_assignment"
    __table_args__ = (UniqueConstraint("teacher_id", "subject_id", "class_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)

    teacher: Mapped[User] = relationship()
    subject = relationship("Subject")
    class_group = relationship("ClassGroup")
