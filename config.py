"""Configuration classes for Sapat.

Development and Testing run on SQLite in instance/ unless DATABASE_URL is set. No key is
written in the source: outside the tests Sapat refuses to start without a strong SECRET_KEY
(at least 32 characters, none of the well-known ones). Development (`make run`, the `flask`
command) generates one into instance/secret_key (mode 0600) on first start; production
insists on SECRET_KEY, RATELIMIT_STORAGE_URI and PUBLIC_BASE_URL or TRUSTED_HOSTS from the
environment.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url(default_file: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the common short forms and always use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{INSTANCE_DIR / default_file}"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely; the message is for operators."""


MIN_SECRET_LENGTH = 32
# Keys that were written in Sapat's source or its documentation, and the usual placeholders.
KNOWN_WEAK_KEYS = frozenset({
    "sapat-development-key-not-for-production", "sapat-testing", "change-me", "changeme", "secret",
    "secret-key", "dev", "development", "your-secret-key", "...",
})
GENERATE_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def instance_secret_key(directory=None) -> str:
    """The development key in instance/secret_key, created (0600, in a 0700 folder) on first
    use. Two processes starting together both end up with the one that was written first."""
    directory = Path(directory or INSTANCE_DIR)
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    key = path.read_text().strip()
    if not key:  # another process is writing it right now
        import time

        time.sleep(0.2)
        key = path.read_text().strip()
    return key


def check_secret_key(key) -> None:
    if not key:
        raise ConfigError("SECRET_KEY is not set. Sapat refuses to start without one: "
                          f"export SECRET_KEY=$({GENERATE_KEY})")
    if len(key) < MIN_SECRET_LENGTH or key.strip().lower() in KNOWN_WEAK_KEYS:
        raise ConfigError(f"SECRET_KEY is too weak (fewer than {MIN_SECRET_LENGTH} characters, or a "
                          f"well-known value): export SECRET_KEY=$({GENERATE_KEY})")


class Config:
    SECRET_KEY = None  # see secret_key(): from the environment (or instance/ in development)
    # Older keys that still open sessions and survey pages after a key change (comma list).
    SECRET_KEY_FALLBACKS = _list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = _database_url("sapat.db")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "ky"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bishkek"
    LANGUAGES = ("ky", "ru", "en")
    WTF_CSRF_TIME_LIMIT = None  # a deputy may fill a checklist for a whole lesson
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A signed session cookie is worth nothing after 12 hours (Flask's default: 31 days); logout,
    # a password change and deactivation end it at once (User.session_version).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # uploads above 10 MB are refused with 413
    JSON_MAX_BYTES = 1024 * 1024  # the checklist's background sync sends a few KB
    IMPORT_ERRORS_SHOWN = 50  # a refused file lists this many problems; all of them go to a workbook
    # Uploaded workbooks (app/services/core/xlsx_safety.py): package limits, then parsing in a
    # child process with memory and time limits.
    XLSX_MAX_FILE_BYTES = 20 * 1024 * 1024  # files given to the CLI (the web stops at MAX_CONTENT_LENGTH)
    XLSX_MAX_MEMBERS = 1000
    XLSX_MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one part unpacked
    XLSX_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # all parts unpacked (a 100,000-row file: 28-39 MB)
    XLSX_MAX_RATIO = 100  # parts above 1 MB (real files: at most 12; bombs: 1,024 and more)
    XLSX_PARSE_ISOLATION = True
    XLSX_PARSE_MEMORY_MB = 768  # a 100,000-row marks file needs about 250 MB
    XLSX_PARSE_CPU_SECONDS = 20  # ... and about 5 s
    XLSX_PARSE_WALL_SECONDS = 25  # a refusal before gunicorn's 30 s worker timeout
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (Werkzeug's ProxyFix).
    TRUSTED_PROXIES = int(os.environ.get("SAPAT_TRUSTED_PROXIES", "0") or 0)
    # The address printed on QR notices and code slips (else the request's host).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or None  # other Host headers get 400 (Flask 3.1)
    COMPRESS_STREAMS = False  # streamed exports and files go as they are
    COMPRESS_ALGORITHM = ["br", "gzip"]
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"  # POSTs to /login per address
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT") or "120 per minute"  # requests of the read API per token
    # The login throttle (app/services/core/login_throttle.py): free attempts, then a doubling wait.
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's; a check costs about 0.1 s (services/core/passwords.py)
    LOGIN_MAX_FAILURES = 5  # per account and address (or trusted device)
    LOGIN_ACCOUNT_MAX_FAILURES = 20  # per account from all addresses together
    LOGIN_BACKOFF_SECONDS = 30
    LOGIN_BACKOFF_MAX_SECONDS = 15 * 60
    LOGIN_WINDOW_HOURS = 24  # a counter idle this long starts again
    # Survey sends (views/surveys_public.py): every POST per address; stored new responses per
    # address and link, per address, per link; all POSTs of one response UUID (retries).
    # Each may be set in the environment (e.g. SURVEY_RATE_LIMIT="1200 per minute").
    SURVEY_RATE_LIMIT = os.environ.get("SURVEY_RATE_LIMIT") or "600 per minute"
    SURVEY_LINK_ADDRESS_LIMIT = os.environ.get("SURVEY_LINK_ADDRESS_LIMIT") or "100 per hour"
    SURVEY_ADDRESS_LIMIT = os.environ.get("SURVEY_ADDRESS_LIMIT") or "600 per hour"
    SURVEY_LINK_LIMIT = os.environ.get("SURVEY_LINK_LIMIT") or "300 per hour"
    SURVEY_UUID_LIMIT = os.environ.get("SURVEY_UUID_LIMIT") or "10 per minute"
    SURVEY_WRONG_CODE_LIMIT = os.environ.get("SURVEY_WRONG_CODE_LIMIT") or "30 per 10 minutes"
    # The task queue of export jobs (app/services/exports/queue.py, Huey): sqlite:///PATH (default
    # instance/queue.db), redis://HOST:PORT/DB for several machines, memory:// in one process.
    QUEUE_URL = os.environ.get("QUEUE_URL") or None
    QUEUE_NAME = os.environ.get("QUEUE_NAME") or "sapat"
    QUEUE_IN_PROCESS = os.environ.get("QUEUE_IN_PROCESS", "0") == "1"  # else `flask worker` runs the jobs
    QUEUE_WORKERS = int(os.environ.get("QUEUE_WORKERS", "2") or 2)  # threads of one `flask worker`
    QUEUE_LEASE_SECONDS = float(os.environ.get("QUEUE_LEASE_SECONDS", "120") or 120)  # no heartbeat: dead
    QUEUE_MAX_ATTEMPTS = int(os.environ.get("QUEUE_MAX_ATTEMPTS", "2") or 2)  # then the job fails
    DEFAULT_SCHOOL_CODE = os.environ.get("SAPAT_SCHOOL", "balasagyn")
    IMPORT_ANALYZE_ROWS = 500  # an import writing this many rows refreshes the planner's statistics
    TESTING = False

    @classmethod
    def secret_key(cls):
        """The key that signs sessions, CSRF tokens, survey pages and device cookies."""
        return cls.SECRET_KEY or os.environ.get("SECRET_KEY")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment (raises ConfigError)."""
        check_secret_key(cls.secret_key())


class DevelopmentConfig(Config):
    DEBUG = False
    QUEUE_IN_PROCESS = os.environ.get("QUEUE_IN_PROCESS", "1") == "1"  # `make run` alone builds exports

    @classmethod
    def secret_key(cls):
        return super().secret_key() or instance_secret_key()


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "sapat-testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("SAPAT_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    QUEUE_URL, QUEUE_IN_PROCESS = "memory://", True
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = None
    TRUSTED_HOSTS = None
    TRUSTED_PROXIES = 0
    # The suite logs in thousands of times; its hashes cost 1,000 PBKDF2 rounds instead of
    # scrypt's 0.1 s (the login timing test switches back to production's method).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    @classmethod
    def check(cls) -> None:
        """The tests sign with a fixed key of their own."""


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    HSTS_SECONDS = 365 * 24 * 3600

    @classmethod
    def check(cls) -> None:
        super().check()
        if not cls.RATELIMIT_STORAGE_URI:
            raise ConfigError("RATELIMIT_STORAGE_URI is not set: gunicorn's workers must share their rate-limit "
                              "counts, e.g. RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (memory:// only with "
                              "a single worker)")
        if not (cls.PUBLIC_BASE_URL or cls.TRUSTED_HOSTS):
            raise ConfigError("Set PUBLIC_BASE_URL (e.g. https://sapat.school.kg), the address printed on survey "
                              "QR notices and code slips, or TRUSTED_HOSTS (comma list of the site's host names): "
                              "otherwise the Host header of a request decides them")


def default_env(program: str) -> str:
    """The environment when SAPAT_ENV is not set: development for the `flask` command
    (`flask ...` or `python -m flask ...`), production for anything else (gunicorn)."""
    path = Path(program)
    return "development" if "flask" in (path.name, path.parent.name) else "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
