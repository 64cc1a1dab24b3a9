"""Security rows of the observations: the fixture's final observation of `teacher` (maths,
7-А) by the deputy, a draft, the observers' plan."""
from datetime import date

from app.extensions import db
from app.models import ObservationPlan
from tests.factories import SchoolFixture
from tests.factories.observations import make_observation, observation_protocols
from tests.security import Canary, FuzzForm, Tables, kept, kept_id
from tests.security.core import scope


def observation(s: SchoolFixture):
    """A final lesson observation of `teacher` (maths, 7-А) by the deputy, made on first use."""
    return kept(s, "observation", make_observation)


def draft_observation(s: SchoolFixture):
    """A draft lesson observation of `teacher` by the deputy (the checklist being filled in)."""
    return kept(s, "draft_observation", lambda s: make_observation(
        s, observed_on=date(2026, 10, 6), purpose="methodical_help", topic="Draft", fill=False, final=False))


def protocol_id(s: SchoolFixture):
    """The lesson-observation protocol (protocols are shared by every school)."""
    return observation_protocols()["lesson_observation"].id


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
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


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    """A final and a draft observation with an observers' plan."""
    seed_xss(school, texts)
    draft_observation(school)
    db.session.add(ObservationPlan(school_id=school.school.id, year_id=school.year.id,
                                   observer_id=school.users["deputy"].id, planned=12))


# --- the scope matrix: observations in and out of each role's scope --------------------------

def scope_world(s: SchoolFixture) -> None:
    """The MO head's own observation of the historian (100 %: it opens the historian's page to
    them), the deputy's final observation of `teacher` (maths, 7-А) and the observers' plan."""
    world = scope(s)
    observation(s)
    make_observation(s, observer="mo_head", teacher=world["historian"], subject=world["history"],
                     observed_on=date(2026, 10, 8), topic="Own lesson", score=2)
    db.session.add(ObservationPlan(school_id=s.school.id, year_id=s.year.id, observer_id=s.users["deputy"].id,
                                   planned=10))
    db.session.commit()


def _deputy_on_historian(s: SchoolFixture) -> None:
    """Three lessons of the historian (another association) observed by the deputy at 0 %:
    an MO head who sees their own 100 % observation must still see 100 %, not 25 %."""
    world = scope(s)
    for day in (5, 6, 7):
        make_observation(s, teacher=world["historian"], subject=world["history"], observed_on=date(2026, 10, day),
                         topic="Canary lesson", score=0)


def _draft(s: SchoolFixture) -> None:
    """The deputy's draft of `teacher`: drafts are the observer's and the management's."""
    make_observation(s, observed_on=date(2026, 11, 12), topic="Canary draft", score=0, final=False)


CANARIES = [
    Canary("the deputy's observations of another association's teacher",
           frozenset({"mo_head", "teacher", "class_teacher", "psychologist"}), _deputy_on_historian,
           lambda s: ("admin", [f"/observations/teacher/{scope(s)['historian'].id}", "/observations/export.xlsx"]),
           markers=("Canary lesson",)),
    Canary("a draft observation", frozenset({"expert", "mo_head", "teacher", "class_teacher", "psychologist"}),
           _draft, lambda s: ("admin", ["/observations/"])),
]


TABLES = Tables(
    url_args_by_name={
        "obs_id": lambda s: kept_id(s, "observation", observation),
        # Not a URL argument: ids for the fuzzed forms' "id:" fields.
        "protocol_id": protocol_id,
    },
    overrides={
        # Visibility (services/observations.visibility_clause): a teacher sees only their own
        # final observations, an MO head those of their MA, the psychologist and the nurse none: 404 otherwise.
        "observations.show": {"class_teacher": 404, "psychologist": 404, "nurse": 404},
        # A teacher's page: own page, or MO head of a teacher of the MA, or management/expert.
        "observations.teacher": {"class_teacher": 404, "psychologist": 404, "nurse": 404},
        # Only the observer fills in the checklist (others get 403; the deputy's POST to the
        # final observation is sent back to it).
        "observations.save": {"admin": 403, "mo_head": 403},
        "observations.sync": {"admin": 403, "mo_head": 403},
        # Only the observed teacher acknowledges: 403 for those who see the observation,
        # 404 for those who do not.
        "observations.acknowledge": {"admin": 403, "deputy": 403, "mo_head": 403, "expert": 403,
                                     "class_teacher": 404, "psychologist": 404, "nurse": 404},
        # The observers' agreement and calibration (joint lessons): the management only, as the
        # decorator says (role_required("admin", "deputy")); listed so the matrix names it.
        "observations.calibration": {"mo_head": 403, "expert": 403, "teacher": 403, "class_teacher": 403,
                                     "psychologist": 403},
    },
    fuzz_forms=[
        # Start one, fill in the checklist of a draft, amend, acknowledge.
        FuzzForm("observations.new", "deputy", {
            "instrument_id": "id:protocol_id", "assignment_id": "int", "teacher_id": "id:teacher_id",
            "class_id": "id:class_id", "subject_id": "id:subject_id", "observed_on": "date", "topic": "text",
            "purpose": "choice:control,methodical_help,open_city,x",
            # A joint observation: the id of a colleague's observation, or garbage.
            "joint_with_id": "text"}, max_examples=15),
        FuzzForm("observations.save", "deputy", {
            "score-goal_stated": "choice:0,1,2,3,4,-1,x,", "note-goal_stated": "text",
            "value-students_present": "int", "value-lesson_plan": "choice:yes,no,1,0,x", "value-strengths": "text",
            "action": "choice:save,finish,x", "section": "text"},
            url_args=lambda s: {"obs_id": draft_observation(s).id}, max_examples=15),
        FuzzForm("observations.amend", "deputy", {"reason": "text"},
                 url_args=lambda s: {"obs_id": observation(s).id}, max_examples=10),
        FuzzForm("observations.acknowledge", "teacher", {"comment": "text"},
                 url_args=lambda s: {"obs_id": observation(s).id}, max_examples=10),
    ],
    csrf_sample_data={
        "observations.new": lambda s: {"instrument_id": str(protocol_id(s)), "teacher_id": str(s.users["teacher"].id),
                                       "observed_on": "2026-10-07", "purpose": "control", "topic": "Csrf"},
        "observations.save": lambda s: {"score-goal_stated": "1", "action": "finish"},
        "observations.amend": lambda s: {"reason": "Csrf amendment"},
        "observations.acknowledge": lambda s: {"comment": "Csrf"},
        "observations.plan": lambda s: {f"plan-{s.users['deputy'].id}": "7"},
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    scope_world=scope_world,
    canaries=CANARIES,
)
