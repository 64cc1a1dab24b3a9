"""Configuration classes for Sapat.

Development and Testing run on SQLite in instance/ unless DATABASE_URL is set;
Production insists on a SECRET_KEY from the environment.
"""
import os
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


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "sapat-development-key-not-for-production")
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
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # uploads above 10 MB are refused with 413
    COMPRESS_STREAMS = False  # streamed exports and files go as they are
    COMPRESS_ALGORITHM = ["br", "gzip"]
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    DEFAULT_SCHOOL_CODE = os.environ.get("SAPAT_SCHOOL", "balasagyn")
    IMPORT_ANALYZE_ROWS = 500  # an import writing this many rows refreshes the planner's statistics
    TESTING = False

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "sapat-testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("SAPAT_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = "localhost"


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise ConfigError(
                "SECRET_KEY is not set. Sapat refuses to start in production without one: "
                "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
