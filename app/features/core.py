"""The core of Sapat: accounts and sign-in, the home page, the school's structure (admin), the
published instruments (XLSForm import and export), the audit log, error pages, and the commands
create-user, create-school, demo, import-roster, instruments, backup and restore."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.cli import core as core_cli
from app.cli.instruments import instruments_cli
from app.features import Feature, Link, installed
from app.security import MANAGERS
from app.views import admin, auth, errors, instruments, main, security
from app.web import once


def _setup(app: Flask) -> None:
    errors.register_error_handlers(app)
    once.install(app)  # once-only forms: a refresh or double click changes nothing twice

    @app.context_processor
    def _navigation():
        def nav_links():
            if not current_user.is_authenticated:
                return []
            return [(link.label, link.endpoint) for link in installed(app).nav if current_user.has_role(*link.roles)]
        return {"nav_links": nav_links}


feature = Feature(
    name="core",
    blueprints=(auth.bp, main.bp, admin.bp, instruments.bp, security.bp),
    nav=(Link(security.AUDITORS, _l("Audit log"), "security.audit_log"),),
    tiles=(Link(security.AUDITORS, _l("Audit log: who changed what"), "security.audit_log"),
           Link(MANAGERS, _l("Questionnaires and protocols: XLSForm import and export"), "instruments.index")),
    commands=(*core_cli.COMMANDS, instruments_cli),
    setup=_setup,
)
