"""Users read indicators by their names in their own language; the internal keys
("pass_rate", "ma3_1") and the regulation's criterion codes stay out of the pages."""
import re

from app.extensions import db
from app.services.monitoring.catalogue import ensure_catalogue
from app.services.monitoring.indicators import indicators


def test_the_catalogue_shows_each_indicators_name_and_no_key(client, login, school):
    ensure_catalogue(school.school.id)
    db.session.commit()
    items = indicators(school.school.id, active_only=False)
    pass_rate = next(i for i in items if i.key == "pass_rate")
    login(school.user("deputy"))
    for lang in ("ru", "ky", "en"):
        page = client.get(f"/monitoring/indicators/?lang={lang}").get_data(as_text=True)
        assert pass_rate.name_in(lang) in page
        shown = re.sub(r"<[^>]+>", " ", page)  # the text a reader sees, without attributes
        # (a one-word key such as "quality" is also an English word: the keys with "_" are checked)
        keys = [i.key for i in items if "_" in i.key and re.search(rf"(?<![\w-]){re.escape(i.key)}(?![\w-])", shown)]
        assert not keys, (lang, keys)
        assert "R3.1" not in shown and "pass_rate · " not in page
