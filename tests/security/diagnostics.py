"""Security rows of the diagnostics: the class teacher's record of the first student of 7-А
(level of upbringing), the fill page of that student, their history page; a canary record the
nurse, the teacher and the class teacher must not see."""
from tests.factories import SchoolFixture
from tests.factories.diagnostics import UPBRINGING, diagnostic_instruments, make_diagnostic
from tests.security import Canary, FuzzForm, Tables, kept


def record(s: SchoolFixture):
    """The upbringing record of the first student of 7-А, made on first use."""
    return kept(s, "diagnostic", lambda s: make_diagnostic(s, s.students[s.classes[0].id][0]))


def _fill_args(s: SchoolFixture) -> dict:
    diagnostic_instruments()
    return {"class_id": s.classes[0].id, "instrument_key": "upbringing_level",
            "student_id": s.students[s.classes[0].id][0].id}


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """A text answer of a graduate's destination and the record's answers."""
    script, img, _js = payloads
    make_diagnostic(school, school.students[school.classes[1].id][0], "graduate_destinations",
                    {"destination": "college", "place": f"College {script} {img}"}, cls=school.classes[1], by="admin")
    record(school)


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    make_diagnostic(school, school.students[school.classes[1].id][1], "graduate_destinations",
                    {"destination": "university", "place": f"University {texts[0]}"}, cls=school.classes[1],
                    by="admin")


def _destination_in_8b(s: SchoolFixture) -> None:
    """A graduate's destination in 8-Б: not a health record (the nurse), not a class of the
    teacher's or the class teacher's."""
    make_diagnostic(s, s.students[s.classes[1].id][2], "graduate_destinations",
                    {"destination": "college", "place": "Canary college"}, cls=s.classes[1], by="admin")


CANARIES = [
    Canary("a graduate's destination in 8-Б", frozenset({"nurse", "teacher", "class_teacher"}), _destination_in_8b,
           lambda s: ("admin", [f"/diagnostics/student/{s.students[s.classes[1].id][2].id}"]),
           markers=("Canary college",)),
]


TABLES = Tables(
    url_args_by_name={"instrument_key": lambda s: "upbringing_level"},
    url_args_by_endpoint={"diagnostics.fill": _fill_args},
    overrides={
        # The nurse opens the health records only (access.HEALTH_INSTRUMENTS): another
        # instrument's fill page is not theirs to know.
        "diagnostics.fill": {"nurse": 404},
    },
    fuzz_forms=[
        FuzzForm("diagnostics.fill", "class_teacher", {
            **{key: "choice:0,1,2,3,-1,x," for key in UPBRINGING},
            "level": "choice:high,good,middle,low,x,"}, url_args=_fill_args, max_examples=15),
    ],
    csrf_sample_data={
        "diagnostics.fill": lambda s: {"level": "high", **{k: str(v) for k, v in UPBRINGING.items()}},
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    canaries=CANARIES,
)
