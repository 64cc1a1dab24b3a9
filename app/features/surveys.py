"""Surveys: questionnaire campaigns, the parents' answering pages, results and the campaign
workbook; satisfaction and climate indicators for the monitoring programme."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link, Ordered
from app.security import SURVEY_MANAGERS
from app.services.surveys import annual, cli, demo, monitoring, today
from app.views import surveys, surveys_public

feature = Feature(
    name="surveys",
    today=(Ordered(60, today.open_campaigns),),
    blueprints=(surveys.bp, surveys_public.bp),
    nav=(Link(surveys.READERS, _l("Surveys"), "surveys.index"),),
    tiles=(Link(SURVEY_MANAGERS, _l("Surveys of parents, students and staff"), "surveys.index"),),
    export_commands=(cli.export_campaign_command,),
    demo_steps=(Ordered(40, demo.demo_surveys),),
    annual_sections=(Ordered(50, annual.SECTION),),
    calculators=monitoring.CALCULATORS,
    derivers=(monitoring.campaign_state,),
    class_profile=(Ordered(30, monitoring.class_satisfaction),),
    teacher_profile=(Ordered(30, monitoring.teacher_satisfaction),),
)
