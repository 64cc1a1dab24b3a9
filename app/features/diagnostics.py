"""Diagnostics: instruments of kind `diagnostic` filled in by staff about a named student
(adaptation, learning skills, upbringing, health groups, graduates' destinations, the
gifted-children programme), and those the students fill in themselves with personal codes
(the public pages /d/<slug>); the monitoring indicators computed from them; the diagnostics part
of class profiles; the diagnostics sheets of the annual workbook; the demo school's records."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link, Ordered
from app.services.diagnostics import access, annual, demo, monitoring
from app.views import diagnostics, diagnostics_public

feature = Feature(
    name="diagnostics",
    blueprints=(diagnostics.bp, diagnostics_public.bp),
    nav=(Link(access.ROLES, _l("Diagnostics"), "diagnostics.index"),),
    # A home tile for those whose own work the diagnostics are (the top menu runs off a phone's width).
    tiles=(Link(("psychologist", "nurse", "class_teacher"), _l("Diagnostics"), "diagnostics.index"),),
    calculators=monitoring.CALCULATORS,
    class_profile=(Ordered(25, monitoring.class_diagnostics),),
    annual_sections=(Ordered(65, annual.SECTION),),
    demo_steps=(Ordered(50, demo.demo_diagnostics),),
)
