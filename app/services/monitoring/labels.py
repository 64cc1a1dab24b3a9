"""Translated labels of the monitoring vocabulary (directions, units, kinds, levels ...)."""
from flask_babel import lazy_gettext as _l

DIRECTION_LABELS = {
    1: _l("Quality of results"),
    2: _l("Quality of implementation of the educational process"),
    3: _l("Olympiads and competitions"),
    4: _l("Innovation"),
    5: _l("Methodical and material-technical provision"),
    6: _l("Upbringing"),
    7: _l("Health and safety"),
}
# The same directions in a few words, where space is short (workbook sheet names: 31 characters).
DIRECTION_SHORT_LABELS = {
    1: _l("Quality of results"),
    2: _l("Quality of implementation"),
    3: _l("Olympiads and competitions"),
    4: _l("Innovation"),
    5: _l("Methodical and material-technical provision"),
    6: _l("Upbringing"),
    7: _l("Health and safety"),
}
# The annual workbook's sheet of each direction: its number and a word or two, at most 31
# characters in every language (Excel's limit; the sheet's first row holds the full title).
DIRECTION_SHEET_NAMES = {
    1: _l("D1 Results"),
    2: _l("D2 Teaching quality"),
    3: _l("D3 Olympiads"),
    4: _l("D4 Innovation"),
    5: _l("D5 Provision"),
    6: _l("D6 Upbringing"),
    7: _l("D7 Health and safety"),
}
UNIT_LABELS = {"percent": "%", "count": _l("count"), "mean": _l("mean"), "index": _l("index 0-100"),
               "points": _l("points"), "ratio": _l("ratio"), "flag": _l("yes = 1 / no = 0")}
SOURCE_LABELS = {"auto": _l("automatic"), "manual": _l("entered")}
PERIODICITY_LABELS = {"term": _l("each quarter"), "year": _l("each year"), "continuous": _l("continuous")}
GOOD_LABELS = {"higher": _l("higher is better"), "lower": _l("lower is better")}
STATUS_LABELS = {"ok": _l("target met"), "warn": _l("below target"), "bad": _l("below threshold"),
                 "none": _l("no data")}
LEVEL_LABELS = {"school": _l("school"), "district": _l("district"), "city": _l("city"), "region": _l("region"),
                "national": _l("national"), "international": _l("international")}
RESULT_LABELS = {"participant": _l("participant"), "prize_winner": _l("prize-winner"), "winner": _l("winner")}
TEACHER_KIND_LABELS = {
    "attestation": _l("attestation / category"),
    "open_lesson": _l("open lesson"),
    "talk": _l("talk at a council, seminar or round table"),
    "content_development": _l("developing the content of education"),
    "publication": _l("publication"),
    "refresher_course": _l("refresher course"),
    "competition": _l("professional competition"),
    "ma_work": _l("work in the methodical association"),
    "creative_group": _l("creative group session"),
    "class_teacher": _l("class teacher's achievement"),
    "technology": _l("modern technologies and equipment"),
    "innovation": _l("innovation / experimental work"),
    "conference": _l("conference"),
}
STUDENT_KIND_LABELS = {"olympiad": _l("subject olympiad"), "competition": _l("competition"),
                       "project": _l("research project")}
INCIDENT_LABELS = {"injury": _l("injury"), "offence": _l("offence")}
CLUB_KIND_LABELS = {"club": _l("club"), "sport": _l("sports section"), "art": _l("art studio"),
                    "additional": _l("additional education")}
SUPPORT_STATUS_LABELS = {"open": _l("open"), "closed": _l("closed")}
METHOD_LABELS = {"survey": _l("survey"), "observation": _l("observation"), "control_work": _l("control work"),
                 "statistics": _l("statistics"), "interview": _l("interview"), "expert": _l("expert assessment")}
FORM_LABELS = {"continuous": _l("continuous"), "periodic": _l("periodic")}
ITEM_STATUS_LABELS = {"planned": _l("planned"), "in_progress": _l("in progress"), "done": _l("done"),
                      "overdue": _l("overdue")}
PARTICIPANT_LABELS = {"teacher": _l("teachers"), "parent": _l("parents"), "student": _l("students"),
                      "staff": _l("staff")}
MONTH_LABELS = {1: _l("January"), 2: _l("February"), 3: _l("March"), 4: _l("April"), 5: _l("May"),
                6: _l("June"), 7: _l("July"), 8: _l("August"), 9: _l("September"), 10: _l("October"),
                11: _l("November"), 12: _l("December")}


def decimals(unit: str = "") -> int:
    """Decimals a value of this unit is shown with: 2 for means, ratios and points, else 1."""
    return 2 if unit in ("mean", "ratio", "points") else 1


# Units whose figures always carry their decimals: one rule for a page, "96.0 %" beside
# "96.7 %" (never "96 %"), as the quarter report prints them (achievement/quarter.fmt).
FIXED_DECIMALS = ("percent", "index", "mean", "ratio", "points")


def fmt(value, unit: str = "") -> str:
    """A value for display: percentages, indices, means, ratios and points with their fixed
    decimals (decimals()); counts and flags as integers when they are whole."""
    if value is None:
        return "—"
    if unit not in FIXED_DECIMALS and float(value).is_integer():
        text = str(int(value))
    else:
        text = f"{value:.{decimals(unit)}f}"
    return text + (" %" if unit == "percent" else "")
MEASURE_STATUS_LABELS = {"planned": _l("planned"), "in_progress": _l("in progress"), "done": _l("done"),
                         "cancelled": _l("cancelled")}
MEASURE_SOURCE_LABELS = {"indicator": _l("an indicator below its target"), "note": _l("a line of an analytic note"),
                         "observation": _l("a lesson observation"), "survey": _l("a survey result"),
                         "student": _l("a student at risk"), "control_work": _l("a control work's analysis")}
DOCUMENT_KIND_LABELS = {"note": _l("Analytic note"), "report": _l("Annual public report"),
                        "quarter": _l("Quarter report to the pedagogical council"),
                        "mo": _l("Annual report of the methodical association")}
# Staff records and programme documents (000 §2.5, §2.7): the Kyrgyz qualification categories.
CATEGORY_LABELS = {"none": _l("without category"), "second": _l("second category"), "first": _l("first category"),
                   "highest": _l("highest category")}
EDUCATION_LABELS = {"higher_pedagogical": _l("higher pedagogical"), "higher_other": _l("higher non-pedagogical"),
                    "vocational_pedagogical": _l("secondary vocational pedagogical"),
                    "vocational_other": _l("secondary vocational non-pedagogical"),
                    "secondary": _l("general secondary")}
PROGRAMME_KIND_LABELS = {"development": _l("school development programme"), "education": _l("education programme"),
                         "work": _l("work programme"), "curriculum": _l("curriculum")}
# The learning figures of a methodical association's page and report (associations.FIGURES).
FIGURE_LABELS = {"n": _l("Marks"), "pass_rate": _l("Pass rate"), "quality": _l("Quality"), "sou": _l("SOU"),
                 "mean": _l("Mean mark")}
