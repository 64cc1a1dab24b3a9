"""Security rows of the diagnostics: the class teacher's record of the first student of 7-А
(level of upbringing), the fill page of that student, their history page; a canary record the
nurse, the teacher and the class teacher must not see; a student round of 7-А (the adaptation
self-report, the school's rule switched on) with its public page /d/<slug>."""
from app.extensions import db
from app.security import Principal
from app.services.diagnostics import student_codes
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


def student_round(s: SchoolFixture):
    """An open student round of 7-А (adaptation of tenth-graders) with its codes; the school's
    rule allows it. Made on first use."""
    def make(s):
        instrument = diagnostic_instruments()["adaptation_grade10"]
        s.school.student_diagnostics = True
        by = Principal.of(s.user("class_teacher"))
        rnd = student_codes.start(by, s.classes[0], instrument)
        student_codes.issue_codes(by, rnd, rnd.codes_version)
        db.session.commit()
        return rnd
    return kept(s, "student_round", make)


def _sign(app, slug: str, values: dict) -> dict:
    from app.services.surveys import public

    if values.get("signature") == "sign" and values.get("client_uuid"):
        values = {**values, "signature": public._uuid_signature(app.config["SECRET_KEY"], "d:" + slug,
                                                                str(values["client_uuid"]))}
    return values


def _start_args(s: SchoolFixture) -> dict:
    diagnostic_instruments()
    return {"class_id": s.classes[0].id, "instrument_key": "adaptation_grade10"}


def _public_args(s: SchoolFixture) -> dict:
    return {"slug": student_round(s).slug}


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
    student_round(school)


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
    url_args_by_name={"instrument_key": lambda s: "upbringing_level", "round_id": lambda s: student_round(s).id},
    url_args_by_endpoint={"diagnostics.fill": _fill_args, "diagnostics.start_round": _start_args,
                          "diagnostics_public.fill": _public_args, "diagnostics_public.done": _public_args},
    overrides={
        # Who starts a student round and prints its slips (student_codes.may_start): the class
        # teacher of the class and the whole-school roles; a teacher or MO head of the class may
        # not (403 on the class's start, 404 for the round), the nurse does not know the
        # instrument (404). A slips batch that is not in the session: back to the class (303).
        "diagnostics.start_round": {"teacher": 403, "mo_head": 403, "nurse": 404},
        "diagnostics.round_codes": {"teacher": 404, "mo_head": 404, "nurse": 404},
        "diagnostics.close_round": {"teacher": 404, "mo_head": 404, "nurse": 404},
        "diagnostics.round_slips": {"admin": 303, "deputy": 303, "psychologist": 303, "class_teacher": 303,
                                    "teacher": 404, "mo_head": 404, "nurse": 404},
        # The nurse opens the health records only (access.HEALTH_INSTRUMENTS): another
        # instrument's fill page is not theirs to know.
        "diagnostics.fill": {"nurse": 404},
    },
    fuzz_forms=[
        FuzzForm("diagnostics.rule", "admin", {"allow": "choice:yes,no,x,"}),
        # A student's answers: "signature": "sign" stands for the server's real signature of
        # the generated UUID, so that hostile answers reach the storing code.
        FuzzForm("diagnostics_public.fill", "anonymous", {
            "client_uuid": "uuid", "signature": "choice:sign,sign,bad", "code": "text",
            "adapt__like": "choice:1,2,3,4,5,0,x,", "adapt__anxious": "choice:1,4,9,x", "helps": "text"},
            url_args=_public_args, max_examples=25,
            prepare=lambda app, s, values: _sign(app, student_round(s).slug, values)),
        FuzzForm("diagnostics.fill", "class_teacher", {
            **{key: "choice:0,1,2,3,-1,x," for key in UPBRINGING},
            "level": "choice:high,good,middle,low,x,"}, url_args=_fill_args, max_examples=15),
    ],
    csrf_sample_data={
        "diagnostics.fill": lambda s: {"level": "high", **{k: str(v) for k, v in UPBRINGING.items()}},
        "diagnostics.rule": lambda s: {"allow": "yes"},
        # New slips from the current page, ticked (the round's codes are printed and unused).
        "diagnostics.round_codes": lambda s: {"seen": str(student_round(s).codes_version), "replace": "yes",
                                              "confirm": "y"},
    },
    csrf_exempt={
        "diagnostics_public.fill": "a student's page: carries a response UUID signed by the server and the "
                                   "student's single-use code instead (test_student_diagnostics)",
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    canaries=CANARIES,
)
