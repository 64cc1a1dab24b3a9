"""Flask extensions, created unbound here and bound in create_app()."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()  # pages travel compressed: the survey page stays small on a slow phone
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def refresh_statistics(connection, tables: tuple[str, ...] = ()) -> None:
    """Fresh planner statistics after a bulk load (demo, restore, a large import) on
    PostgreSQL: of `tables`, or of every table.

    Until autovacuum gets to it, PostgreSQL plans the marks' joins as if the tables were
    empty: comparing internal and external results took 17 s on the large demo instead of
    0.13 s. SQLite planned the same queries slower with statistics than without, so it is
    left alone."""
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql("ANALYZE " + ", ".join(quote(t) for t in tables) if tables else "ANALYZE")
