"""The app of one node of the mixed two-node benchmark (bench/bench_mixed.py): the harness app's
settings (development, CSRF on, survey limits lifted: every client of the benchmark sends from
127.0.0.1) with rate limits in Redis as the environment says (RATELIMIT_STORAGE_URI) under a key
prefix of the run's own, the login limit lifted for the same reason (50 staff log in from one
address), and the bare endpoint to compare with."""
import os

from app import create_app
from tests.harness_app import HarnessConfig, bare


class MixedConfig(HarnessConfig):
    RATELIMIT_KEY_PREFIX = os.environ.get("SAPAT_MIXED_PREFIX", "sapat-bench-mixed")
    LOGIN_RATE_LIMIT = "1000000 per minute"


app = create_app(MixedConfig)
app.add_url_rule("/_bare", "bare", bare)
