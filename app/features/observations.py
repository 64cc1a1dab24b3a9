"""Observations of lessons, extracurricular events and parent meetings: checklists, results,
the observations workbook; observed lesson quality for the monitoring programme."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link, Ordered
from app.security import OBSERVERS, REPORT_READERS, STAFF
from app.services.observations import annual, cli, demo, monitoring, today
from app.views import observations

# The menu entry for those who observe or are observed (`access.visibility_clause`): a
# psychologist or the school nurse gives no lessons as such, so their list would always be empty.
MENU_ROLES = tuple(role for role in STAFF if role not in ("psychologist", "nurse"))

feature = Feature(
    name="observations",
    today=(Ordered(50, today.waiting),),
    blueprints=(observations.bp,),
    nav=(Link(MENU_ROLES, _l("Observations"), "observations.index"),),
    tiles=(Link(OBSERVERS, _l("Observe a lesson"), "observations.new"),
           Link(REPORT_READERS, _l("Observation results"), "observations.summary")),
    export_commands=(cli.export_observations_command,),
    demo_steps=(Ordered(40, demo.demo_observations),),
    annual_sections=(Ordered(60, annual.SECTION),),
    calculators=monitoring.CALCULATORS,
    derivers=(monitoring.observation_state,),
    class_profile=(Ordered(20, monitoring.class_observations),),
    teacher_profile=(Ordered(20, monitoring.teacher_observations),),
)
