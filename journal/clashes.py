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
from .expectations import SOURCE_NAMES, current_views, live_entries, owner_view, worker_histories


@dataclass(frozen=True)
class Gap:
    """worker_value − value: positive means the case owner's view (the worker view gaps are
    measured from) expects more than this source."""

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
    #: the case owner's view value (what gaps are measured from), None without a worker view
    worker_value: int | None
    prompts: list
    #: the View gaps are measured from: the owner's, or the latest worker view by anyone
    owner: object = None
    #: True when that view is not the case owner's own (no owner, or no current view of theirs)
    owner_fallback: bool = False


def gaps(views, owner_id=None):
    """Signed gap of the case owner's view against every collaborator's current view.

    Other workers' views are not gaps: they are colleagues' readings of the same citizen,
    shown by name and counted in the spread. None without a worker view.
    """
    mine = owner_view(views, owner_id)
    if mine is None:
        return []
    return [
        Gap(v.source, v.source_label, mine.value - v.value, v.value, mine.value)
        for v in views
        if v.source != "worker"
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


def prompts(views, gap_list, histories, team, today, last_sparring_on=None, owner_id=None):
    """Causes for sparring that apply now (DESIGN.md "Sparring prompt").

    :param histories: each worker's live entries oldest first (expectations.worker_histories)
    :param team: mapping with gap_threshold, drop_threshold, stale_low_days
    :param last_sparring_on: date of the citizen's most recent sparring, if any
    :param owner_id: the case owner (gap and stale_low are measured from their view)
    """
    found = []
    mine = owner_view(views, owner_id)
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
                    "worker_id": mine.recorded_by,
                },
            )
        )
    fall = latest_drop(views, histories, team["drop_threshold"])
    if fall:
        found.append(fall)
    series = histories.get(mine.recorded_by, []) if mine is not None else []
    if series and series[-1]["id"] == mine.expectation_id:
        since = low_since(series)
        days = team["stale_low_days"]
        if since is not None and (today - since).days >= days:
            recent = last_sparring_on is not None and last_sparring_on > today - timedelta(days=days)
            if not recent:
                found.append(
                    Prompt(
                        "stale_low",
                        {"value": mine.value, "since": since, "days": (today - since).days, "worker_id": mine.recorded_by},
                    )
                )
    return found


def latest_drop(views, histories, threshold):
    """The most recent fall by threshold or more within one worker's own entries, as a
    `drop` prompt naming that worker; only a fall into a worker's current view counts.

    Two people's views are never compared: a colleague rating lower than the case owner is a
    difference of opinion (it shows in the spread), not a drop.
    """
    falls = []
    for view in views:
        if view.source != "worker":
            continue
        series = histories.get(view.recorded_by, [])
        if series and series[-1]["id"] == view.expectation_id:
            fell = drop(series, threshold)
            if fell:
                falls.append((view.rank, fell, view.recorded_by))
    if not falls:
        return None
    _rank, (before, after), worker_id = max(falls, key=lambda f: f[0])
    return Prompt("drop", {"before": before, "after": after, "worker_id": worker_id})


def summarise(entries, team, today, last_sparring_on=None, owner_id=None):
    """Everything the clash view shows for one citizen, from their expectation rows.

    :param owner_id: the citizen's case owner (primary worker), whose view gaps are measured from
    """
    views = current_views(entries, today)
    mine = owner_view(views, owner_id)
    gap_list = gaps(views, owner_id)
    top = largest_gap(gap_list)
    return Summary(
        views=views,
        gaps=gap_list,
        spread=spread(views),
        clash=is_clash(gap_list, team["gap_threshold"]),
        max_gap=top.gap if top else None,
        worker_value=mine.value if mine else None,
        prompts=prompts(views, gap_list, worker_histories(entries), team, today, last_sparring_on, owner_id),
        owner=mine,
        owner_fallback=mine is not None and (owner_id is None or mine.recorded_by != owner_id),
    )


def source_name(source, source_label=None):
    name = str(SOURCE_NAMES[source])
    return f"{name} ({source_label})" if source_label and source != "worker" else name


def worker_name(user_id, viewer_id=None, names=None):
    """How a screen names a worker's view: "You" only for the viewer's own, otherwise the
    colleague's name inside the team, or "Caseworker" when the name is not known."""
    if viewer_id is not None and user_id == viewer_id:
        return _("You")
    return (names or {}).get(user_id) or str(SOURCE_NAMES["worker"])


def view_name(view, viewer_id=None, names=None):
    """The words for a current view's perspective: the worker by name, or the source."""
    if view.source == "worker":
        return worker_name(view.recorded_by, viewer_id, names)
    return source_name(view.source, view.source_label)


def describe(prompt, viewer_id=None, names=None):
    """The prompt's reason in plain words, in the current language.

    "You" only when the view in question is the viewer's own (DESIGN.md "Worker views are
    personal"); otherwise the worker is named (inside the team, *names*: user id → display
    name), or called "the caseworker" when the name is not known (an older request).

    :param viewer_id: the user who reads the words
    """
    f = prompt.facts
    who = f.get("worker_id")
    mine = viewer_id is not None and who == viewer_id
    name = None if mine else (names or {}).get(who)
    if prompt.cause == "gap":
        source = source_name(f["source"], f["source_label"])
        if mine:
            return _("%(source)s %(value)s vs you %(worker)s", source=source, value=f["value"], worker=f["worker_value"])
        if name:
            return _("%(source)s %(value)s vs %(name)s %(worker)s", source=source, value=f["value"], name=name, worker=f["worker_value"])
        return _("%(source)s %(value)s vs caseworker %(worker)s", source=source, value=f["value"], worker=f["worker_value"])
    if prompt.cause == "drop":
        if mine:
            return _("Your view fell from %(before)s to %(after)s", before=f["before"], after=f["after"])
        if name:
            return _("%(name)s's view fell from %(before)s to %(after)s", name=name, before=f["before"], after=f["after"])
        return _("The caseworker's view fell from %(before)s to %(after)s", before=f["before"], after=f["after"])
    if prompt.cause == "stale_low":
        if mine:
            return _("Your view has been %(value)s or lower for %(days)s days without sparring", value=2, days=f["days"])
        if name:
            return _(
                "%(name)s's view has been %(value)s or lower for %(days)s days without sparring",
                name=name, value=2, days=f["days"],
            )
        return _(
            "The caseworker's view has been %(value)s or lower for %(days)s days without sparring",
            value=2,
            days=f["days"],
        )
    return _("Sparring requested")


def weekly_clash_counts(entries_by_citizen, team, today, weeks=12, owners=None):
    """How many citizens clashed as of the end of each of the last `weeks` weeks.

    :param entries_by_citizen: citizen id → expectation rows (expectations.for_citizens); the
        caller leaves out citizens the user may not see (recusals) or does not want counted
    :param team: mapping with gap_threshold (and what summarise needs)
    :param owners: citizen id → case owner's user id (gaps are measured from their view)
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
    owners = owners or {}
    for end in ends:
        clashing = 0
        for cid, rows in live.items():
            known = [e for e in rows if clock.as_date(e["observed_on"]) <= end]
            if known and summarise(known, team, end, owner_id=owners.get(cid)).clash:
                clashing += 1
        counts.append((end, clashing))
    return counts
