"""The monitoring programme: indicators and the director's dashboard, справки and the annual
public report, class and teacher profiles, registers, the annual cyclogram and interviews,
the register of measures, the archive of issued documents, the staff and programme records, and the
methodical associations' pages and annual reports."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link, Ordered
from app.security import STAFF
from app.services.monitoring import annual, calculators, demo, planning, profiles, today
from app.services.monitoring import staff as staff_records
from app.services.monitoring.issued import READERS as ISSUED_READERS
from app.views.monitoring import associations, issued, measures, registers
from app.views.monitoring import indicators as monitoring
from app.views.monitoring import planning as planning_views
from app.views.monitoring import public as public_report
from app.views.monitoring import staff as staff_views

feature = Feature(
    name="monitoring",
    today=(Ordered(10, today.cyclogram), Ordered(20, today.open_measures), Ordered(70, today.below_target)),
    blueprints=(monitoring.bp, planning_views.bp, registers.bp, measures.bp, issued.bp, public_report.bp,
                staff_views.bp, associations.bp),
    nav=(Link(monitoring.READERS, _l("Monitoring"), "monitoring.dashboard"),
         Link(planning_views.READERS, _l("Cyclogram"), "planning.cyclogram"),
         Link(registers.ALL_REGISTER_ROLES, _l("Registers"), "registers.index"),
         Link(staff_views.READERS, _l("Staff and programmes"), "staff.index")),
    # The home page shows the first tile of an endpoint the user may open: the director's own.
    tiles=(Link(("admin",), _l("Director's dashboard"), "monitoring.dashboard"),
           Link(monitoring.READERS, _l("Monitoring dashboard"), "monitoring.dashboard"),
           Link(monitoring.REPORT_ROLES, _l("Annual public report"), "monitoring.report"),
           Link(monitoring.PROFILE_ROLES, _l("Class and teacher profiles"), "monitoring.profiles_index"),
           Link(STAFF, _l("My monitoring tasks"), "planning.my_tasks"),
           Link(STAFF, _l("Measures"), "measures.index"),
           Link(ISSUED_READERS, _l("Issued documents"), "issued.archive"),
           Link(associations.READERS, _l("Methodical associations"), "associations.index"),
           Link(public_report.MANAGERS, _l("Report for parents and the community"), "public_report.manage")),
    demo_steps=(Ordered(90, demo.demo_step),),  # after the other domains: it reads their data
    annual_sections=(Ordered(20, annual.DIRECTIONS_SECTION), Ordered(30, annual.REGISTERS_SECTION),
                     Ordered(35, annual.MEASURES_SECTION)),
    calculators={**calculators.CALCULATORS, **staff_records.CALCULATORS},
    derivers=planning.DERIVERS,
    class_profile=(Ordered(40, profiles.class_olympiads), Ordered(50, profiles.class_incidents)),
    teacher_profile=(Ordered(40, profiles.teacher_achievements), Ordered(50, profiles.teacher_students_olympiads)),
)
