"""Learning results: marks and test results, the grid and imports, pass rate, quality, SOU and
their dynamics, students at risk and the term workbook; the learning-result indicators of the
monitoring programme."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link, Ordered
from app.services.achievement import access, annual, cli, demo, monitoring, today
from app.views import achievement, achievement_cards, achievement_quarter, achievement_support

feature = Feature(
    name="achievement",
    today=(Ordered(30, today.open_marks), Ordered(40, today.at_risk)),
    blueprints=(achievement.bp, achievement_support.bp, achievement_quarter.bp, achievement_quarter.tasks_bp,
                achievement_cards.bp),
    nav=(Link(achievement.READERS, _l("Results"), "achievement.index"),),
    tiles=(Link(achievement.READERS, _l("Learning results"), "achievement.index"),
           Link(achievement.RISK_READERS, _l("Students at risk"), "achievement.at_risk"),
           Link(access.WARNING_READERS, _l("Early warning"), "support.warnings"),
           Link(achievement_quarter.READERS, _l("Quarter report"), "quarter.report"),
           Link(access.CARD_PRINTERS, _l("Report cards for parents"), "cards.index")),
    commands=(cli.import_marks_command,),
    export_commands=(cli.export_achievement_command,),
    demo_steps=(Ordered(30, demo.demo_marks), Ordered(31, demo.demo_tasks)),
    annual_sections=(Ordered(40, annual.SECTION),),
    calculators=monitoring.CALCULATORS,
    derivers=(monitoring.marks_state,),
    class_profile=(Ordered(10, monitoring.class_achievement),),
    teacher_profile=(Ordered(10, monitoring.teacher_achievement),),
)
