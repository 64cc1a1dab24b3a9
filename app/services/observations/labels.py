"""Names of the observations' fixed values (purposes, kinds, statuses, audit actions), for
pages and workbooks."""
from flask_babel import lazy_gettext as _l

PURPOSE_LABELS = {
    "control": _l("Control (inspection)"),
    "methodical_help": _l("Methodical help"),
    "attestation": _l("Attestation"),
    "open_school": _l("Open lesson: school level"),
    "open_district": _l("Open lesson: district level"),
    "open_city": _l("Open lesson: city level"),
    "mentoring": _l("Mentoring a young teacher"),
}
KIND_LABELS = {
    "lesson": _l("Lesson"),
    "event": _l("Extracurricular event"),
    "parent_meeting": _l("Parent meeting"),
}
STATUS_LABELS = {"draft": _l("Draft"), "final": _l("Final")}
ACTION_LABELS = {"create": _l("started"), "update": _l("draft saved"), "finalize": _l("made final"),
                 "amend": _l("amendment started"), "acknowledge": _l("acknowledged by the teacher")}
