"""Survey campaigns: who is asked (classes), how (open link or single-use codes), and the
anonymous responses with one Answer row per item so that results are SQL aggregates.

Anonymity: a Response stores no IP, no user agent, no access code and only the day it was
submitted; AccessCode keeps a hash and a used flag, with no link to any response. A response's
id is random (`random_response_id`), so ids say nothing of the order of arrival, and a code is
spent in a transaction of its own (app.services.surveys.public), so that no transaction id
(PostgreSQL's xmin) or neighbouring id links a printed slip to a family's answers.
"""
import secrets
from datetime import date
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import SchoolOwned, Timestamped, one_of

CAMPAIGN_STATES = ("draft", "open", "closed")
AUDIENCES = ("parents", "students", "teachers")
ACCESS_MODES = ("link", "codes")
RESPONSE_STATES = ("draft", "complete")


class Campaign(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(one_of("status", CAMPAIGN_STATES), name="status"),
        CheckConstraint(one_of("audience", AUDIENCES), name="audience"),
        CheckConstraint(one_of("access_mode", ACCESS_MODES), name="access_mode"),
        CheckConstraint("min_group_size >= 1", name="min_group_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="RESTRICT"), index=True)
    year_id: Mapped[Optional[int]] = mapped_column(ForeignKey("academic_year.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20), default="parents")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    access_mode: Mapped[str] = mapped_column(String(10), default="link")
    opens_on: Mapped[Optional[date]] = mapped_column(Date)
    closes_on: Mapped[Optional[date]] = mapped_column(Date)
    min_group_size: Mapped[int] = mapped_column(default=5)
    code_salt: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The school's part of a district campaign (its status moves with the district's); None: the school's own.
    district_campaign_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("district_campaign.id", ondelete="RESTRICT"), index=True)

    instrument = relationship("Instrument")
    year = relationship("AcademicYear")
    created_by = relationship("User")
    targets: Mapped[list["CampaignClass"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignClass.id")

    def __str__(self) -> str:
        return self.title


class CampaignClass(db.Model):
    """A target class of a campaign (class_id NULL: the whole school, e.g. a staff survey) with
    its short public link."""

    __tablename__ = "campaign_class"
    __table_args__ = (UniqueConstraint("campaign_id", "class_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(16), unique=True)
    label: Mapped[str] = mapped_column(String(40))  # "7-А", kept if the class is deleted
    expected: Mapped[Optional[int]]  # class size (students) when the campaign was created

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    class_group = relationship("ClassGroup")


class AccessCode(db.Model):
    """A single-use code, stored only as a hash; `used` is set without any link to the response."""

    __tablename__ = "access_code"
    __table_args__ = (UniqueConstraint("campaign_id", "code_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_class.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


RESPONSE_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite's INTEGER key is 64-bit already


def random_response_id() -> int:
    """A random id in 1 .. 2**53 - 1 (exact in JavaScript too); a collision among a million
    responses has a chance of about 1 in 18,000 and fails the insert, which the parent resends."""
    return secrets.randbelow(2 ** 53 - 1) + 1


class Response(db.Model):
    """One respondent's answers, stored complete in one transaction. No IP, no user agent, no
    code; dates rounded to the day. ('draft' rows come only from before 0008.)"""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint(one_of("status", RESPONSE_STATES), name="status"),
        Index("ix_response_campaign_status", "campaign_id", "status"),
    )
    id: Mapped[int] = mapped_column(RESPONSE_ID, primary_key=True, autoincrement=False, default=random_response_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_class.id", ondelete="CASCADE"), index=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    language: Mapped[Optional[str]] = mapped_column(String(5))
    started_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[Optional[date]] = mapped_column(Date)

    target: Mapped[CampaignClass] = relationship()


class Answer(db.Model):
    """One answer to one item (a matrix row is an item; a multi item gives one row per option).

    value: the raw number (likert point, criterion level, number answer, yes = 1);
    score: value with reverse scoring applied (NULL for unscored items);
    top2: the score is in the two highest boxes; option: the chosen option key; text: free text.
    """

    __tablename__ = "answer"
    __table_args__ = (
        Index("ix_answer_campaign_item", "campaign_id", "item_key"),
        # Covering index of the scale means (per respondent, per class): no table reads.
        Index("ix_answer_scale_scores", "campaign_id", "response_id", "scale", "score"),
    )
    # Random like the response's (0020): a sequence here told the order in which responses arrived.
    id: Mapped[int] = mapped_column(RESPONSE_ID, primary_key=True, autoincrement=False, default=random_response_id)
    response_id: Mapped[int] = mapped_column(RESPONSE_ID, ForeignKey("response.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(130))
    scale: Mapped[Optional[str]] = mapped_column(String(60))
    value: Mapped[Optional[float]] = mapped_column(Float)
    score: Mapped[Optional[float]] = mapped_column(Float)
    top2: Mapped[Optional[bool]] = mapped_column(Boolean)
    option: Mapped[Optional[str]] = mapped_column(String(60))
    text: Mapped[Optional[str]] = mapped_column(Text)
