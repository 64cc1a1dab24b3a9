"""Security rows of the read API and its tokens page. The API's routes take no session: every
signed-in role, like an anonymous visitor, gets 401 without a bearer token (the token × scope
matrix is tests/api/test_api_access.py); the OpenAPI document is open. The tokens page is for a
school's director and deputy and a district's staff; a token is revoked only by its owner."""
from app.extensions import db
from app.models import ApiToken
from app.services.api import tokens
from tests.factories import SchoolFixture
from tests.security import FuzzForm, Tables, kept

API_ENDPOINTS = ("api.schools", "api.years", "api.indicators", "api.results", "api.campaigns", "api.survey_indices")
NO_SESSION = {"anonymous": 401, "*": 401}


def _director_token(s: SchoolFixture) -> ApiToken:
    def make(s):
        row, _secret = tokens.create(s.users["admin"], "Director's token")
        db.session.commit()
        return row
    return kept(s, "api_token", make)


def seed_xss(school: SchoolFixture, payloads: tuple) -> None:
    script, img, _js = payloads
    for user, payload in ((school.users["admin"], script), (school.users["district_specialist"], img)):
        tokens.create(user, f"Token {payload}")


def seed_backup(school: SchoolFixture, texts: tuple) -> None:
    tokens.create(school.users["admin"], texts[0])


TABLES = Tables(
    overrides={endpoint: dict(NO_SESSION) for endpoint in API_ENDPOINTS},
    fuzz_forms=[FuzzForm("api_tokens.index", "admin", {"name": "text", "lifetime": "choice:30,90,365"},
                         max_examples=15)],
    csrf_sample_data={
        "api_tokens.index": lambda s: {"name": "A token", "lifetime": "30"},
        "api_tokens.revoke": lambda s: {"token_id": str(_director_token(s).id)},
    },
    seed_xss=seed_xss,
    seed_backup=seed_backup,
)
