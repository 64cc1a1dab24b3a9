"""Security rows of the monitoring programme: indicators, registers, the cyclogram, profiles."""
from datetime import date

from app.extensions import db
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.planning import Interview
from tests.factories import SchoolFixture
from tests.factories.monitoring import (
    REGISTER_KEYS,
    make_cyclogram_item,
    make_indicator_value,
    make_issued_document,
    make_measure,
    make_public_report,
    make_register_row,
    make_register_rows,
)
from tests.factories.monitoring import indicator as catalogue_indicator
from tests.security import Canary, FuzzForm, Tables, kept, kept_id
from tests.security.core import scope


def indicator(s: SchoolFixture):
    """A manual indicator of the shipped catalogue (hot meals coverage), given to the school."""
    def make(s):
        found = catalogue_indicator(s, "catering_coverage")
        db.session.commit()
        return found
    return kept(s, "indicator", make)


def cyclogram_item(s: SchoolFixture, name: str = "cyclogram_item"):
    """An item of the year's cyclogram; the responsible person is `teacher`. The delete
    route gets its own item (name="cyclogram_item_to_delete")."""
    def make(s):
        item = make_cyclogram_item(s, due_on=date(2027, 5, 20), responsible_id=s.users["teacher"].id)
        db.session.commit()
        return item
    return kept(s, name, make)


def measure(s: SchoolFixture, name: str = "measure"):
    """A measure assigned to `teacher` (who teaches a subject of the mo_head's association).
    The delete route gets its own (name="measure_to_delete")."""
    def make(s):
        found = make_measure(s)
        db.session.commit()
        return found
    return kept(s, name, make)


def issued_document(s: SchoolFixture):
    def make(s):
        found = make_issued_document(s)
        db.session.commit()
        return found
    return kept(s, "issued_document", make)


def public_report(s: SchoolFixture):
    """The school's public report, published (the public page answers 200 to everyone)."""
    def make(s):
        found = make_public_report(s)
        db.session.commit()
        return found
    return kept(s, "public_report", make)


def ma_indicator(s: SchoolFixture):
    """A variable indicator of the fixture's association (Science, headed by `mo_head`)."""
    def make(s):
        found = Indicator(school_id=s.school.id, ma_id=s.ma.id, key=f"ma{s.ma.id}_1", name_ky="Лаборатория",
                          name_ru="Лаборатория", name_en="Lab works", direction=2, invariant=False, unit="percent",
                          source="manual", periodicity="year", good="higher", responsible_role="mo_head", target=90.0)
        db.session.add(found)
        db.session.commit()
        return found
    return kept(s, "ma_indicator", make)


def _measure_args(with_id: bool, name: str = "measure"):
    def args(s: SchoolFixture) -> dict:
        if not with_id:
            return {"key": "measures"}
        return {"key": "measures", "obj_id": kept_id(s, name, lambda s: measure(s, name))}
    return args


def register_rows(s: SchoolFixture) -> dict:
    """One row in every register (key -> row), made on first use."""
    if "register_rows" not in s.extra:
        s.extra["register_rows"] = make_register_rows(s)
        s.extra["register_ids"] = {key: row.id for key, row in s.extra["register_rows"].items()}
    return s.extra["register_rows"]


# The register each register route is checked with (one URL per route): the list with the
# most restricted register (support cases: director and psychologist only), the others
# with registers that other roles may write.
REGISTER_KEY_BY_ENDPOINT = {
    "registers.register_list": "support",
    "registers.register_new": "students",
    "registers.register_edit": "teachers",
    "registers.register_delete": "incidents",
}


def _register_args(endpoint, with_id):
    def args(s: SchoolFixture) -> dict:
        key = REGISTER_KEY_BY_ENDPOINT[endpoint]
        if not with_id:
            return {"key": key}
        register_rows(s)
        return {"key": key, "obj_id": s.extra["register_ids"][key]}
    return args


def _register_url(key):
    return lambda s: {"key": key}


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """Texts of every register, an indicator value's note and evidence, a variable
    indicator's names and method, a cyclogram item, its approval order and an interview."""
    script, img, js = payloads
    rows = register_rows(school)
    rows["teachers"].title, rows["teachers"].details = f"Lesson {script}", img
    rows["students"].title = f"Olympiad {img}"
    rows["incidents"].description, rows["incidents"].measures = f"Fell {script}", js
    rows["classrooms"].name, rows["classrooms"].notes = f"101 {img}", script
    rows["clubs"].name, rows["clubs"].leader, rows["clubs"].grades = f"Chess {script}", img, "5-7 <b>"
    rows["selfgov"].body, rows["selfgov"].title = f"Council {img}", f"Day {script}"
    rows["support"].reason, rows["support"].notes = f"Adaptation {script}", img
    indicator(school)
    make_indicator_value(school, "catering_coverage", 90.0, note=f"Note {script}", evidence=f"Evidence {img}")
    db.session.add(Indicator(school_id=school.school.id, key="xss_variable", name_ky=f"Көрсөткүч {script}",
                             name_ru=f"Показатель {img}", name_en=js, direction=2, invariant=False, unit="percent",
                             source="manual", periodicity="year", good="higher", method_ky=script, method_ru=img,
                             responsible_role="deputy", target=90.0, position=500))
    item = cyclogram_item(school)
    item.object, item.instrument, item.document = f"Survey {script}", img, js
    item.indicator_keys = f"catering_coverage {img}"
    measure(school).action, measure(school).source_ref = f"Shift {script}", img
    measure(school).evidence_note, measure(school).evidence_ref = js, f"file {script}"
    doc = issued_document(school)
    doc.title, doc.number, doc.author_name = f"Note {script}", img[:40], f"Author {script}"
    doc.figures = [{**doc.figures[0], "name": f"Figure {img}"}]
    public_report(school)
    item.cyclogram.order_number = f"№ {img}"
    item.cyclogram.order_date = date(2026, 9, 1)
    db.session.add(Interview(school_id=school.school.id, year_id=school.year.id, item_id=item.id,
                             on_date=date(2026, 10, 7), participant_role="teacher", participants=3,
                             topic=f"Talk {script}", outcome=img, interviewer_id=school.users["deputy"].id))


# --- the scope matrix: register rows in and out of each role's scope -------------------------

def scope_world(s: SchoolFixture) -> None:
    """One row in every register (the teacher's open lesson, a 7-А student's olympiad, an
    incident in 7-А, the psychologist's own support case ...)."""
    scope(s)
    register_rows(s)


def _historian_award(s: SchoolFixture) -> None:
    make_register_row(s, "teachers", teacher_id=scope(s)["historian"].id, title="Canary award", level="city")
    db.session.commit()


def _records_of_8b(s: SchoolFixture) -> None:
    """An 8-Б student's olympiad (mentor teacher2) and an incident in 8-Б: not the class
    teacher's class (7-А), and registers are not the teachers' to read."""
    c8 = s.classes[1]
    make_register_row(s, "students", student_id=s.students[c8.id][0].id, mentor_id=s.users["teacher2"].id,
                      title="Canary olympiad", level="national")
    make_register_row(s, "incidents", class_id=c8.id, description="Canary incident", kind="offence")
    db.session.commit()


def _other_psychologists_case(s: SchoolFixture) -> None:
    make_register_row(s, "support", psychologist_id=scope(s)["psychologist2"].id, reason="Canary case",
                      status="closed", closed_on=date(2026, 11, 1))
    db.session.commit()


def _other_associations_own(s: SchoolFixture) -> None:
    """Humanities (not the mo_head's association): its proposals, its own indicator with a value,
    and its issued annual report."""
    from app.models.monitoring.associations import AssociationYear
    from app.services.monitoring.associations import KIND

    hum = scope(s)["ma"]
    db.session.add(AssociationYear(school_id=s.school.id, ma_id=hum.id, year_id=s.year.id,
                                   proposals="Canary proposals"))
    db.session.add(Indicator(school_id=s.school.id, ma_id=hum.id, key=f"ma{hum.id}_1", name_ky="Canary indicator",
                             name_ru="Canary indicator", name_en="Canary indicator", direction=2, invariant=False,
                             unit="percent", source="manual", periodicity="year", good="higher",
                             responsible_role="mo_head", target=77.0))
    make_issued_document(s, kind=KIND, subject=f"ma:{hum.id}", title="Canary MO report", figures=[],
                         html='<article class="report"><h1>Canary MO report</h1></article>')
    db.session.commit()


CANARIES = [
    Canary("another association's teacher's achievement", frozenset({"teacher", "class_teacher", "psychologist"}),
           _historian_award, lambda s: ("admin", ["/registers/teachers/"]), markers=("Canary award",)),
    Canary("olympiad and incident of another class", frozenset({"teacher", "class_teacher", "psychologist"}),
           _records_of_8b, lambda s: ("admin", ["/registers/students/", "/registers/incidents/"]),
           markers=("Canary olympiad", "Canary incident")),
    Canary("another psychologist's support case",
           frozenset({"deputy", "mo_head", "teacher", "class_teacher", "expert", "psychologist"}),
           _other_psychologists_case, lambda s: ("admin", ["/registers/support/"]), markers=("Canary case",)),
    Canary("another association's proposals, own indicator and issued report",
           frozenset({"mo_head", "teacher", "class_teacher", "psychologist", "nurse"}), _other_associations_own,
           lambda s: ("admin", [f"/monitoring/associations/{scope(s)['ma'].id}", "/monitoring/issued/"]),
           markers=("Canary proposals", "Canary indicator", "Canary MO report")),
]


TABLES = Tables(
    url_args_by_name={
        "indicator_id": lambda s: kept_id(s, "indicator", indicator),
        "item_id": lambda s: kept_id(s, "cyclogram_item", cyclogram_item),
        "measure_id": lambda s: kept_id(s, "measure", measure),
        "doc_id": lambda s: kept_id(s, "issued_document", issued_document),
    },
    url_args_by_endpoint={
        "registers.register_list": _register_args("registers.register_list", False),
        "registers.register_new": _register_args("registers.register_new", False),
        "registers.register_edit": _register_args("registers.register_edit", True),
        "registers.register_delete": _register_args("registers.register_delete", True),
        # A справка needs an indicator (or a direction); without one it is a 404.
        "monitoring.note": lambda s: {"indicator": kept_id(s, "indicator", indicator)},
        "issued.issue_note": lambda s: {"indicator": kept_id(s, "indicator", indicator)},
        # The public report's address: a published report of the school.
        "public_report.page": lambda s: {"slug": public_report(s).slug},
        # An association's own indicator (another association's is a 404).
        "associations.indicator_edit": lambda s: {"ma_id": s.ma.id,
                                                  "indicator_id": kept_id(s, "ma_indicator", ma_indicator)},
        "measures.measure_list": _measure_args(False),
        "measures.measure_new": _measure_args(False),
        "measures.measure_edit": _measure_args(True),
        "measures.measure_delete": _measure_args(True, "measure_to_delete"),
        # Deleting gets its own cyclogram item, so that the other item routes keep theirs.
        "planning.item_delete": lambda s: {"item_id": kept_id(
            s, "cyclogram_item_to_delete", lambda s: cyclogram_item(s, "cyclogram_item_to_delete"))},
    },
    overrides={
        # A teacher's profile is for the teacher, their MO head and the school's management
        # and experts.
        "monitoring.teacher_profile": {"class_teacher": 403},
        # Each register has its own readers and writers (views/monitoring/registers.py).
        # Support cases are seen only by the psychologist and the director.
        "registers.register_list": {"deputy": 403, "mo_head": 403, "expert": 403},
        # Olympiads are written by the director and deputies (services/monitoring/registers.py);
        # teacher achievements also by MO heads, for their association's teachers.
        "registers.register_new": {"mo_head": 403, "psychologist": 403, "expert": 403},
        "registers.register_edit": {"psychologist": 403, "expert": 403},
        # Incidents are written by the director and deputy only.
        "registers.register_delete": {"mo_head": 403, "psychologist": 403, "expert": 403},
        # The register's address redirects to this year's list.
        "measures.index": {"*": 302},
        # A measure is seen by the managers, the experts, its responsible person (`teacher`) and
        # the head of the teacher's association; others do not learn that it exists.
        "measures.measure_page": {"class_teacher": 404, "psychologist": 404, "nurse": 404},
        # An item's status is set by its responsible person (`teacher`) or a planner.
        "planning.item_status": {"mo_head": 403, "class_teacher": 403, "psychologist": 403, "nurse": 403,
                                 "expert": 403},
    },
    fuzz_forms=[
        # A measure (the managers' form) and its progress (the responsible person's).
        FuzzForm("measures.measure_new", "deputy", {
            "source": "choice:indicator,student,x", "source_ref": "text", "indicator_id": "id:indicator_id",
            "term_id": "id:term_id", "value_before": "int", "action": "text", "responsible_id": "id:teacher_id",
            "due_on": "date", "status": "choice:planned,done,cancelled,x", "evidence_note": "text",
            "evidence_ref": "text"}, url_args=_measure_args(False), max_examples=15),
        FuzzForm("measures.measure_page", "teacher", {
            "status": "choice:planned,in_progress,done,cancelled,x", "evidence_note": "text", "evidence_ref": "text"},
            url_args=lambda s: {"measure_id": measure(s).id}, max_examples=10),
        FuzzForm("issued.issue_report", "admin", {"number": "text", "issued_on": "date"}, max_examples=8),
        # The methodical association: its report's issue, its proposals, its own indicator.
        FuzzForm("associations.issue_report", "mo_head", {"number": "text", "issued_on": "date"},
                 url_args=lambda s: {"ma_id": s.ma.id}, max_examples=8),
        FuzzForm("associations.proposals", "mo_head", {"proposals": "text"},
                 url_args=lambda s: {"ma_id": s.ma.id}, max_examples=8),
        FuzzForm("associations.indicator_new", "mo_head", {
            "name_ky": "text", "name_ru": "text", "direction": "choice:1,7,8,x", "unit": "choice:percent,count,x",
            "periodicity": "choice:term,year,x", "good": "choice:higher,lower,x", "target": "int",
            "threshold": "int", "position": "int"}, url_args=lambda s: {"ma_id": s.ma.id}, max_examples=12),
        FuzzForm("public_report.publish", "deputy", {"number": "text", "issued_on": "date"}, max_examples=8),
        # A value of a manual indicator, a variable indicator.
        FuzzForm("monitoring.indicator", "deputy", {
            "term_id": "id:term_id", "value": "int", "note": "text", "evidence": "text"},
            url_args=lambda s: {"indicator_id": indicator(s).id}, max_examples=15),
        FuzzForm("monitoring.indicator_new", "admin", {
            "key": "text", "name_ky": "text", "name_ru": "text", "direction": "choice:1,7,8,x",
            "unit": "choice:percent,count,x", "periodicity": "choice:term,year,x", "good": "choice:higher,lower,x",
            "responsible_role": "choice:deputy,nope", "target": "int", "threshold": "int", "position": "int"},
            max_examples=15),
        # Registers (one form per kind of field: students, incidents, textbooks, support cases).
        FuzzForm("registers.register_new", "deputy", {
            "student_id": "id:student_id", "kind": "choice:olympiad,project,x", "subject_id": "id:subject_id",
            "level": "choice:school,district,x", "result": "choice:winner,participant,x", "title": "text",
            "on_date": "date", "mentor_id": "id:teacher_id"}, url_args=_register_url("students"), max_examples=15),
        FuzzForm("registers.register_new", "deputy", {
            "kind": "choice:injury,offence,x", "on_date": "date", "class_id": "id:class_id", "description": "text",
            "measures": "text"}, url_args=_register_url("incidents"), max_examples=10),
        FuzzForm("registers.register_new", "deputy", {
            "grade": "int", "subject_id": "id:subject_id", "needed": "int", "available": "int"},
            url_args=_register_url("textbooks"), max_examples=10),
        FuzzForm("registers.register_new", "psychologist", {
            "student_id": "id:student_id", "opened_on": "date", "reason": "text", "notes": "text",
            "status": "choice:open,closed,x", "closed_on": "date"}, url_args=_register_url("support"),
            max_examples=10),
        # Cyclogram: an item, its status, the approval, an interview.
        FuzzForm("planning.item_new", "deputy", {
            "object": "text", "direction": "choice:1,7,0,x", "month_from": "choice:9,12,13,x",
            "month_to": "choice:5,10,0", "indicator_keys": "text", "instrument": "text",
            "method": "choice:survey,interview,x", "form": "choice:periodic,continuous,x",
            "responsible_id": "id:teacher_id", "due_on": "date", "document": "text",
            "status": "choice:planned,done,overdue,x"}, max_examples=15),
        FuzzForm("planning.item_status", "teacher", {"status": "choice:planned,in_progress,done,overdue,x",
                                                     "next": "text"},
                 url_args=lambda s: {"item_id": cyclogram_item(s).id}, max_examples=10),
        FuzzForm("planning.approve", "admin", {"order_number": "text", "order_date": "date",
                                               "year_id": "id:year_id"},
                 url_args=lambda s: (cyclogram_item(s), {})[1], max_examples=10),
        FuzzForm("planning.interviews", "deputy", {
            "on_date": "date", "participant_role": "choice:teacher,parent,x", "participants": "int",
            "topic": "text", "outcome": "text", "item_id": "id:item_id"}, max_examples=10),
    ],
    csrf_sample_data={
        "measures.measure_new": lambda s: {"source": "indicator", "action": "Csrf", "due_on": "2027-03-01",
                                           "status": "planned", "indicator_id": "", "term_id": "",
                                           "responsible_id": ""},
        "measures.measure_edit": lambda s: {"source": "indicator", "action": "Csrf", "due_on": "2027-03-01",
                                            "status": "done", "indicator_id": "", "term_id": "",
                                            "responsible_id": ""},
        "measures.measure_delete": lambda s: {},
        "measures.measure_page": lambda s: {"status": "cancelled", "evidence_note": "Csrf"},
        "issued.issue_note": lambda s: {"number": "Csrf", "issued_on": "2026-11-05"},
        "issued.issue_report": lambda s: {"number": "Csrf", "issued_on": "2026-11-05"},
        "associations.issue_report": lambda s: {"number": "Csrf", "issued_on": "2026-11-05"},
        "associations.proposals": lambda s: {"proposals": "Csrf"},
        "associations.indicator_new": lambda s: {"name_ky": "К", "name_ru": "Р", "direction": "2", "unit": "percent",
                                                 "periodicity": "year", "good": "higher", "position": "1"},
        "associations.indicator_edit": lambda s: {"name_ky": "К", "name_ru": "Csrf", "direction": "2",
                                                  "unit": "percent", "periodicity": "year", "good": "higher",
                                                  "position": "1"},
        "public_report.publish": lambda s: {"number": "Csrf", "issued_on": "2026-11-05"},
        "public_report.withdraw": lambda s: (public_report(s), {})[1],
        "monitoring.indicator": lambda s: {"value": "50", "term_id": "", "note": "Csrf"},
        "monitoring.indicator_new": lambda s: {"key": "csrf_ind", "name_ky": "К", "name_ru": "Р", "direction": "2",
                                               "unit": "percent", "periodicity": "year", "good": "higher",
                                               "responsible_role": "deputy", "position": "1"},
        "monitoring.indicator_edit": lambda s: {"target": "1", "threshold": "0", "active": "y"},
        "registers.register_new": lambda s: {"student_id": str(s.students[s.classes[0].id][0].id),
                                             "kind": "olympiad", "level": "school", "result": "winner",
                                             "title": "Csrf", "on_date": "2026-12-05", "subject_id": "",
                                             "mentor_id": ""},
        "registers.register_edit": lambda s: {"teacher_id": str(s.users["teacher"].id), "kind": "open_lesson",
                                              "title": "Csrf", "on_date": "2026-10-11", "level": "", "result": ""},
        "registers.register_delete": lambda s: {},
        "planning.create_default": lambda s: {},
        "planning.approve": lambda s: {"order_number": "1-Csrf", "order_date": "2026-09-01"},
        "planning.item_new": lambda s: {"object": "Csrf", "direction": "1", "month_from": "10", "month_to": "10",
                                        "method": "survey", "form": "periodic", "due_on": "2026-10-30",
                                        "status": "planned", "responsible_id": ""},
        "planning.item_edit": lambda s: {"object": "Csrf", "direction": "1", "month_from": "10", "month_to": "10",
                                         "method": "survey", "form": "periodic", "due_on": "2026-10-30",
                                         "status": "done", "responsible_id": ""},
        "planning.item_delete": lambda s: {},
        "planning.item_status": lambda s: {"status": "done"},
        "planning.interviews": lambda s: {"on_date": "2026-10-07", "participant_role": "teacher",
                                          "participants": "2", "topic": "Csrf", "item_id": ""},
    },
    seed_xss=seed_xss,
    seed_backup=seed_xss,
    scope_world=scope_world,
    canaries=CANARIES,
    scope_url_variants={"registers.register_list:key": lambda s: list(REGISTER_KEYS)},
    # The monitoring programme's school-level indicators (R5: the school's results for the
    # public report, which parents read too): every reader of the dashboard sees the same
    # whole-school values, computed from all of the school's data.
    school_totals={
        "monitoring.dashboard": "the school's indicators, as in the public report",
        "monitoring.report": "the annual public report of the school",
        "public_report.manage": "the public report's figures are the whole school's (small classes withheld)",
        "public_report.page": "the published public report of the school, the same for every reader",
        "monitoring.note": "a справка on a school indicator or direction",
        "monitoring.indicator": "a school indicator's value and history",
        # Its other lines count within each role's scope: tests/core/test_first_screen.py.
        "main.home": "the first screen counts the school's indicators below target, as the dashboard shows them",
    },
)
