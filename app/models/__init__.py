"""All Sapat models, imported here so that Alembic and create_all() see every table."""
from app.models.achievement import (
    ASSESSMENT_KINDS,
    EXTERNAL_KINDS,
    Assessment,
    AssessmentTask,
    ControlWorkAnalysis,
    Mark,
    ParentContact,
    SupportAction,
    SupportPlan,
    SupportStep,
    TaskScore,
    WarningRule,
)
from app.models.api import ApiToken
from app.models.audit import AuditLog, SpentToken
from app.models.diagnostics import Diagnostic, DiagnosticAnswer, DiagnosticCode, DiagnosticRound
from app.models.district import (
    DISTRICT_ROLES,
    District,
    DistrictAverage,
    DistrictCampaign,
    DistrictDocument,
    PackageResult,
    RatingWeight,
    RemoteSchool,
    SchoolPackage,
)
from app.models.exports import ExpertScore, ExportChunk, ExportJob
from app.models.instruments import INSTRUMENT_KINDS, Instrument
from app.models.monitoring import (  # the monitoring domain's tables
    associations,
    indicators,
    measures,
    planning,
    registers,
    staff,
)
from app.models.observations import Observation, ObservationPlan, ObservationScore
from app.models.people import ROLES, Enrollment, LoginThrottle, Student, TeachingAssignment, User, UserRole
from app.models.school import (
    TERM_KINDS,
    AcademicYear,
    ClassGroup,
    MethodicalAssociation,
    School,
    Subject,
    Term,
)
from app.models.surveys import (
    ACCESS_MODES,
    AUDIENCES,
    CAMPAIGN_STATES,
    AccessCode,
    Answer,
    Campaign,
    CampaignClass,
    Response,
)

__all__ = [
    "ApiToken", "ACCESS_MODES", "ASSESSMENT_KINDS", "DISTRICT_ROLES", "District", "DistrictAverage", "DistrictCampaign", "DistrictDocument", "PackageResult", "RatingWeight", "RemoteSchool",
    "SchoolPackage", "AUDIENCES", "CAMPAIGN_STATES", "EXTERNAL_KINDS", "AccessCode", "Answer",
    "Assessment", "AssessmentTask", "ControlWorkAnalysis", "TaskScore", "Campaign", "Diagnostic", "DiagnosticAnswer", "DiagnosticCode", "DiagnosticRound", "CampaignClass", "INSTRUMENT_KINDS", "Instrument", "Mark", "ROLES", "Response",
    "SupportAction", "SupportPlan", "SupportStep", "ParentContact", "WarningRule", "TERM_KINDS", "AcademicYear", "AuditLog", "ClassGroup", "Enrollment", "ExpertScore", "ExportChunk", "ExportJob",
    "LoginThrottle", "MethodicalAssociation", "School", "SpentToken", "Student", "Subject", "TeachingAssignment", "Term",
    "User", "UserRole", "Observation", "ObservationPlan", "ObservationScore", "associations", "indicators", "measures", "planning", "registers", "staff",
]
