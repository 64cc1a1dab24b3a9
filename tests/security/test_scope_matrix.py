"""The route x role matrix extended to what pages show: for every role, data outside its scope
("canaries", tests/security/<domain>.py) changes nothing on any page, chart or download the
role can reach.

For each role the test crawls every GET route of app.url_map (with the fixture's arguments,
each variant of them: another class, student, subject, teacher, register; and, on every page
the role opens, each query variant: a teacher, a class and subject, another term), builds each
export-job workbook the role may build, then adds the canaries hidden from the role and
crawls again. Every page must come back identical (HTML with CSRF tokens masked, workbooks
cell by cell): a figure computed with a canary (a mean, a percentage, a count, a chart) would
differ. No canary text may appear either. Pages listed in SCHOOL_TOTALS show the whole
school's figures by design (the director's dashboard, the public report): there only the
texts are checked. New routes, arguments and export kinds are crawled as soon as they exist.

`test_each_canary_shows_where_it_may` proves the canaries are real: each changes its witness
page for a role that may see it.
"""
import pytest

from app.extensions import db, limiter
from tests.security.scope import (
    build_exports,
    canaries_hidden_from,
    crawl,
    endpoint_of,
    first_difference,
    plan,
    read,
    seed_world,
)
from tests.security.support import login_client, record_figure
from tests.security.tables import CANARIES, ROLES_UNDER_TEST, SCHOOL_TOTALS

ROLES = [r for r in ROLES_UNDER_TEST if any(r in c.hidden_from for c in CANARIES)]


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch):
    """The crawl opens each page many times from one address; a 429 there says nothing of scope
    (the limits have their own tests: tests/api, tests/surveys, tests/security/test_login_throttle.py)."""
    monkeypatch.setattr(limiter, "enabled", False)


def test_every_role_but_the_director_has_canaries():
    assert set(ROLES) == set(ROLES_UNDER_TEST) - {"anonymous", "admin"}, ROLES


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_what_the_role_may_not_see(app, school, role):
    seed_world(school)
    user = school.users[role]
    urls = plan(app, school)
    client = login_client(app, user)
    before = crawl(app, client, school, urls)
    before.update(build_exports(app, school, user))

    hidden = canaries_hidden_from(role)
    for canary in hidden:
        canary.seed(school)
    db.session.commit()
    after = crawl(app, client, school, urls)
    after.update(build_exports(app, school, user))

    markers = [m for c in hidden for m in c.markers]
    changed, shown = [], []
    for url in sorted(set(before) | set(after)):
        old, new = before.get(url), after.get(url)
        if new is not None:
            shown += [f"{url}: {m!r}" for m in markers if m in new.content]
        if old is None or new is None:
            changed.append(f"{url}: crawled only {'after' if old is None else 'before'}")
            continue
        if (old.status, old.location) != (new.status, new.location):
            changed.append(f"{url}: {old.show()} -> {new.show()}")
        elif old.content != new.content and endpoint_of(url, urls) not in SCHOOL_TOTALS:
            changed.append(f"{url}:\n      {first_difference(old.content, new.content)}")
    names = ", ".join(c.name for c in hidden)
    assert not shown, f"{role} sees texts of data outside its scope ({names}):\n" + "\n".join(shown)
    assert not changed, (f"{len(changed)} pages of {role} change with data outside its scope ({names}):\n"
                         + "\n".join(changed))
    opened = sum(1 for page in after.values() if page.status == 200)
    assert opened >= 10, f"{role} opened only {opened} pages: the crawl is not crawling"
    record_figure(f"scope_matrix:{role}", {"urls": len(after), "pages_opened": opened, "canaries": len(hidden),
                                           "school_total_pages": len(SCHOOL_TOTALS)})


@pytest.mark.parametrize("canary", CANARIES, ids=lambda c: c.name)
def test_each_canary_shows_where_it_may(app, school, canary):
    seed_world(school)
    plan(app, school)
    role, urls = canary.witness(school)
    assert role not in canary.hidden_from
    client = login_client(app, school.users[role])
    before = [read(client.get(url)) for url in urls]
    assert all(page.status == 200 for page in before), [(u, p.status) for u, p in zip(urls, before)]
    canary.seed(school)
    db.session.commit()
    after = [read(client.get(url)) for url in urls]
    assert after[0].content != before[0].content, f"{canary.name}: {urls[0]} does not change"
    for marker in canary.markers:
        assert any(marker in page.content for page in after), f"{canary.name}: {marker!r} is shown on none of {urls}"
