"""Shared by the district tests: schools of one district with marks chosen by hand, and reading
a row of a district page's table."""
import re
from html import unescape

from app.extensions import db
from tests.factories import make_school
from tests.factories.district import term_marks


def join(district_school, code: str, class_size: int = 6):
    """Another school (with its own district users, unused) moved into `district_school`'s district."""
    other = make_school(code, class_size=class_size)
    other.school.district_id = district_school.extra["district"].id
    db.session.commit()
    return other


def marks(school, values, cls_index=0, subject_index=0):
    term_marks(school, school.classes[cls_index], school.subjects[subject_index], values)
    db.session.commit()


def rows(page: str, first_table_only: bool = True) -> dict[str, list[str]]:
    """The first table of the page: the row header's text -> the texts of its cells."""
    table = page[page.index("<table"):page.index("</table>")] if first_table_only else page
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells:
            out[cells[0]] = cells[1:]
    return out
