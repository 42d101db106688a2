"""Unit tests for journal/clashes.py: gaps, spread, clash, sparring prompts, summaries.

DESIGN.md "Rules": Worker view, Gap, Spread, Clash, Sparring prompt. Every test passes a
fixed `today`; teams are plain mappings with the DESIGN.md defaults unless a test says so.
"""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.clashes import (
    Gap,
    Prompt,
    describe,
    drop,
    gaps,
    is_clash,
    largest_gap,
    low_since,
    prompts,
    source_name,
    spread,
    summarise,
)
from journal.expectations import View, current_views, owner_view, worker_histories

TODAY = date(2026, 3, 15)
T1 = "2026-01-01T10:00:00Z"
T2 = "2026-01-01T11:00:00Z"
T3 = "2026-01-02T09:00:00Z"
TEAM = {"gap_threshold": 4, "drop_threshold": 3, "stale_low_days": 90}

PROPS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def entry(id, source="worker", value=5, days_ago=0, label=None, recorded_at=T1, supersedes=None, context="meeting",
          recorded_by=None):
    return {
        "recorded_by": recorded_by,
        "id": id,
        "source": source,
        "source_label": label,
        "value": value,
        "observed_on": (TODAY - timedelta(days=days_ago)).isoformat(),
        "recorded_at": recorded_at,
        "supersedes": supersedes,
        "context": context,
    }


def view(source, value, label=None, id=None, days_ago=1):
    return View(source, label, value, TODAY - timedelta(days=days_ago), id or f"{source}-{label}-{value}")


def gap(source, g, label=None, worker_value=5):
    return Gap(source, label, g, worker_value - g, worker_value)


def team(**overrides):
    return {**TEAM, **overrides}


def causes(summary_or_prompts):
    found = summary_or_prompts.prompts if hasattr(summary_or_prompts, "prompts") else summary_or_prompts
    return [p.cause for p in found]


def prompt(summary, cause):
    return next((p for p in summary.prompts if p.cause == cause), None)


def worker_series(values_and_days, **kwargs):
    """Worker entries from (value, days_ago) pairs, ids w0, w1, ..."""
    return [entry(f"w{i}", "worker", v, d, **kwargs) for i, (v, d) in enumerate(values_and_days)]


# --- gaps and spread --------------------------------------------------------------------


def test_gaps_are_worker_minus_source_for_every_other_view():
    views = [view("worker", 7), view("citizen", 9), view("doctor", 2, "Egen læge"), view("parent", 7)]
    assert gaps(views) == [
        Gap("citizen", None, -2, 9, 7),
        Gap("doctor", "Egen læge", 5, 2, 7),
        Gap("parent", None, 0, 7, 7),
    ]


@pytest.mark.parametrize(
    "worker, other, expected",
    [(7, 2, 5), (2, 7, -5), (5, 5, 0), (10, 0, 10), (0, 10, -10), (3, 4, -1), (4, 3, 1)],
)
def test_gap_sign_is_positive_when_the_worker_expects_more(worker, other, expected):
    (g,) = gaps([view("worker", worker), view("doctor", other)])
    assert g.gap == expected
    assert (g.value, g.worker_value) == (other, worker)


def test_without_a_worker_view_there_are_no_gaps():
    assert gaps([view("doctor", 1), view("citizen", 9)]) == []


def test_a_worker_view_alone_has_no_gaps():
    assert gaps([view("worker", 5)]) == []


def test_no_views_no_gaps():
    assert gaps([]) == []


def test_owner_view_finds_the_worker_wherever_it_is():
    w = view("worker", 6)
    assert owner_view([view("doctor", 2), w], None) is w
    assert owner_view([view("doctor", 2)], None) is None
    assert owner_view([], None) is None


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], None),
        ([5], None),
        ([0, 10], 10),
        ([3, 3], 0),
        ([7, 2, 9, 4], 7),
        ([1, 1, 1, 1, 1], 0),
        ([10, 0, 5], 10),
    ],
)
def test_spread_is_max_minus_min_and_none_with_fewer_than_two(values, expected):
    views = [view("doctor", v, label=str(i)) for i, v in enumerate(values)]
    assert spread(views) == expected


def test_spread_counts_the_worker_view_too():
    assert spread([view("worker", 10), view("doctor", 4), view("citizen", 6)]) == 6


# --- largest gap and clash --------------------------------------------------------------


@pytest.mark.parametrize(
    "gap_values, expected",
    [
        ([5], 5),
        ([-5], -5),
        ([1, -3, 2], -3),
        ([4, -2, 6, -5], 6),
        ([0, 0], 0),
        ([3, -3], -3),  # equal magnitude: the worker expects less
        ([-3, 3], -3),
        ([2, -4, 4, 1], -4),
        ([-7, 7, -7], -7),
    ],
)
def test_largest_gap_has_the_largest_magnitude_and_prefers_the_negative_on_ties(gap_values, expected):
    gap_list = [gap(f"s{i}", g) for i, g in enumerate(gap_values)]
    assert largest_gap(gap_list).gap == expected


def test_largest_gap_on_a_full_tie_is_the_first_listed():
    first, second = gap("citizen", 4), gap("doctor", 4)
    assert largest_gap([first, second]) is first


def test_largest_gap_of_nothing_is_none():
    assert largest_gap([]) is None


@pytest.mark.parametrize(
    "gap_values, threshold, clash",
    [
        ([], 4, False),
        ([0], 1, False),
        ([4], 4, True),
        ([-4], 4, True),
        ([3], 4, False),
        ([-3], 4, False),
        ([3, -3, 2], 4, False),
        ([1, -5], 4, True),
        ([10], 10, True),
        ([-10], 10, True),
        ([9], 10, False),
        ([1], 1, True),
        ([-1], 1, True),
    ],
)
def test_clash_when_any_absolute_gap_reaches_the_threshold(gap_values, threshold, clash):
    assert is_clash([gap(f"s{i}", g) for i, g in enumerate(gap_values)], threshold) is clash


# --- drop -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, threshold, expected",
    [
        ([], 3, None),
        ([8], 3, None),
        ([8, 5], 3, (8, 5)),
        ([8, 6], 3, None),  # threshold - 1
        ([8, 0], 3, (8, 0)),
        ([5, 8], 3, None),  # a rise
        ([5, 5], 3, None),
        ([9, 2, 3], 3, None),  # only the last pair counts
        ([9, 7, 4], 3, (7, 4)),
        ([2, 9, 5], 3, (9, 5)),
        ([10, 0], 10, (10, 0)),
        ([10, 1], 10, None),
        ([6, 5], 1, (6, 5)),
    ],
)
def test_drop_reads_the_last_pair_of_worker_entries(values, threshold, expected):
    series = [{"id": f"w{i}", "value": v, "observed_on": TODAY} for i, v in enumerate(values)]
    assert drop(series, threshold) == expected


def test_a_fall_of_the_threshold_raises_the_drop_prompt():
    s = summarise(worker_series([(8, 30), (5, 2)]), TEAM, TODAY)
    assert prompt(s, "drop") == Prompt("drop", {"before": 8, "after": 5, "worker_id": None})


def test_a_fall_of_one_less_than_the_threshold_raises_nothing():
    s = summarise(worker_series([(8, 30), (6, 2)]), TEAM, TODAY)
    assert "drop" not in causes(s)


def test_a_rise_raises_no_drop():
    s = summarise(worker_series([(2, 30), (9, 2)]), TEAM, TODAY)
    assert "drop" not in causes(s)


def test_only_the_last_pair_counts_for_a_drop():
    s = summarise(worker_series([(9, 30), (2, 20), (3, 2)]), TEAM, TODAY)
    assert "drop" not in causes(s)
    s = summarise(worker_series([(9, 30), (8, 20), (4, 2)]), TEAM, TODAY)
    assert prompt(s, "drop").facts == {"before": 8, "after": 4, "worker_id": None}


@pytest.mark.parametrize("threshold, raised", [(1, True), (4, True), (5, True), (6, False), (10, False)])
def test_the_team_drop_threshold_decides(threshold, raised):
    s = summarise(worker_series([(7, 30), (2, 2)]), team(drop_threshold=threshold), TODAY)
    assert ("drop" in causes(s)) is raised


def test_a_corrected_entry_does_not_count_as_a_step():
    # 8, then 3 which was a typo and is corrected to 7: the worker's view went 8 -> 7.
    rows = [
        entry("a", "worker", 8, 30),
        entry("b", "worker", 3, 10),
        entry("c", "worker", 7, 10, recorded_at=T2, supersedes="b"),
    ]
    assert "drop" not in causes(summarise(rows, TEAM, TODAY))


def test_a_correction_that_introduces_a_fall_raises_the_drop():
    rows = [
        entry("a", "worker", 8, 30),
        entry("b", "worker", 7, 10),
        entry("c", "worker", 3, 10, recorded_at=T2, supersedes="b"),
    ]
    assert prompt(summarise(rows, TEAM, TODAY), "drop").facts == {"before": 8, "after": 3, "worker_id": None}


def test_a_corrected_earlier_entry_is_skipped_as_the_before_value():
    rows = [
        entry("a", "worker", 9, 40),
        entry("b", "worker", 4, 30),
        entry("b2", "worker", 5, 30, recorded_at=T2, supersedes="b"),
        entry("c", "worker", 2, 2),
    ]
    assert prompt(summarise(rows, TEAM, TODAY), "drop").facts == {"before": 5, "after": 2, "worker_id": None}


def test_a_drop_across_two_workers_counts():
    # The worker view is the latest by any worker of the team.
    rows = [entry("kim", "worker", 8, 30, label="Kim"), entry("lise", "worker", 4, 2, label="Lise")]
    assert prompt(summarise(rows, TEAM, TODAY), "drop").facts == {"before": 8, "after": 4, "worker_id": None}


def test_no_drop_when_the_latest_worker_entry_is_outside_the_window():
    rows = worker_series([(9, 300), (1, 181)])
    s = summarise(rows, TEAM, TODAY)
    assert s.worker_value is None
    assert "drop" not in causes(s)


def test_a_drop_is_still_raised_when_the_latest_worker_entry_is_exactly_180_days_old():
    s = summarise(worker_series([(9, 300), (1, 180)]), TEAM, TODAY)
    assert s.worker_value == 1
    assert "drop" in causes(s)


def test_other_sources_do_not_make_a_drop():
    rows = [entry("w", "worker", 8, 30), entry("d1", "doctor", 9, 20), entry("d2", "doctor", 1, 2)]
    assert "drop" not in causes(summarise(rows, TEAM, TODAY))


def test_describe_drop_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert describe(Prompt("drop", {"before": 8, "after": 4, "worker_id": 1}), viewer_id=1) == "Your view fell from 8 to 4"


# --- stale low --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values_and_days, expected",
    [
        ([], None),
        ([(5, 10)], None),
        ([(2, 10)], 10),
        ([(0, 10)], 10),
        ([(3, 10)], None),
        ([(1, 100), (2, 50), (0, 5)], 100),
        ([(1, 100), (3, 50), (2, 5)], 5),
        ([(6, 200), (2, 120), (1, 30)], 120),
    ],
)
def test_low_since_is_the_start_of_the_last_run_at_or_below_two(values_and_days, expected):
    since = low_since(worker_series(values_and_days))
    assert since == (None if expected is None else TODAY - timedelta(days=expected))


@pytest.mark.parametrize(
    "value, days, raised",
    [
        (2, 90, True),
        (2, 89, False),
        (2, 91, True),
        (1, 150, True),
        (0, 90, True),
        (0, 89, False),
        (3, 150, False),
    ],
)
def test_stale_low_after_the_team_period_at_or_below_two(value, days, raised):
    s = summarise(worker_series([(value, days)]), TEAM, TODAY)
    assert ("stale_low" in causes(s)) is raised


def test_stale_low_facts():
    s = summarise(worker_series([(1, 120), (2, 30)]), TEAM, TODAY)
    assert prompt(s, "stale_low").facts == {"value": 2, "since": TODAY - timedelta(days=120), "days": 120, "worker_id": None}


def test_a_run_of_low_entries_counts_from_its_first():
    s = summarise(worker_series([(2, 95), (1, 40), (2, 3)]), TEAM, TODAY)
    assert prompt(s, "stale_low").facts["days"] == 95


def test_a_value_of_three_in_between_resets_the_run():
    s = summarise(worker_series([(2, 150), (3, 60), (2, 3)]), TEAM, TODAY)
    assert "stale_low" not in causes(s)


def test_a_higher_value_before_the_run_does_not_extend_it():
    s = summarise(worker_series([(8, 200), (2, 89)]), TEAM, TODAY)
    assert "stale_low" not in causes(s)


def test_a_corrected_high_value_no_longer_interrupts_the_run():
    rows = [
        entry("a", "worker", 2, 150),
        entry("b", "worker", 5, 60),
        entry("b2", "worker", 1, 60, recorded_at=T2, supersedes="b"),
        entry("c", "worker", 2, 3),
    ]
    assert prompt(summarise(rows, TEAM, TODAY), "stale_low").facts["days"] == 150


@pytest.mark.parametrize("days, raised", [(29, True), (30, True), (31, False)])
def test_the_team_stale_low_days_decides(days, raised):
    s = summarise(worker_series([(1, 30)]), team(stale_low_days=days), TODAY)
    assert ("stale_low" in causes(s)) is raised


@pytest.mark.parametrize("sparring_days_ago, raised", [(0, False), (10, False), (89, False), (91, True), (100, True), (400, True)])
def test_a_recent_sparring_suppresses_stale_low_and_an_older_one_does_not(sparring_days_ago, raised):
    s = summarise(
        worker_series([(1, 120)]),
        TEAM,
        TODAY,
        last_sparring_on=TODAY - timedelta(days=sparring_days_ago),
    )
    assert ("stale_low" in causes(s)) is raised


def test_no_stale_low_without_a_current_worker_view():
    s = summarise(worker_series([(0, 400), (1, 200)]), TEAM, TODAY)
    assert s.worker_value is None
    assert causes(s) == []


def test_a_low_value_older_than_the_window_still_starts_the_run_if_the_current_one_is_low():
    s = summarise(worker_series([(1, 250), (2, 10)]), TEAM, TODAY)
    assert prompt(s, "stale_low").facts["days"] == 250


def test_describe_stale_low_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = describe(Prompt("stale_low", {"value": 1, "since": TODAY - timedelta(days=120), "days": 120, "worker_id": 1}), 1)
    assert text == "Your view has been 2 or lower for 120 days without sparring"


# --- the gap prompt ---------------------------------------------------------------------


def test_gap_prompt_names_the_source_with_the_largest_gap():
    rows = [
        entry("w", "worker", 7, 3),
        entry("c", "citizen", 5, 3),
        entry("d", "doctor", 2, 3, label="egen læge"),
        entry("p", "parent", 9, 3),
    ]
    s = summarise(rows, TEAM, TODAY)
    assert causes(s) == ["gap"]
    assert prompt(s, "gap").facts == {
        "source": "doctor",
        "source_label": "egen læge",
        "value": 2,
        "worker_value": 7,
        "gap": 5,
        "worker_id": None,
    }


def test_gap_prompt_on_a_tie_names_the_source_who_expects_more_than_the_worker():
    rows = [entry("w", "worker", 5, 3), entry("d", "doctor", 1, 3), entry("c", "citizen", 9, 3)]
    s = summarise(rows, TEAM, TODAY)
    assert prompt(s, "gap").facts["source"] == "citizen"
    assert prompt(s, "gap").facts["gap"] == -4
    assert s.max_gap == -4


@pytest.mark.parametrize(
    "worker, other, threshold, raised",
    [
        (7, 3, 4, True),
        (7, 4, 4, False),
        (3, 7, 4, True),
        (4, 7, 4, False),
        (10, 0, 10, True),
        (9, 0, 10, False),
        (5, 5, 1, False),
        (5, 6, 1, True),
    ],
)
def test_gap_prompt_iff_clash(worker, other, threshold, raised):
    rows = [entry("w", "worker", worker, 3), entry("d", "doctor", other, 3)]
    s = summarise(rows, team(gap_threshold=threshold), TODAY)
    assert s.clash is raised
    assert ("gap" in causes(s)) is raised


def test_no_gap_prompt_without_a_worker_view_however_far_apart_the_others_are():
    rows = [entry("d", "doctor", 0, 3), entry("c", "citizen", 10, 3)]
    s = summarise(rows, TEAM, TODAY)
    assert (s.clash, s.spread, causes(s)) == (False, 10, [])


def test_describe_gap_names_the_source_label_and_both_numbers(app):
    rows = [entry("w", "worker", 7, 3, recorded_by=1), entry("d", "doctor", 2, 3, label="egen læge")]
    s = summarise(rows, TEAM, TODAY, owner_id=1)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert describe(prompt(s, "gap"), viewer_id=1) == "Doctor (egen læge) 2 vs you 7"


@pytest.mark.parametrize(
    "source, label, expected",
    [
        ("doctor", None, "Doctor 1 vs you 9"),
        ("doctor", "", "Doctor 1 vs you 9"),
        ("citizen", None, "Citizen 1 vs you 9"),
        ("parent", "Mor", "Parent (Mor) 1 vs you 9"),
        ("other_department", "Familieafdelingen", "Other department (Familieafdelingen) 1 vs you 9"),
        ("education", None, "School or education 1 vs you 9"),
    ],
)
def test_describe_gap_for_each_kind_of_source(app, source, label, expected):
    facts = {"source": source, "source_label": label, "value": 1, "worker_value": 9, "gap": 8, "worker_id": 1}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert describe(Prompt("gap", facts), viewer_id=1) == expected


def test_describe_other_causes_as_a_plain_request(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert describe(Prompt("manual")) == "Sparring requested"


def test_source_name_never_shows_the_worker_label(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert source_name("worker", "Kim") == "Caseworker"
        assert source_name("doctor", "egen læge") == "Doctor (egen læge)"
        assert source_name("doctor") == "Doctor"


# --- several prompts together -----------------------------------------------------------


def test_all_three_prompts_at_once_in_a_stable_order():
    rows = [
        entry("w0", "worker", 8, 200),
        entry("w1", "worker", 2, 100),
        entry("d", "doctor", 9, 5),
    ]
    s = summarise(rows, TEAM, TODAY)
    assert causes(s) == ["gap", "drop", "stale_low"]
    assert prompt(s, "drop").facts == {"before": 8, "after": 2, "worker_id": None}
    assert prompt(s, "stale_low").facts["days"] == 100
    assert prompt(s, "gap").facts["gap"] == -7


def test_prompts_called_directly_match_summarise():
    rows = [entry("w0", "worker", 8, 200), entry("w1", "worker", 2, 100), entry("d", "doctor", 9, 5)]
    views = current_views(rows, TODAY)
    direct = prompts(views, gaps(views), worker_histories(rows), TEAM, TODAY)
    assert direct == summarise(rows, TEAM, TODAY).prompts


# --- summarise --------------------------------------------------------------------------


def test_summarise_a_typical_citizen():
    rows = [
        entry("w_old", "worker", 8, 60),
        entry("w", "worker", 6, 5),
        entry("c", "citizen", 7, 5),
        entry("d_old", "doctor", 5, 200, label="Egen læge"),  # outside the window
        entry("d", "doctor", 1, 30, label="Egen læge"),
        entry("p", "parent", 8, 10, label="Mor"),
    ]
    s = summarise(rows, TEAM, TODAY)
    assert [v.expectation_id for v in s.views] == ["w", "c", "d", "p"]
    assert [(g.source, g.gap) for g in s.gaps] == [("citizen", -1), ("doctor", 5), ("parent", -2)]
    assert s.spread == 7
    assert s.clash is True
    assert s.max_gap == 5
    assert s.worker_value == 6
    assert causes(s) == ["gap"]
    assert prompt(s, "gap").facts["source"] == "doctor"


def test_summarise_nothing():
    s = summarise([], TEAM, TODAY)
    assert (s.views, s.gaps, s.spread, s.clash, s.max_gap, s.worker_value, s.prompts) == (
        [], [], None, False, None, None, [],
    )


def test_summarise_without_a_worker_view():
    rows = [entry("d", "doctor", 2, 3), entry("c", "citizen", 9, 3), entry("p", "parent", 5, 3)]
    s = summarise(rows, TEAM, TODAY)
    assert (s.gaps, s.clash, s.max_gap, s.worker_value, s.prompts) == ([], False, None, None, [])
    assert s.spread == 7


def test_summarise_with_only_a_worker_view():
    s = summarise([entry("w", "worker", 4, 3)], TEAM, TODAY)
    assert (s.gaps, s.spread, s.clash, s.max_gap, s.worker_value, s.prompts) == ([], None, False, None, 4, [])


def test_summarise_ignores_future_dated_entries_in_views():
    rows = [entry("w", "worker", 6, 3), entry("d", "doctor", 0, -5)]
    s = summarise(rows, TEAM, TODAY)
    assert [v.expectation_id for v in s.views] == ["w"]
    assert s.clash is False


# --- properties -------------------------------------------------------------------------

LABELS = [None, "Egen læge", " egen  læge", "Speciallæge", "Mor"]
SOME_SOURCES = ["worker", "worker", "citizen", "doctor", "parent", "other_department"]


@st.composite
def entry_lists(draw, sources=SOME_SOURCES, max_size=12, future=True):
    n = draw(st.integers(min_value=0, max_value=max_size))
    rows, superseded = [], set()
    for i in range(n):
        targets = [r for r in rows if r["id"] not in superseded]
        target = draw(st.none() | st.sampled_from(targets)) if targets else None
        source = target["source"] if target else draw(st.sampled_from(sources))
        low = -3 if future else 0
        rows.append(
            entry(
                f"e{i}",
                source,
                draw(st.integers(min_value=0, max_value=10)),
                draw(st.integers(min_value=low, max_value=260) | st.sampled_from([179, 180, 181])),
                label=draw(st.sampled_from(LABELS)),
                recorded_at=draw(st.sampled_from([T1, T2, T3])),
                supersedes=target["id"] if target else None,
            )
        )
        if target:
            superseded.add(target["id"])
    return rows


teams = st.fixed_dictionaries(
    {
        "gap_threshold": st.integers(min_value=1, max_value=10),
        "drop_threshold": st.integers(min_value=1, max_value=10),
        "stale_low_days": st.integers(min_value=1, max_value=200),
    }
)


@given(entry_lists())
@PROPS
def test_prop_spread_is_at_least_every_gap(rows):
    views = current_views(rows, TODAY)
    s = spread(views)
    for g in gaps(views):
        assert s is not None
        assert s >= abs(g.gap)


@given(entry_lists())
@PROPS
def test_prop_clash_iff_some_gap_reaches_the_threshold_for_every_threshold(rows):
    views = current_views(rows, TODAY)
    mine = [v for v in views if v.source == "worker"]
    for threshold in range(1, 11):
        expected = bool(mine) and any(
            abs(mine[0].value - v.value) >= threshold for v in views if v.source != "worker"
        )
        assert is_clash(gaps(views), threshold) is expected
        assert summarise(rows, team(gap_threshold=threshold), TODAY).clash is expected


@given(entry_lists(sources=["citizen", "doctor", "parent", "other_department"]))
@PROPS
def test_prop_without_a_worker_view_no_gaps_no_clash_but_spread_shows(rows):
    s = summarise(rows, TEAM, TODAY)
    assert s.gaps == []
    assert s.clash is False
    assert s.max_gap is None
    assert s.worker_value is None
    assert s.prompts == []
    values = [v.value for v in s.views]
    assert s.spread == (max(values) - min(values) if len(values) >= 2 else None)


@given(entry_lists())
@PROPS
def test_prop_spread_is_none_with_fewer_than_two_views(rows):
    views = current_views(rows, TODAY)
    if len(views) < 2:
        assert spread(views) is None
    else:
        assert spread(views) == max(v.value for v in views) - min(v.value for v in views)


@given(entry_lists())
@PROPS
def test_prop_gap_sign_is_positive_when_the_worker_expects_more(rows):
    views = current_views(rows, TODAY)
    mine = owner_view(views, None)
    gap_list = gaps(views)
    assert len(gap_list) == (len([v for v in views if v.source != "worker"]) if mine else 0)
    for g in gap_list:
        assert g.worker_value == mine.value
        assert g.gap == mine.value - g.value
        assert (g.gap > 0) is (mine.value > g.value)
        assert (g.gap < 0) is (mine.value < g.value)


@given(entry_lists(), teams)
@PROPS
def test_prop_summarise_is_consistent(rows, t):
    s = summarise(rows, t, TODAY)
    mine = owner_view(s.views, None)
    assert s.worker_value == (mine.value if mine else None)
    if s.gaps:
        top = max(abs(g.gap) for g in s.gaps)
        assert abs(s.max_gap) == top
        # On equal magnitude the worker expects less (negative gap) if any gap allows it.
        if any(g.gap == -top for g in s.gaps):
            assert s.max_gap == -top
    else:
        assert s.max_gap is None
    assert s.clash is (s.max_gap is not None and abs(s.max_gap) >= t["gap_threshold"])
    gap_prompts = [p for p in s.prompts if p.cause == "gap"]
    assert len(gap_prompts) == (1 if s.clash else 0)
    if gap_prompts:
        facts = gap_prompts[0].facts
        assert facts["gap"] == s.max_gap
        assert facts["worker_value"] == s.worker_value
        assert facts["worker_value"] - facts["value"] == facts["gap"]
    # Each cause at most once, always in the order gap, drop, stale_low.
    found = causes(s)
    assert found == [c for c in ("gap", "drop", "stale_low") if c in found]
    if mine is None:
        assert found == []


@given(entry_lists(future=False), teams)
@PROPS
def test_prop_drop_prompt_iff_the_last_two_live_worker_values_fall_enough(rows, t):
    s = summarise(rows, t, TODAY)
    series = worker_histories(rows).get(None, [])
    expected = (
        s.worker_value is not None
        and len(series) >= 2
        and series[-2]["value"] - series[-1]["value"] >= t["drop_threshold"]
    )
    assert ("drop" in causes(s)) is expected
    if expected:
        assert prompt(s, "drop").facts == {"before": series[-2]["value"], "after": series[-1]["value"], "worker_id": None}


@given(entry_lists(future=False), teams, st.none() | st.integers(min_value=0, max_value=400))
@PROPS
def test_prop_stale_low_prompt_follows_the_rule(rows, t, sparring_days_ago):
    last_sparring = None if sparring_days_ago is None else TODAY - timedelta(days=sparring_days_ago)
    s = summarise(rows, t, TODAY, last_sparring_on=last_sparring)
    live = worker_histories(rows).get(None, [])
    run_start = None
    for e in reversed(live):
        if e["value"] > 2:
            break
        run_start = date.fromisoformat(e["observed_on"])
    expected = (
        s.worker_value is not None
        and s.worker_value <= 2
        and (TODAY - run_start).days >= t["stale_low_days"]
        and (sparring_days_ago is None or sparring_days_ago >= t["stale_low_days"])
    )
    assert ("stale_low" in causes(s)) is expected
    if s.worker_value is not None and s.worker_value > 2:
        assert "stale_low" not in causes(s)
