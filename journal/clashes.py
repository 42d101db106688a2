"""Gaps, spread, the clash flag and sparring prompts: pure functions of plain data.

Disagreement between informants is normal (they correlate around r = .28); a large gap is a
reason to talk with colleagues, not an error. These rules are what the worker sees on the
citizen page, what the team overview sorts by, and what raises sparring prompts, so they live
in one place and are tested exhaustively (tests/test_clashes.py).
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _

from . import clock
from .expectations import SOURCE_NAMES, current_views, live_entries, worker_history, worker_view


@dataclass(frozen=True)
class Gap:
    """worker_value − value: positive means the worker expects more than this source."""

    source: str
    source_label: str | None
    gap: int
    value: int
    worker_value: int


@dataclass(frozen=True)
class Prompt:
    cause: str  # gap | drop | stale_low
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    views: list
    gaps: list
    spread: int | None
    clash: bool
    max_gap: int | None
    worker_value: int | None
    prompts: list


def gaps(views):
    """Signed gap of the worker view against every other current view; none without a worker view."""
    mine = worker_view(views)
    if mine is None:
        return []
    return [
        Gap(v.source, v.source_label, mine.value - v.value, v.value, mine.value)
        for v in views
        if v is not mine
    ]


def spread(views):
    """max − min over all current views, None with fewer than two."""
    if len(views) < 2:
        return None
    values = [v.value for v in views]
    return max(values) - min(values)


def largest_gap(gap_list):
    """The gap with the largest magnitude; on a tie, the one where the worker expects less."""
    if not gap_list:
        return None
    return max(gap_list, key=lambda g: (abs(g.gap), -g.gap))


def is_clash(gap_list, threshold):
    """A citizen clashes when any |gap| reaches the team's threshold."""
    return any(abs(g.gap) >= threshold for g in gap_list)


def drop(series, threshold):
    """The last fall in the worker's own value, if it is ≥ threshold between consecutive entries.

    :param series: live worker entries oldest first (see expectations.worker_history)
    :returns: (before, after) values, or None
    """
    if len(series) < 2:
        return None
    before, after = series[-2]["value"], series[-1]["value"]
    if before - after >= threshold:
        return before, after
    return None


def low_since(series, ceiling=2):
    """The date since which the worker's own value has stayed ≤ ceiling, or None."""
    since = None
    for entry in reversed(series):
        if entry["value"] > ceiling:
            break
        since = clock.as_date(entry["observed_on"])
    return since


def prompts(views, gap_list, series, team, today, last_sparring_on=None):
    """Causes for sparring that apply now (DESIGN.md "Sparring prompt").

    :param series: live worker entries oldest first
    :param team: mapping with gap_threshold, drop_threshold, stale_low_days
    :param last_sparring_on: date of the citizen's most recent sparring, if any
    """
    found = []
    mine = worker_view(views)
    if is_clash(gap_list, team["gap_threshold"]):
        top = largest_gap(gap_list)
        found.append(
            Prompt(
                "gap",
                {
                    "source": top.source,
                    "source_label": top.source_label,
                    "value": top.value,
                    "worker_value": top.worker_value,
                    "gap": top.gap,
                },
            )
        )
    if mine is not None and series and series[-1]["id"] == mine.expectation_id:
        fell = drop(series, team["drop_threshold"])
        if fell:
            found.append(Prompt("drop", {"before": fell[0], "after": fell[1]}))
        since = low_since(series)
        days = team["stale_low_days"]
        if since is not None and (today - since).days >= days:
            recent = last_sparring_on is not None and last_sparring_on > today - timedelta(days=days)
            if not recent:
                found.append(
                    Prompt("stale_low", {"value": mine.value, "since": since, "days": (today - since).days})
                )
    return found


def summarise(entries, team, today, last_sparring_on=None):
    """Everything the clash view shows for one citizen, from their expectation rows."""
    views = current_views(entries, today)
    gap_list = gaps(views)
    top = largest_gap(gap_list)
    mine = worker_view(views)
    return Summary(
        views=views,
        gaps=gap_list,
        spread=spread(views),
        clash=is_clash(gap_list, team["gap_threshold"]),
        max_gap=top.gap if top else None,
        worker_value=mine.value if mine else None,
        prompts=prompts(views, gap_list, worker_history(entries), team, today, last_sparring_on),
    )


def source_name(source, source_label=None):
    name = str(SOURCE_NAMES[source])
    return f"{name} ({source_label})" if source_label and source != "worker" else name


def describe(prompt, for_team=False):
    """The prompt's reason in plain words, in the current language.

    :param for_team: word it for colleagues (queue, sessions) rather than for the worker
        whose own view it is ("vs caseworker 7" instead of "vs you 7")
    """
    f = prompt.facts
    if prompt.cause == "gap":
        source = source_name(f["source"], f["source_label"])
        if for_team:
            return _("%(source)s %(value)s vs caseworker %(worker)s", source=source, value=f["value"], worker=f["worker_value"])
        return _("%(source)s %(value)s vs you %(worker)s", source=source, value=f["value"], worker=f["worker_value"])
    if prompt.cause == "drop":
        if for_team:
            return _("The caseworker's view fell from %(before)s to %(after)s", before=f["before"], after=f["after"])
        return _("Your view fell from %(before)s to %(after)s", before=f["before"], after=f["after"])
    if prompt.cause == "stale_low":
        if for_team:
            return _(
                "The caseworker's view has been %(value)s or lower for %(days)s days without sparring",
                value=2,
                days=f["days"],
            )
        return _(
            "Your view has been %(value)s or lower for %(days)s days without sparring",
            value=2,
            days=f["days"],
        )
    return _("Sparring requested")


def weekly_clash_counts(entries_by_citizen, team, today, weeks=12):
    """How many citizens clashed as of the end of each of the last `weeks` weeks.

    :param entries_by_citizen: citizen id → expectation rows (expectations.for_citizens); the
        caller leaves out citizens the user may not see (recusals) or does not want counted
    :param team: mapping with gap_threshold (and what summarise needs)
    :returns: list of (week_end, count), oldest first, `weeks` items

    Weeks run Monday to Sunday (ISO weeks, as in Denmark and Sweden). Past weeks are counted as
    of their Sunday; the current week, which is not over yet, is counted as of `today`, so the
    newest value always matches what the team overview shows right now.

    "As of" a date means the rules applied on that date to what had been observed by then:
    entries observed later are left out and the 180-day window ends on that date, so a view
    ages out of the count just as it ages out of the citizen page. Corrections are applied
    first, over all entries: a superseded entry was a mistake, so it never counts in any week
    (a correction keeps the observed date of the entry it corrects, see casework.add_expectation).
    """
    if weeks < 1:
        return []
    last_sunday = today - timedelta(days=today.isoweekday())  # strictly before today
    ends = [last_sunday - timedelta(weeks=k) for k in range(weeks - 2, -1, -1)] + [today]
    live = {cid: live_entries(rows) for cid, rows in entries_by_citizen.items()}
    counts = []
    for end in ends:
        clashing = 0
        for rows in live.values():
            known = [e for e in rows if clock.as_date(e["observed_on"]) <= end]
            if known and summarise(known, team, end).clash:
                clashing += 1
        counts.append((end, clashing))
    return counts
