"""Disclosure control: what may be published about the respondents of an anonymous survey.

The one place that decides it. The results page, the campaign workbook, the annual workbook,
the class and teacher profiles, the indicators (dashboard, reports) and any later output ask
this module; none of them compares a group with the minimum size itself.

Rules (the README's "Trust / Disclosure control" section; sources: Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4 (threshold rule, complementary
suppression of tables with margins) and 5 (microdata: local suppression, record swapping
of order)):

1. Threshold (primary suppression): a group (a class of a campaign) with at least one but
   fewer than `m` respondents (the campaign's minimum group size) is hidden: its figures,
   its number of responses and its response rate.
2. Complementary suppression: the whole-campaign figures minus the shown groups give the
   hidden groups back as one merged group. So the hidden groups together must hold at least
   `m` respondents: while they hold fewer (and more than none), the smallest shown group is
   hidden too (ties: the earlier group). A hidden group is then one of at least two groups
   with respondents whose sum is at least `m`; only that sum is derivable.
   The same holds per scale, on the respondents who answered the scale.
3. A campaign with fewer than `m` respondents in all shows only its number of respondents.
4. Differencing over time: results of a campaign move only when it is closed
   (`released`). While it is open (or re-opened) no figure is shown, so saving the page
   before and after one known parent sends tells nothing. The comparison with an earlier
   campaign uses only a closed one.
5. Raw rows have no arrival order (`shuffled`) and no class for hidden groups.
6. Percentages name their base: an option's share is of the respondents who saw the item
   (`share`), and those who left it blank are counted ("none chosen").
7. A response rate above 100 % (an open link: several parents of one pupil, or anyone with
   the link) is never a plain figure (`response_rate` flags it).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Optional, TypeVar

K = TypeVar("K", bound=Hashable)

RELEASE_RULE = "after_close"  # the rule that holds for every campaign (rule 4)


def released(campaign) -> bool:
    """True when a campaign's figures may be published (rule 4): it is closed."""
    return campaign.status == "closed"


def below_minimum(n: Optional[int], min_group: int) -> bool:
    """True when a figure rests on fewer than `min_group` (at least 1) people; an unknown n
    is not below (rule 1, for single figures such as an indicator value)."""
    return n is not None and n < max(min_group, 1)


def hidden_groups(counts: Mapping[K, int], min_group: int, also: Iterable[K] = ()) -> set[K]:
    """The groups to hide (rules 1 and 2).

    counts: group -> respondents (in the order the groups are listed: the order breaks ties);
    also: groups hidden for another reason (e.g. on the whole response counts when `counts`
    are the respondents of one scale). Returns a set of groups such that their respondents
    together are 0 or at least `min_group`, or every group is hidden."""
    m = max(min_group, 1)
    order = {g: i for i, g in enumerate(counts)}
    hidden = {g for g in also if g in counts} | {g for g, n in counts.items() if 0 < n < m}
    shown = sorted((g for g in counts if g not in hidden and counts[g] > 0), key=lambda g: (counts[g], order[g]))
    while shown and 0 < sum(counts[g] for g in hidden) < m:
        hidden.add(shown.pop(0))
    return hidden


@dataclass(frozen=True)
class Rate:
    """A response rate: `value` in percent (None when not shown), `over` when more responses
    came than expected (rule 7: then `value` is None and the page explains)."""

    value: Optional[float]
    over: bool = False


def response_rate(responses: Optional[int], expected: Optional[int], hidden: bool = False) -> Rate:
    """responses / expected x 100 (expected: codes issued, or the class size for a link)."""
    if hidden or responses is None or not expected:
        return Rate(None)
    if responses > expected:
        return Rate(None, over=True)
    return Rate(100.0 * responses / expected)


def share(count: int, base: int) -> Optional[float]:
    """count / base x 100, the base being the respondents who saw the item (rule 6)."""
    return 100.0 * count / base if base else None


def shuffled(rows: Iterable) -> list:
    """The rows in a random order (rule 5: no output keeps the order of arrival)."""
    out = list(rows)
    random.SystemRandom().shuffle(out)
    return out
