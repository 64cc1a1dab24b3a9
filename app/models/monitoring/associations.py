"""The methodical association's own year (monitoring regulation §2.15, §3.3): what its head
writes for the annual MO report, i.e. the association's proposals to the school's
development programme. Its variable indicators are Indicator rows with `ma_id` set."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, utcnow


class AssociationYear(SchoolOwned, db.Model):
    """One methodical association in one academic year: its proposals (free text, ky or ru as
    written), who wrote them last and when."""

    __tablename__ = "association_year"
    __table_args__ = (UniqueConstraint("ma_id", "year_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ma_id: Mapped[int] = mapped_column(ForeignKey("methodical_association.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    proposals: Mapped[Optional[str]] = mapped_column(Text)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    ma = relationship("MethodicalAssociation")
    year = relationship("AcademicYear")
