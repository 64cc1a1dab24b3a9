"""The tables that drive the cross-cutting security tests (access matrix, CSRF, XSS crawl,
bad-input fuzzing, audit immutability). Feature authors add rows here; the tests pick up
every route of app.url_map by themselves, so a new route either works with these tables
or fails with a message saying which row to add.

- URL_ARGS_BY_NAME: how to fill a URL argument from the `school` fixture (tests/factories.py).
- URL_ARGS_BY_ENDPOINT: arguments for one endpoint when the name alone is not enough.
- OVERRIDES: object-level rules, i.e. expected status codes that differ from what
  @role_required / @public imply.
- CSRF_EXEMPT: POST endpoints that carry their own token (the public survey submit).
- XSS_SEEDERS: functions that put hostile text into the objects of a feature.
- FUZZ_FORMS: forms to post random and hostile values to.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from tests.factories import SchoolFixture
from app.security import Principal

ROLES_UNDER_TEST = ("anonymous", "admin", "deputy", "mo_head", "teacher", "class_teacher",
                    "psychologist", "expert")

# Endpoints that are neither role_required nor public but are fine as they are.
BUILTIN_PUBLIC = {"static"}

def campaign(s: SchoolFixture):
    """An open survey campaign (link mode) of the school, made on first use."""
    if "campaign" not in s.extra:
        from tests.surveys_helpers import make_campaign

        s.extra["campaign"] = make_campaign(s, title=f"Campaign {s.school.code}")
    return s.extra["campaign"]


def observation(s: SchoolFixture):
    """A final lesson observation of `teacher` (maths, 7-А) by the deputy, made on first use."""
    if "observation" not in s.extra:
        from datetime import date

        from app.extensions import db
        from app.services.observations import records as obs_service
        from app.services.observations.protocols import ensure_protocols

        protocols = ensure_protocols()
        deputy = s.users["deputy"]
        actor = Principal(s.school.id, deputy.id, frozenset(deputy.roles))
        obs = obs_service.start_observation(
            actor, instrument_id=protocols["lesson_observation"].id, teacher_id=s.users["teacher"].id,
            observed_on=date(2026, 10, 5), purpose="control", year_id=s.year.id, class_id=s.classes[0].id,
            subject_id=s.subjects[0].id, topic="Дроби")
        protocol = obs_service.protocol_of(protocols["lesson_observation"])
        obs_service.save_answers(actor, obs, {f"score-{c.key}": "2" for c in protocol.criteria})
        obs_service.finalize(actor, obs)
        db.session.commit()
        s.extra["observation"] = obs
    return s.extra["observation"]


def draft_observation(s: SchoolFixture):
    """A draft lesson observation of `teacher` by the deputy (the checklist being filled in)."""
    if "draft_observation" not in s.extra:
        from datetime import date

        from app.extensions import db
        from app.services.observations import records as obs_service
        from app.services.observations.protocols import ensure_protocols

        protocols = ensure_protocols()
        deputy = s.users["deputy"]
        actor = Principal(s.school.id, deputy.id, frozenset(deputy.roles))
        obs = obs_service.start_observation(
            actor, instrument_id=protocols["lesson_observation"].id, teacher_id=s.users["teacher"].id,
            observed_on=date(2026, 10, 6), purpose="methodical_help", year_id=s.year.id,
            class_id=s.classes[0].id, subject_id=s.subjects[0].id, topic="Draft")
        db.session.commit()
        s.extra["draft_observation"] = obs
    return s.extra["draft_observation"]


def protocol_id(s: SchoolFixture):
    """The lesson-observation protocol (protocols are shared by every school)."""
    from app.extensions import db
    from app.services.observations.protocols import ensure_protocols

    found = ensure_protocols()["lesson_observation"].id
    db.session.commit()
    return found


def assessment(s: SchoolFixture):
    """A control work with marks in 7-А maths, Q1 (the teacher's class), made on first use."""
    if "assessment" not in s.extra:
        from datetime import date

        from app.extensions import db
        from app.models import Assessment, Mark

        a = Assessment(school_id=s.school.id, class_id=s.classes[0].id, subject_id=s.subjects[0].id,
                       term_id=s.terms[0].id, kind="control", date=date(2026, 10, 15), topic="Fractions")
        db.session.add(a)
        db.session.flush()
        for student, value in zip(s.students[s.classes[0].id], (5, 4, 3, 2, 4, None)):
            db.session.add(Mark(school_id=s.school.id, assessment_id=a.id, student_id=student.id,
                                value=value, absent=value is None))
        db.session.commit()
        s.extra["assessment"] = a
    return s.extra["assessment"]


def indicator(s: SchoolFixture):
    """A manual indicator of the shipped catalogue (hot meals coverage), given to the school."""
    if "indicator" not in s.extra:
        from sqlalchemy import select

        from app.extensions import db
        from app.models.monitoring.indicators import Indicator
        from app.services.monitoring.catalogue import ensure_catalogue

        ensure_catalogue(s.school.id)
        db.session.commit()
        s.extra["indicator"] = db.session.scalar(select(Indicator).where(
            Indicator.school_id == s.school.id, Indicator.key == "catering_coverage"))
    return s.extra["indicator"]


def cyclogram_item(s: SchoolFixture, name: str = "cyclogram_item"):
    """An item of the year's cyclogram; the responsible person is `teacher`. The delete
    route gets its own item (name="cyclogram_item_to_delete")."""
    if name not in s.extra:
        from datetime import date

        from app.extensions import db
        from app.models.monitoring.planning import CyclogramItem
        from app.services.monitoring import planning

        cyc = planning.get_cyclogram(s.school.id, s.year.id, create=True)
        item = CyclogramItem(school_id=s.school.id, cyclogram=cyc, month_from=10, month_to=10,
                             object="Climate survey", direction=7, method="survey", form="periodic",
                             due_on=date(2027, 5, 20), responsible_id=s.users["teacher"].id)
        db.session.add(item)
        db.session.commit()
        s.extra[name] = item
    return s.extra[name]


def register_rows(s: SchoolFixture) -> dict:
    """One row in every register (key -> row), made on first use."""
    if "register_rows" not in s.extra:
        s.extra["register_rows"] = _make_register_rows(s)
        s.extra["register_ids"] = {key: row.id for key, row in s.extra["register_rows"].items()}
    return s.extra["register_rows"]


def _cached_id(s: SchoolFixture, name: str, make: Callable[[SchoolFixture], Any]):
    """The id of a helper's object, kept after the first call: routes that delete the
    object still get its (now missing) id rather than an expired instance."""
    key = f"{name}:id"
    if key not in s.extra:
        s.extra[key] = make(s).id
    return s.extra[key]


def _make_register_rows(s: SchoolFixture) -> dict:
    if True:
        from datetime import date

        from app.extensions import db
        from app.models.monitoring.registers import (
            Classroom,
            Club,
            Incident,
            SelfGovernmentActivity,
            StudentAchievement,
            SupportCase,
            TeacherAchievement,
            TextbookProvision,
        )

        sid, year, c7 = s.school.id, s.year, s.classes[0]
        student = s.students[c7.id][0]
        rows = {
            "teachers": TeacherAchievement(school_id=sid, year_id=year.id, teacher_id=s.users["teacher"].id,
                                           on_date=date(2026, 10, 10), kind="open_lesson", level="district",
                                           title="Open lesson"),
            "students": StudentAchievement(school_id=sid, year_id=year.id, student_id=student.id,
                                           on_date=date(2026, 11, 20), kind="olympiad", level="district",
                                           result="winner", title="Math olympiad", subject_id=s.subjects[0].id),
            "incidents": Incident(school_id=sid, year_id=year.id, class_id=c7.id, on_date=date(2026, 10, 1),
                                  kind="injury", description="Fell in PE", measures="First aid"),
            "classrooms": Classroom(school_id=sid, name="101", ict_units=3, meets_requirements=True,
                                    equipment_percent=80, notes="Projector"),
            "textbooks": TextbookProvision(school_id=sid, year_id=year.id, grade=7, subject_id=s.subjects[0].id,
                                           needed=10, available=8),
            "clubs": Club(school_id=sid, year_id=year.id, name="Chess", enrolled=6, leader="Coach"),
            "selfgov": SelfGovernmentActivity(school_id=sid, year_id=year.id, on_date=date(2026, 10, 3),
                                              body="Council", title="Clean-up day", participants=20),
            "support": SupportCase(school_id=sid, year_id=year.id, student_id=student.id,
                                   opened_on=date(2026, 9, 20), reason="Adaptation", status="open",
                                   psychologist_id=s.users["psychologist"].id),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        return rows


def export_job(s: SchoolFixture):
    """An annual-workbook job of the deputy, still queued (its page, status and a download
    that is not ready yet); export jobs are their owner's only."""
    if "export_job" not in s.extra:
        import secrets

        from app.extensions import db
        from app.models import ExportJob

        # A random id of digits only (the app's ids are token_urlsafe): the anonymous
        # check of the access matrix masks digits when it compares answers for an
        # existing, a foreign and a missing id (the id is echoed in ?next=).
        job = ExportJob(id=str(secrets.randbelow(10**20) + 10**20), school_id=s.school.id, user_id=s.users["deputy"].id,
                        kind="annual", params={"year": s.year.name}, locale="en", status="queued", progress=0)
        db.session.add(job)
        db.session.commit()
        s.extra["export_job"] = job
    return s.extra["export_job"]


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


# argument name -> fn(school) -> value. Ids must be of objects of the given school.
URL_ARGS_BY_NAME: dict[str, Callable[[SchoolFixture], Any]] = {
    "class_id": lambda s: s.classes[0].id,
    "user_id": lambda s: s.users["teacher"].id,
    "student_id": lambda s: s.students[s.classes[0].id][0].id,
    "subject_id": lambda s: s.subjects[0].id,
    "term_id": lambda s: s.terms[0].id,
    "year_id": lambda s: s.year.id,
    "ma_id": lambda s: s.ma.id,
    "teacher_id": lambda s: s.users["teacher"].id,
    "filename": lambda s: "css/sapat.css",
    "campaign_id": lambda s: campaign(s).id,
    "target_id": lambda s: campaign(s).targets[0].id,
    "slug": lambda s: campaign(s).targets[0].slug,
    "n": lambda s: 0,
    "instrument_id": lambda s: campaign(s).instrument_id,
    "obs_id": lambda s: _cached_id(s, "observation", observation),
    "assessment_id": lambda s: _cached_id(s, "assessment", assessment),
    "indicator_id": lambda s: _cached_id(s, "indicator", indicator),
    "item_id": lambda s: _cached_id(s, "cyclogram_item", cyclogram_item),
    "job_id": lambda s: _cached_id(s, "export_job", export_job),
    # Not URL arguments: ids for the fuzzed forms' "id:" fields.
    "protocol_id": protocol_id,
}

# endpoint -> fn(school) -> {argument: value}
URL_ARGS_BY_ENDPOINT: dict[str, Callable[[SchoolFixture], dict]] = {
    "admin.resource_list": lambda s: {"key": "subjects"},
    "admin.resource_new": lambda s: {"key": "subjects"},
    "admin.resource_edit": lambda s: {"key": "subjects", "obj_id": s.subjects[0].id},
    "admin.resource_delete": lambda s: {"key": "subjects", "obj_id": s.subjects[0].id},
    "registers.register_list": _register_args("registers.register_list", False),
    "registers.register_new": _register_args("registers.register_new", False),
    "registers.register_edit": _register_args("registers.register_edit", True),
    "registers.register_delete": _register_args("registers.register_delete", True),
    # The marks grid of the term holding the fixture's control work (the default term
    # depends on today's date).
    "achievement.grid": lambda s: {"term": s.terms[0].id},
    "achievement.new_assessment": lambda s: {"term": s.terms[0].id},
    # A справка needs an indicator (or a direction); without one it is a 404.
    "monitoring.note": lambda s: {"indicator": _cached_id(s, "indicator", indicator)},
    # Deleting gets its own cyclogram item, so that the other item routes keep theirs.
    "planning.item_delete": lambda s: {"item_id": _cached_id(
        s, "cyclogram_item_to_delete", lambda s: cyclogram_item(s, "cyclogram_item_to_delete"))},
}

# Arguments that are ids of school-owned objects: the matrix swaps in the other school's
# ids and expects 404 for roles that may use the route.
ID_ARGUMENTS = {"class_id", "user_id", "student_id", "subject_id", "term_id", "year_id", "ma_id",
                "teacher_id", "obj_id", "campaign_id", "target_id", "obs_id", "assessment_id", "indicator_id",
                "item_id", "job_id"}

# Expected status codes that differ from the decorators. endpoint -> {role: status};
# "*" stands for every logged-in role without its own entry. An entry applies to GET
# (or to POST for POST-only routes).
OVERRIDES: dict[str, dict[str, int]] = {
    # A logged-in user asking for the login page is sent home.
    "auth.login": {"anonymous": 200, "*": 302},

    # --- observations (the fixture: a final observation of `teacher`, maths 7-А, by the deputy)
    # Visibility (services/observations.visibility_clause): a teacher sees only their own
    # final observations, an MO head those of their MA, the psychologist none: 404 otherwise.
    "observations.show": {"class_teacher": 404, "psychologist": 404},
    # A teacher's page: own page, or MO head of a teacher of the MA, or management/expert.
    "observations.teacher": {"class_teacher": 404, "psychologist": 404},
    # Only the observer fills in the checklist (others get 403; the deputy's POST to the
    # final observation is sent back to it).
    "observations.save": {"admin": 403, "mo_head": 403},
    "observations.sync": {"admin": 403, "mo_head": 403},
    # Only the observed teacher acknowledges: 403 for those who see the observation,
    # 404 for those who do not.
    "observations.acknowledge": {"admin": 403, "deputy": 403, "mo_head": 403, "expert": 403,
                                 "class_teacher": 404, "psychologist": 404},

    # --- marks: the teacher of the class and subject (or the director / deputy) enters
    # marks; the fixture's grid is `teacher`'s maths in 7-А.
    "achievement.grid": {"mo_head": 403, "class_teacher": 403},
    "achievement.new_assessment": {"mo_head": 403, "class_teacher": 403},

    # --- exports: a job belongs to the user who started it (the deputy); nobody else sees
    # it, not even the director. Its download is not ready yet: back to the job page. Any
    # role may own a job (a refused import's list of problems), so every other role gets 404.
    "exports.job": {"*": 404, "deputy": 200},
    "exports.job_status": {"*": 404, "deputy": 200},
    "exports.download": {"*": 404, "deputy": 302},

    # --- monitoring profiles: a teacher's profile is for the teacher, their MO head and
    # the school's management and experts.
    "monitoring.teacher_profile": {"class_teacher": 403},

    # --- registers: each register has its own readers and writers (views/registers.py).
    # Support cases are seen only by the psychologist and the director.
    "registers.register_list": {"deputy": 403, "mo_head": 403, "expert": 403},
    # Olympiads and teacher achievements are written by the director, deputy and MO heads.
    "registers.register_new": {"psychologist": 403, "expert": 403},
    "registers.register_edit": {"psychologist": 403, "expert": 403},
    # Incidents are written by the director and deputy only.
    "registers.register_delete": {"mo_head": 403, "psychologist": 403, "expert": 403},

    # --- cyclogram: an item's status is set by its responsible person (`teacher`) or a planner.
    "planning.item_status": {"mo_head": 403, "class_teacher": 403, "psychologist": 403, "expert": 403},
}

# POST endpoints that do not use the session's CSRF token (they must carry their own).
CSRF_EXEMPT: dict[str, str] = {
    "surveys_public.survey": "carries a response UUID signed by the server instead (test_surveys_campaigns)",
}

# POST endpoints that the access matrix does not send for roles that may use them,
# because they end the session or must not run twice (they are still checked for the
# roles that may not use them).
POST_SKIP_ALLOWED = {"auth.logout"}


# --- XSS --------------------------------------------------------------------------

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
)


def _seed_core(school: SchoolFixture, payloads=PAYLOADS):
    """Hostile names on the foundation's objects (users, classes, subjects, students, MA)."""
    script, img, js = payloads
    school.users["teacher"].full_name = f"Asan {script}"
    school.users["class_teacher"].full_name = f"Aida {img}"
    school.users["expert"].full_name = js
    school.subjects[0].name = f"Math {script}"
    school.subjects[0].name_ru = f"Матем {img}"
    school.subjects[1].name = js
    school.ma.name = f"MA {img}"
    school.ma.name_ru = f"МО {script}"
    school.terms[0].name = f"Q {img}"
    school.year.name = js
    for i, student in enumerate(school.students[school.classes[0].id][:3]):
        student.full_name = f"Student {payloads[i]}"


def _seed_surveys(school: SchoolFixture, payloads=PAYLOADS):
    """A campaign title and a parent's free-text answer with hostile text."""
    from tests.surveys_helpers import answer

    c = campaign(school)
    c.title = f"Survey {payloads[0]} {payloads[1]}"
    for i in range(5):  # enough respondents for the class to be shown
        answer(c, c.targets[0], {"a": 5, "b": 1, "kids": "no", "note": payloads[i % 3]})


def _seed_observations(school: SchoolFixture, payloads=PAYLOADS):
    """Topic, conclusions, a criterion note and text answer, the amendment reason and the
    teacher's comment of the fixture's observation."""
    script, img, js = payloads
    obs = observation(school)
    obs.topic = f"Topic {script}"
    obs.strengths = f"Strong {img}"
    obs.recommendations = js
    obs.amendment_reason = f"Reason {script}"
    obs.teacher_comment = f"Comment {img} {script}"
    for i, row in enumerate(sorted(obs.scores, key=lambda r: r.position)[:3]):
        row.text = f"Note {payloads[i]}"
    for row in obs.scores:
        if row.item_kind == "text":
            row.text = f"Answer {img}"


def _seed_marks(school: SchoolFixture, payloads=PAYLOADS):
    """The topic of a control work, and a class teacher's support action for a student."""
    from app.extensions import db
    from app.models import SupportAction

    script, img, js = payloads
    assessment(school).topic = f"Fractions {script} {img}"
    student = school.students[school.classes[0].id][3]
    db.session.add(SupportAction(school_id=school.school.id, student_id=student.id, term_id=school.terms[0].id,
                                 action=f"Extra lessons {script}", parents_informed=True, contact_note=img,
                                 created_by_id=school.users["class_teacher"].id))


def _seed_monitoring(school: SchoolFixture, payloads=PAYLOADS):
    """Texts of every register, an indicator value's note and evidence, a variable
    indicator's names and method, a cyclogram item, its approval order and an interview."""
    from datetime import date

    from app.extensions import db
    from app.models.monitoring.indicators import Indicator, IndicatorValue
    from app.models.monitoring.planning import Interview

    script, img, js = payloads
    rows = register_rows(school)
    rows["teachers"].title, rows["teachers"].details = f"Lesson {script}", img
    rows["students"].title = f"Olympiad {img}"
    rows["incidents"].description, rows["incidents"].measures = f"Fell {script}", js
    rows["classrooms"].name, rows["classrooms"].notes = f"101 {img}", script
    rows["clubs"].name, rows["clubs"].leader, rows["clubs"].grades = f"Chess {script}", img, "5-7 <b>"
    rows["selfgov"].body, rows["selfgov"].title = f"Council {img}", f"Day {script}"
    rows["support"].reason, rows["support"].notes = f"Adaptation {script}", img
    ind = indicator(school)
    db.session.add(IndicatorValue(school_id=school.school.id, indicator_id=ind.id, year_id=school.year.id,
                                  value=90.0, note=f"Note {script}", evidence=f"Evidence {img}",
                                  entered_by_id=school.users["deputy"].id))
    db.session.add(Indicator(school_id=school.school.id, key="xss_variable", name_ky=f"Көрсөткүч {script}",
                             name_ru=f"Показатель {img}", name_en=js, direction=2, invariant=False, unit="percent",
                             source="manual", periodicity="year", good="higher", method_ky=script, method_ru=img,
                             responsible_role="deputy", target=90.0, position=500))
    item = cyclogram_item(school)
    item.object, item.instrument, item.document = f"Survey {script}", img, js
    item.indicator_keys = f"catering_coverage {img}"
    item.cyclogram.order_number = f"№ {img}"
    item.cyclogram.order_date = date(2026, 9, 1)
    db.session.add(Interview(school_id=school.school.id, year_id=school.year.id, item_id=item.id,
                             on_date=date(2026, 10, 7), participant_role="teacher", participants=3,
                             topic=f"Talk {script}", outcome=img, interviewer_id=school.users["deputy"].id))


def _seed_exports(school: SchoolFixture, payloads=PAYLOADS):
    """An expert's imported scores: the expert's name, comments, indicator names, file name."""
    from app.extensions import db
    from app.models import ExpertScore

    script, img, js = payloads
    for i, key in enumerate(("catering_coverage", "pass_rate", "quality")):
        db.session.add(ExpertScore(school_id=school.school.id, year_id=school.year.id, indicator_key=key,
                                   indicator_name=f"Indicator {payloads[i]}", expert_name=f"Expert {img}",
                                   score=3 + i % 3, comment=f"Comment {script} {js}",
                                   source_file=f"{img}.xlsx", imported_by_id=school.users["deputy"].id))
    job = export_job(school)
    job.download_name = f"{img}.xlsx"


# fn(school) that stores the payloads in a feature's objects (no commit needed).
XSS_SEEDERS: list[Callable[[SchoolFixture], None]] = [_seed_core, _seed_surveys, _seed_observations, _seed_marks,
                                                      _seed_monitoring, _seed_exports]


# --- bad input ---------------------------------------------------------------------

@dataclass
class FuzzForm:
    """A form to fuzz: `fields` maps a field name to "text", "int", "date", "email",
    "choice:<a>,<b>" or "id:<argument name>" (an id from URL_ARGS_BY_NAME); the test
    posts hypothesis-generated values and, besides, hostile ones."""

    endpoint: str
    role: str
    fields: dict[str, str]
    url_args: Callable[[SchoolFixture], dict] = lambda s: {}
    max_examples: int = 25
    extra: dict = field(default_factory=dict)
    note: Optional[str] = None
    # Turns the generated values into the posted ones (app, school, values) -> values.
    prepare: Optional[Callable[[Any, SchoolFixture, dict], dict]] = None


FUZZ_FORMS: list[FuzzForm] = [
    FuzzForm("admin.user_new", "admin", {
        "full_name": "text", "email": "email", "roles": "choice:teacher,expert,admin,nope",
        "locale": "choice:ky,ru,en,xx", "active": "choice:y,", "password": "text"}),
    FuzzForm("admin.user_edit", "admin", {
        "full_name": "text", "email": "email", "roles": "choice:teacher,expert,nope",
        "locale": "choice:ky,ru,en,xx", "password": "text"},
        url_args=lambda s: {"user_id": s.users["teacher"].id}),
    FuzzForm("admin.resource_new", "admin", {"name": "text", "starts_on": "date", "ends_on": "date",
                                             "is_current": "choice:y,"},
             url_args=lambda s: {"key": "years"}),
    FuzzForm("admin.resource_new", "admin", {"year_id": "id:year_id", "kind": "choice:quarter,semester,bad",
                                             "number": "int", "name": "text", "starts_on": "date",
                                             "ends_on": "date"},
             url_args=lambda s: {"key": "terms"}),
    FuzzForm("admin.resource_new", "admin", {"name": "text", "name_ru": "text", "head_id": "id:teacher_id"},
             url_args=lambda s: {"key": "mas"}),
    FuzzForm("admin.resource_edit", "admin", {"name": "text", "name_ru": "text", "ma_id": "id:ma_id"},
             url_args=lambda s: {"key": "subjects", "obj_id": s.subjects[0].id}),
    FuzzForm("admin.resource_new", "admin", {"year_id": "id:year_id", "grade": "int", "letter": "text",
                                             "class_teacher_id": "id:teacher_id"},
             url_args=lambda s: {"key": "classes"}),
    FuzzForm("admin.resource_new", "admin", {"teacher_id": "id:teacher_id", "subject_id": "id:subject_id",
                                             "class_id": "id:class_id"},
             url_args=lambda s: {"key": "assignments"}),
    FuzzForm("auth.change_password", "teacher", {"current_password": "text", "new_password": "text",
                                                 "confirm": "text"}),
    FuzzForm("auth.set_language", "teacher", {"lang": "choice:ky,ru,en,xx", "next": "text"}),
    FuzzForm("auth.login", "anonymous", {"email": "email", "password": "text", "next": "text"}),
    FuzzForm("surveys.new", "deputy", {
        "instrument_id": "id:instrument_id", "title": "text", "audience": "choice:parents,students,teachers,x",
        "classes": "id:class_id", "whole_school": "choice:yes,no,x", "access_mode": "choice:link,codes,x",
        "opens_on": "date", "closes_on": "date", "min_group_size": "int"}),
    FuzzForm("surveys.codes", "deputy", {"target_id": "id:target_id", "count": "int"},
             url_args=lambda s: {"campaign_id": campaign(s).id}),
    FuzzForm("surveys.set_status", "deputy", {"status": "choice:open,closed,draft,x"},
             url_args=lambda s: {"campaign_id": campaign(s).id}),
    # A parent's answers: the response's UUID, its signature, an access code and the answers.
    # "signature": "sign" stands for the server's real signature of the generated UUID, so
    # that hostile answers reach the storing code and not only the signature check.
    FuzzForm("surveys_public.survey", "anonymous", {"client_uuid": "uuid", "signature": "choice:sign,sign,bad",
                                                    "code": "text", "a": "choice:1,2,3,4,5,9,x", "b": "choice:1,5,0",
                                                    "kids": "choice:yes,no,x", "howmany": "int", "note": "text"},
             url_args=lambda s: {"slug": campaign(s).targets[0].slug}, max_examples=40,
             prepare=lambda app, s, values: _sign_survey_uuid(app, campaign(s).targets[0].slug, values)),
]


def _sign_survey_uuid(app, slug: str, values: dict) -> dict:
    from app.services.surveys.campaigns import _uuid_signature

    if values.get("signature") == "sign" and values.get("client_uuid"):
        values = {**values, "signature": _uuid_signature(app.config["SECRET_KEY"], slug, str(values["client_uuid"]))}
    return values


class _GridFields(Mapping):
    """The marks grid's cells are named m-<assessment id>-<student id>: the field names
    are those of the school whose URL arguments were built last (the fuzz tests build the
    URL before they read the fields); a placeholder before that (for the test ids)."""

    def __init__(self, kind: str, students: int = 3):
        self.kind, self.students = kind, students

    def _names(self):
        s = _LAST_GRID_SCHOOL.get("school")
        if s is None:
            return ["m-assessment-student"]
        a = assessment(s)
        return [f"m-{a.id}-{st.id}" for st in s.students[s.classes[0].id][:self.students]]

    def __getitem__(self, name):
        if name not in self._names():
            raise KeyError(name)
        return self.kind

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


_LAST_GRID_SCHOOL: dict = {}


def _grid_url_args(s: SchoolFixture) -> dict:
    _LAST_GRID_SCHOOL["school"] = s
    assessment(s)
    return {"class_id": s.classes[0].id, "subject_id": s.subjects[0].id, "term": s.terms[0].id}


def _register_url(key):
    return lambda s: {"key": key}


FUZZ_FORMS += [
    # Marks: the grid (a teacher's own class and subject), a new column.
    FuzzForm("achievement.grid", "teacher", _GridFields("choice:5,4,3,2,1,н,Н,0,6,4.5,x,"),
             url_args=_grid_url_args, max_examples=15),
    FuzzForm("achievement.grid", "teacher", _GridFields("text", students=2), url_args=_grid_url_args,
             max_examples=10),
    FuzzForm("achievement.new_assessment", "teacher", {
        "kind": "choice:control,test,term,ort,x", "date": "date", "topic": "text", "max_score": "int"},
        url_args=lambda s: {"class_id": s.classes[0].id, "subject_id": s.subjects[0].id, "term": s.terms[0].id},
        max_examples=15),
    # Observations: start one, fill in the checklist of a draft, amend, acknowledge.
    FuzzForm("observations.new", "deputy", {
        "instrument_id": "id:protocol_id", "assignment_id": "int", "teacher_id": "id:teacher_id",
        "class_id": "id:class_id", "subject_id": "id:subject_id", "observed_on": "date", "topic": "text",
        "purpose": "choice:control,methodical_help,open_city,x"}, max_examples=15),
    FuzzForm("observations.save", "deputy", {
        "score-goal_stated": "choice:0,1,2,3,4,-1,x,", "note-goal_stated": "text",
        "value-students_present": "int", "value-lesson_plan": "choice:yes,no,1,0,x", "value-strengths": "text",
        "action": "choice:save,finish,x", "section": "text"},
        url_args=lambda s: {"obs_id": draft_observation(s).id}, max_examples=15),
    FuzzForm("observations.amend", "deputy", {"reason": "text"},
             url_args=lambda s: {"obs_id": observation(s).id}, max_examples=10),
    FuzzForm("observations.acknowledge", "teacher", {"comment": "text"},
             url_args=lambda s: {"obs_id": observation(s).id}, max_examples=10),
    # Monitoring: a value of a manual indicator, a variable indicator.
    FuzzForm("monitoring.indicator", "deputy", {
        "term_id": "id:term_id", "value": "int", "note": "text", "evidence": "text"},
        url_args=lambda s: {"indicator_id": indicator(s).id}, max_examples=15),
    FuzzForm("monitoring.indicator_new", "admin", {
        "key": "text", "name_ky": "text", "name_ru": "text", "direction": "choice:1,7,8,x",
        "unit": "choice:percent,count,x", "periodicity": "choice:term,year,x", "good": "choice:higher,lower,x",
        "responsible_role": "choice:deputy,nope", "target": "int", "threshold": "int", "position": "int"},
        max_examples=15),
    # Registers (one form per kind of field: students, incidents, textbooks, support cases).
    FuzzForm("registers.register_new", "mo_head", {
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
        "status": "choice:open,closed,x", "closed_on": "date"}, url_args=_register_url("support"), max_examples=10),
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
    FuzzForm("planning.approve", "admin", {"order_number": "text", "order_date": "date", "year_id": "id:year_id"},
             url_args=lambda s: (cyclogram_item(s), {})[1], max_examples=10),
    FuzzForm("planning.interviews", "deputy", {
        "on_date": "date", "participant_role": "choice:teacher,parent,x", "participants": "int", "topic": "text",
        "outcome": "text", "item_id": "id:item_id"}, max_examples=10),
    # Exports: the expert upload without a file, and the choice of year for a workbook.
    FuzzForm("exports.expert_import", "expert", {"files": "text"}, max_examples=5),
]


# Form data that would change something if a POST without a CSRF token were accepted.
# endpoint -> fn(school) -> data; other POST routes are sent with an empty form.
CSRF_SAMPLE_DATA: dict[str, Callable[[SchoolFixture], dict]] = {
    "admin.user_new": lambda s: {"full_name": "Csrf Victim", "email": "csrf@x.kg", "roles": "admin",
                                 "locale": "ky", "active": "y", "password": "long-enough-1"},
    "admin.user_edit": lambda s: {"full_name": "Renamed", "email": s.users["teacher"].email,
                                  "roles": "admin", "locale": "ky", "active": "y"},
    "admin.resource_new": lambda s: {"name": "Csrf subject", "name_ru": "", "ma_id": ""},
    "admin.resource_edit": lambda s: {"name": "Renamed", "name_ru": "", "ma_id": ""},
    "admin.resource_delete": lambda s: {},
    "auth.change_password": lambda s: {"current_password": "correct-horse-42", "new_password": "another-pass-9",
                                       "confirm": "another-pass-9"},
    "auth.set_language": lambda s: {"lang": "ru", "next": "/"},
    # Observations
    "observations.new": lambda s: {"instrument_id": str(protocol_id(s)), "teacher_id": str(s.users["teacher"].id),
                                   "observed_on": "2026-10-07", "purpose": "control", "topic": "Csrf"},
    "observations.save": lambda s: {"score-goal_stated": "1", "action": "finish"},
    "observations.amend": lambda s: {"reason": "Csrf amendment"},
    "observations.acknowledge": lambda s: {"comment": "Csrf"},
    "observations.plan": lambda s: {f"plan-{s.users['deputy'].id}": "7"},
    # Marks
    "achievement.grid": lambda s: {f"m-{assessment(s).id}-{st.id}": "2" for st in s.students[s.classes[0].id][:5]},
    "achievement.new_assessment": lambda s: {"kind": "test", "date": "2026-10-20", "topic": "Csrf"},
    "achievement.record_action": lambda s: {f"s{s.students[s.classes[0].id][0].id}-action": "Csrf"},
    # Exports
    "exports.start_annual": lambda s: {"year": s.year.name},
    # Monitoring, registers, cyclogram
    "monitoring.indicator": lambda s: {"value": "50", "term_id": "", "note": "Csrf"},
    "monitoring.indicator_new": lambda s: {"key": "csrf_ind", "name_ky": "К", "name_ru": "Р", "direction": "2",
                                           "unit": "percent", "periodicity": "year", "good": "higher",
                                           "responsible_role": "deputy", "position": "1"},
    "monitoring.indicator_edit": lambda s: {"target": "1", "threshold": "0", "active": "y"},
    "registers.register_new": lambda s: {"student_id": str(s.students[s.classes[0].id][0].id), "kind": "olympiad",
                                         "level": "school", "result": "winner", "title": "Csrf",
                                         "on_date": "2026-12-05", "subject_id": "", "mentor_id": ""},
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
    "planning.interviews": lambda s: {"on_date": "2026-10-07", "participant_role": "teacher", "participants": "2",
                                      "topic": "Csrf", "item_id": ""},
}


# fn(school) that adds a feature's rows (marks, responses, ...) before the backup
# round-trip test, so that every table takes part.
BACKUP_TEXTS = ("Айгүл \"q\" ✓", "Жалал-Абад 'x' <b>", "😀 line\nbreak")


def _backup_features(school: SchoolFixture):
    """A row in every feature table: a survey with answers, a final and a draft observation
    with an observers' plan, marks and a support action, indicator values, every register,
    the cyclogram with an interview, an export job and experts' scores."""
    from app.extensions import db
    from app.models import ObservationPlan

    _seed_surveys(school, BACKUP_TEXTS)
    from tests.surveys_helpers import make_campaign
    from app.services.surveys import campaigns as survey_service

    coded = make_campaign(school, mode="codes", title="Codes campaign")
    survey_service.issue_codes(coded, coded.targets[0], 3)
    _seed_observations(school, BACKUP_TEXTS)
    draft_observation(school)
    db.session.add(ObservationPlan(school_id=school.school.id, year_id=school.year.id,
                                   observer_id=school.users["deputy"].id, planned=12))
    _seed_marks(school, BACKUP_TEXTS)
    _seed_monitoring(school, BACKUP_TEXTS)
    _seed_exports(school, BACKUP_TEXTS)


BACKUP_SEEDERS: list[Callable[[SchoolFixture], None]] = [_backup_features]
