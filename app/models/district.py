"""A district (район / city education department) above its schools: the district, the roles of
its staff (who belong to the district, not to a school), the weights of its rating of schools,
the schools of other installations that send it signed packages (their public keys, the packages
and the packages' learning-result counts), the regional or national averages it imports, its
campaigns across schools and its issued reports."""
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, Timestamped, one_of

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


class RemoteSchool(Timestamped, db.Model):
    """A school kept on its own installation that sends the district signed packages: its code
    (as its installation names it), its names and its Ed25519 public key (32 bytes, base64)."""

    __tablename__ = "district_remote_school"
    __table_args__ = (UniqueConstraint("district_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[Optional[str]] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64))

    def __str__(self) -> str:
        return self.name


class SchoolPackage(db.Model):
    """The imported package of a remote school for a year (one per school and year: a newer one
    replaces it). `digest` is the SHA-256 of the signed payload; `payload` keeps its indicators
    and survey indices as sent; its learning-result counts are rows of PackageResult."""

    __tablename__ = "district_package"
    __table_args__ = (UniqueConstraint("remote_school_id", "year_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    remote_school_id: Mapped[int] = mapped_column(ForeignKey("district_remote_school.id", ondelete="CASCADE"),
                                                  index=True)
    year_name: Mapped[str] = mapped_column(String(40))
    made_at: Mapped[datetime] = mapped_column(AwareDateTime())  # when the school's installation signed it
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(AwareDateTime())
    imported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class PackageResult(db.Model):
    """Term-mark counts of one class and subject in one term of a package (the district sums
    counts, never percentages)."""

    __tablename__ = "district_package_result"
    __table_args__ = (CheckConstraint("n = n5 + n4 + n3 + n2 + n1", name="n"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("district_package.id", ondelete="CASCADE"), index=True)
    term_kind: Mapped[str] = mapped_column(String(20))
    term_number: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(Integer)
    class_letter: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(Integer)
    n5: Mapped[int] = mapped_column(Integer)
    n4: Mapped[int] = mapped_column(Integer)
    n3: Mapped[int] = mapped_column(Integer)
    n2: Mapped[int] = mapped_column(Integer)
    n1: Mapped[int] = mapped_column(Integer)
    absent: Mapped[int] = mapped_column(Integer)


AVERAGE_LEVELS = ("region", "country")
AVERAGE_MEASURES = ("pass_rate", "quality", "sou", "mean", "ort")


class DistrictAverage(db.Model):
    """A regional or national average the district imported: a measure (pass rate, quality, SOU,
    mean mark of term marks, or the ORT mean score) for a year, by subject (empty: all
    subjects) and grade (empty: all grades), with its n when the source gives one."""

    __tablename__ = "district_average"
    __table_args__ = (
        CheckConstraint(one_of("level", AVERAGE_LEVELS), name="level"),
        CheckConstraint(one_of("measure", AVERAGE_MEASURES), name="measure"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    year_name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    measure: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200), default="")
    grade: Mapped[Optional[int]] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[Optional[str]] = mapped_column(Text)


DISTRICT_CAMPAIGN_STATES = ("draft", "open", "closed")


class DistrictCampaign(Timestamped, db.Model):
    """One questionnaire campaign of the district across many of its schools. Each school has its
    own part: an ordinary `Campaign` of the school (campaign.district_campaign_id), with its own
    links and answers; the parts move from draft to open to closed together with this row."""

    __tablename__ = "district_campaign"
    __table_args__ = (
        CheckConstraint(one_of("status", DISTRICT_CAMPAIGN_STATES), name="status"),
        CheckConstraint("min_group_size >= 1", name="min_group_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20), default="parents")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    min_group_size: Mapped[int] = mapped_column(default=5)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    instrument = relationship("Instrument")
    parts = relationship("Campaign", order_by="Campaign.id", viewonly=True)

    def __str__(self) -> str:
        return self.title


class DistrictDocument(db.Model):
    """The district's report of a year as issued: number, date, author, version 1, 2 ... of the
    same year and language; `figures` the stored figures (JSON), `html` the rendered document,
    never recomputed."""

    __tablename__ = "district_document"
    __table_args__ = (UniqueConstraint("district_id", "year_name", "lang", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    year_name: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))
    figures: Mapped[list] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
