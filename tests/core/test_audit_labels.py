"""The audit log speaks the reader's language: every object the code records (by name in a call to
the audit, or by table name through the registers' and structure pages) has a label, and the
recorded values of fixed lists are translated; the program's own names (an instrument's or an
item's key) stand in <code>. The fault named: the demo's students' diagnostic round showed
"diagnostic #1031", "adapt.like: 2", "outcome", "high" on the Kyrgyz page."""
import ast
from pathlib import Path

from app.services.core.audit import record
from app.views.admin import STRUCTURE
from app.views.monitoring.measures import MEASURES
from app.views.monitoring.registers import REGISTERS
from app.views.monitoring.staff import RECORDS
from app.views.security import ENTITY_LABELS, audit_value
from tests.security.support import login_client

APP = Path(__file__).resolve().parents[2] / "app"


def _recorded_entities() -> set[str]:
    names = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in ("record", "audit_record", "audit") and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
            names |= {k.value.value for k in node.keywords if k.arg == "entity" and isinstance(k.value, ast.Constant)}
    for crud in (STRUCTURE, MEASURES, REGISTERS, RECORDS):
        names |= {r.model.__tablename__ for r in crud.resources.values()}
    return names


def test_every_recorded_object_has_a_label():
    names = _recorded_entities()
    assert {"diagnostic", "diagnostic_round", "student_achievement", "user"} <= names  # the scan finds them
    assert sorted(n for n in names if n not in ENTITY_LABELS) == []


def test_recorded_values_read_as_words_or_code(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert audit_value("high") == "Высокий"
        assert audit_value({"adapt.like": 2, "outcome": "middle"}) == "<code>adapt.like</code>: 2; Уровень: Средний"
        assert audit_value("adaptation_grade10") == "<code>adaptation_grade10</code>"
        assert audit_value("adaptation_grade10 v1") == "<code>adaptation_grade10 v1</code>"
        assert audit_value("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_the_audit_page_of_a_diagnostic_round_in_kyrgyz(app, school):
    record("create", "diagnostic_round", 7, school_id=school.school.id, user_id=school.users["admin"].id,
           after={"class_id": 1, "instrument": "adaptation_grade10", "status": "open", "codes": 25,
                  "respondent": "student"})
    record("create", "diagnostic", 8, school_id=school.school.id, user_id=school.users["admin"].id,
           after={"answers": {"adapt.like": 3}, "outcome": "high"})
    client = login_client(app, school.users["admin"])
    page = client.get("/security/audit?lang=ky").get_data(as_text=True)
    for english in (">diagnostic", "diagnostic_round #", "outcome", ">high<", "respondent", ">open<"):
        assert english not in page, english
    assert "<code>adapt.like</code>: 3" in page and "<code>adaptation_grade10</code>" in page
