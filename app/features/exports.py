"""Workbooks for experts: the annual expert workbook (built by an export job with progress),
the experts' filled sheets read back, the `export annual` / `import-expert` commands, and the
task queue with its `flask worker` command."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link
from app.security import ANNUAL_ROLES, REPORT_READERS, STAFF
from app.services.exports import annual, cli, problems
from app.services.exports.jobs import ExportKind, install
from app.views import exports

feature = Feature(
    name="exports",
    blueprints=(exports.bp,),
    nav=(Link(REPORT_READERS, _l("Workbooks"), "exports.index"),),
    tiles=(Link(REPORT_READERS, _l("Workbooks for experts"), "exports.index"),
           Link(REPORT_READERS, _l("Expert scores"), "exports.expert_scores")),
    commands=(cli.import_expert, cli.worker),
    export_commands=(cli.export_annual,),
    export_kinds=(ExportKind("annual", _l("Annual expert workbook"), ANNUAL_ROLES, annual.build_job),
                  ExportKind(problems.KIND, _l("All problems of a refused file"), STAFF, problems.build_job)),
    setup=install,  # the task queue (Huey) that builds export jobs; `flask worker` runs it
)
