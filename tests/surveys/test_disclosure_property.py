"""Property: for every hidden class of a random campaign, the published figures do not determine
its number of respondents or its mean (issue 16, part 1).

Hypothesis draws campaigns over 2-4 classes with 0-7 respondents each and a minimum group of
2-5; each respondent gives one value (1-5) to every scale item. Through the real pipeline
(`results`, the raw rows) we check:

1. the hidden classes that have respondents are none, or at least two whose respondents
   together are at least the minimum: the published totals minus the shown classes give
   only their sum (a linear system with one equation for two or more unknowns);
2. a witness: a second campaign that moves one respondent between two hidden classes (or
   swaps two respondents with different answers) publishes exactly the same figures, while
   the hidden class's count (or mean) differs. So no set of published figures determines it.
"""
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.surveys import disclosure
from app.services.surveys import results as service
from tests.surveys.disclosure_support import answer_all, close, five_campaign, more_classes

CAMPAIGNS = st.tuples(st.integers(2, 5), st.integers(2, 4)).flatmap(
    lambda mk: st.tuples(st.just(mk[0]), st.lists(st.lists(st.integers(1, 5), max_size=7),
                                                  min_size=mk[1], max_size=mk[1])))


def run(school, classes, min_group: int, groups: list[list[int]]):
    campaign = five_campaign(school, classes[:len(groups)], min_group_size=min_group)
    for target, values in zip(campaign.targets, groups):
        for value in values:
            answer_all(campaign, target, value, 1)
    return service.results(close(campaign))


def r9(v):
    return None if v is None else round(v, 9)


def published(r) -> tuple:
    """Every figure the results page and the workbook show, keyed by class label."""
    classes = tuple((c["label"], c["suppressed"], c["responses"], r9(c["rate"]), c["rate_over"],
                     tuple(sorted((k, r9(v)) for k, v in c["scales"].items()))) for c in r.classes)
    scales = tuple(sorted((k, r9(v["mean"]), r9(v["index"]), v["n"]) for k, v in r.scales.items()))
    items = tuple((i.key, i.n, r9(i.mean), r9(i.index), r9(i.top2), i.base, i.blank,
                   tuple((o.key, o.count, r9(o.pct)) for o in i.options)) for i in r.items)
    labels = {c["target"].id: c["label"] for c in r.classes}
    hidden = {c["target"].id for c in r.classes if c["suppressed"]}
    raw = Counter() if not r.shown else Counter(
        (labels.get(t), tuple(sorted(v.items()))) for _n, t, v in service.raw_rows(r.campaign, hidden))
    return r.respondents, r.shown, classes, scales, items, raw


def witness(groups: list[list[int]], min_group: int, hidden: set[int]):
    """(index of a hidden class, other groups) that keeps the hidden set and changes that class's
    count or mean; None when none exists."""
    def same_rule(other):
        return disclosure.hidden_groups({i: len(g) for i, g in enumerate(other)}, min_group) == hidden
    for g in sorted(hidden):
        for h in sorted(hidden - {g}):
            for src, dst in ((g, h), (h, g)):
                if groups[src]:
                    moved = [list(x) for x in groups]
                    moved[dst].append(moved[src].pop())
                    if same_rule(moved):
                        return g, moved
            pair = next(((a, b) for a in set(groups[g]) for b in set(groups[h]) if a != b), None)
            if pair:
                swapped = [list(x) for x in groups]
                swapped[g][swapped[g].index(pair[0])], swapped[h][swapped[h].index(pair[1])] = pair[1], pair[0]
                return g, swapped
    return None


@pytest.fixture
def four_classes(school):
    return more_classes(school, 4)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=CAMPAIGNS)
def test_no_published_figures_determine_a_hidden_class(school, four_classes, case):
    min_group, groups = case
    classes = four_classes
    r = run(school, classes, min_group, groups)
    index = {c["target"].id: i for i, c in enumerate(r.classes)}
    hidden = {index[c["target"].id] for c in r.classes if c["suppressed"] and groups[index[c["target"].id]]}
    # 1. only the sum of two or more hidden classes, of at least the minimum, can be derived
    derived = r.respondents - sum(c["responses"] for c in r.classes if not c["suppressed"])
    assert derived == sum(len(groups[i]) for i in hidden)
    # (below the minimum in all, only the number of respondents is published: see the README)
    assert not hidden or (len(hidden) >= 2 and derived >= min_group) or not r.shown
    # 2. a different campaign publishes the same figures
    found = witness(groups, min_group, hidden)
    if found is None:
        return
    g, other = found
    r2 = run(school, classes, min_group, other)
    assert published(r2) == published(r)

    def mean(values):
        return sum((3 * v + 6) / 5 for v in values) / len(values) if values else None
    assert (len(other[g]), mean(other[g])) != (len(groups[g]), mean(groups[g]))
