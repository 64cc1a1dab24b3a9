"""Security rows of the surveys: campaigns for staff, the public questionnaire for parents."""
from app.services.surveys import public
from tests.factories import SchoolFixture
from tests.factories.surveys import answer, make_campaign
from tests.security import Canary, FuzzForm, Tables, kept


def campaign(s: SchoolFixture):
    """An open survey campaign (link mode) of the school, made on first use."""
    return kept(s, "campaign", lambda s: make_campaign(s, title=f"Campaign {s.school.code}"))


def _sign_survey_uuid(app, slug: str, values: dict) -> dict:
    if values.get("signature") == "sign" and values.get("client_uuid"):
        values = {**values, "signature": public._uuid_signature(app.config["SECRET_KEY"], slug,
                                                                str(values["client_uuid"]))}
    return values


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    """A campaign title and a parent's free-text answer with hostile text."""
    c = campaign(school)
    c.title = f"Survey {payloads[0]} {payloads[1]}"
    for i in range(5):  # enough respondents for the class to be shown
        answer(c, c.targets[0], {"a": 5, "b": 1, "kids": "no", "note": payloads[i % 3]})


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    """A campaign with answers, and a campaign with access codes."""
    seed_xss(school, texts)
    coded = make_campaign(school, mode="codes", title="Codes campaign")
    public.issue_codes(coded, coded.targets[0], 3)


def _survey_of_8b(s: SchoolFixture) -> None:
    """Parents of 8-Б answer a campaign of their class only: not the 7-А teacher's or class
    teacher's (their profiles show the satisfaction of their own classes)."""
    c = make_campaign(s, title="Canary survey", classes=[s.classes[1]])
    for i in range(5):
        answer(c, c.targets[0], {"a": 1 + i % 2, "b": 5, "kids": "no", "note": "Canary answer"})


TABLES = Tables(
    url_args_by_name={
        "campaign_id": lambda s: campaign(s).id,
        "target_id": lambda s: campaign(s).targets[0].id,
        "slug": lambda s: campaign(s).targets[0].slug,
        "n": lambda s: 0,
        "batch": lambda s: "no-such-batch",
        "instrument_id": lambda s: campaign(s).instrument_id,
    },
    fuzz_forms=[
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
                                                        "code": "text", "a": "choice:1,2,3,4,5,9,x",
                                                        "b": "choice:1,5,0", "kids": "choice:yes,no,x",
                                                        "howmany": "int", "note": "text"},
                 url_args=lambda s: {"slug": campaign(s).targets[0].slug}, max_examples=40,
                 prepare=lambda app, s, values: _sign_survey_uuid(app, campaign(s).targets[0].slug, values)),
    ],
    overrides={
        # The fixture's campaign was not created by the psychologist: the director and the
        # deputies manage every campaign, the psychologist their own (campaigns.may_manage).
        "surveys.notice": {"psychologist": 403},
        "surveys.codes": {"psychologist": 403},
        "surveys.code_slips": {"admin": 302, "deputy": 302, "psychologist": 403},  # no such batch: to the campaign
        "surveys.set_status": {"psychologist": 403},
    },
    csrf_exempt={
        "surveys_public.survey": "carries a response UUID signed by the server instead (test_surveys_campaigns)",
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
    canaries=[Canary("a survey of another class", frozenset({"teacher", "class_teacher"}), _survey_of_8b,
                     lambda s: ("admin", ["/surveys/"]), markers=("Canary survey",))],
)
