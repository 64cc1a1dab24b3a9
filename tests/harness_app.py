"""The app as gunicorn serves it in the concurrency test and the submit benchmark:
development settings (CSRF on) on the database given by SAPAT_HARNESS_DB, with the survey
rate limit lifted (all test clients share one address) and a bare endpoint to compare with."""
import os

from app import create_app
from app.security import public
from config import DevelopmentConfig
from tests.http_load import HARNESS_SECRET


class HarnessConfig(DevelopmentConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["SAPAT_HARNESS_DB"]
    SECRET_KEY = HARNESS_SECRET
    SURVEY_RATE_LIMIT = SURVEY_ADDRESS_LIMIT = SURVEY_LINK_ADDRESS_LIMIT = SURVEY_LINK_LIMIT = "1000000 per minute"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 4}


def _engine_options():
    if HarnessConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        return {"pool_pre_ping": True}
    return HarnessConfig.SQLALCHEMY_ENGINE_OPTIONS


HarnessConfig.SQLALCHEMY_ENGINE_OPTIONS = _engine_options()
app = create_app(HarnessConfig)


@app.route("/_bare")
@public
def bare():
    """The cheapest possible answer of the same server: the baseline for throughput."""
    return "ok"
