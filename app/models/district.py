"""A district (район / city education department) above its schools: the district, the roles of
its staff (who belong to the district, not to a school) and the weights of its rating of schools."""
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Timestamped

# district_admin creates schools and their directors and assigns district staff;
# district_specialist reads every figure of the district's schools and changes nothing in them.
DISTRICT_ROLES = ("district_admin", "district_specialist")


class District(Timestamped, db.Model):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[Optional[str]] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.name


class RatingWeight(db.Model):
    """One component of the district's rating of its schools: an indicator of the monitoring
    catalogue (by key) and its weight."""

    __tablename__ = "district_rating_weight"
    __table_args__ = (
        UniqueConstraint("district_id", "indicator_key"),
        CheckConstraint("weight > 0", name="weight"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    indicator_key: Mapped[str] = mapped_column(String(60))
    weight: Mapped[float] = mapped_column(Float)
