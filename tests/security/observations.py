"""Security rows of the observations: the fixture's final observation of `teacher` (maths,
7-А) by the deputy, a draft, the observers' plan."""
from datetime import date

from app.extensions import db
from app.models import ObservationPlan
from tests.factories import SchoolFixture
from tests.factories.observations import make_observation, observation_protocols
from tests.security import FuzzForm, Tables, kept, kept_id


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


TABLES = Tables(
    url_args_by_name={
        "obs_id": lambda s: kept_id(s, "observation", observation),
        # Not a URL argument: ids for the fuzzed forms' "id:" fields.
        "protocol_id": protocol_id,
    },
    overrides={
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
    },
    fuzz_forms=[
        # Start one, fill in the checklist of a draft, amend, acknowledge.
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
)
