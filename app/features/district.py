"""The district: a district (район / city education department) above its schools; its staff
(district_admin, district_specialist) see the district's schools side by side (learning results,
indicators, surveys, measures overdue), rate them on indicators they choose, run one campaign across
schools (district_campaigns), download the district's workbook and issue its report
(district_reports), and the district
admin creates schools with their directors and the district's staff; the commands `flask district create | add-user` and `flask demo --district N`."""
from flask_babel import lazy_gettext as _l

from app.features import Feature, Link
from app.services.district import access
from app.services.district.cli import district_cli
from app.views import district, district_campaigns, district_reports

feature = Feature(
    name="district",
    blueprints=(district.bp, district_campaigns.bp, district_reports.bp),
    nav=(Link(access.READERS, _l("District"), "district.index"),),
    commands=(district_cli,),
)
