"""Unit tests for the pure part of journal/expectations.py.

DESIGN.md "Domain" (Expectation, Scale) and "Rules" (Current view per source, Worker view).
Every test passes a fixed `today` so that nothing depends on the clock.
"""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.config import CURRENT_WINDOW_DAYS
from journal.idempotency import content_hash
from journal.expectations import (
    BANDS,
    SOURCES,
    View,
    band,
    band_words,
    current_views,
    label_key,
    live_entries,
    perspective,
    worker_history,
)

TODAY = date(2026, 3, 15)
T1 = "2026-01-01T10:00:00Z"
T2 = "2026-01-01T11:00:00Z"
T3 = "2026-01-02T09:00:00Z"

PROPS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def entry(
    id,
    source="worker",
    value=5,
    days_ago=0,
    label=None,
    recorded_at=T1,
    supersedes=None,
    context="meeting",
    as_text=True,
    **extra,
):
    """One expectation row as current_views reads it, observed *days_ago* before TODAY."""
    observed = TODAY - timedelta(days=days_ago)
    row = {
        "id": id,
        "source": source,
        "source_label": label,
        "value": value,
        "observed_on": observed.isoformat() if as_text else observed,
        "recorded_at": recorded_at,
        "supersedes": supersedes,
        "context": context,
    }
    row.update(extra)
    return row


def ids(views):
    return [v.expectation_id for v in views]


# --- the scale --------------------------------------------------------------------------

EXPECTED_BANDS = {
    0: ("no_chance", "no realistic chance"),
    1: ("no_chance", "no realistic chance"),
    2: ("unlikely", "unlikely"),
    3: ("unlikely", "unlikely"),
    4: ("uncertain", "uncertain"),
    5: ("uncertain", "uncertain"),
    6: ("uncertain", "uncertain"),
    7: ("likely", "likely"),
    8: ("likely", "likely"),
    9: ("very_likely", "very likely"),
    10: ("very_likely", "very likely"),
}


@pytest.mark.parametrize("value, expected", [(v, k) for v, (k, _w) in EXPECTED_BANDS.items()])
def test_every_scale_point_falls_in_the_band_design_names(value, expected):
    assert band(value) == expected


@pytest.mark.parametrize("value, words", [(v, w) for v, (_k, w) in EXPECTED_BANDS.items()])
def test_every_scale_point_is_described_in_english_words(app, value, words):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(band_words(value)) == words


@pytest.mark.parametrize("value", [-100, -1, 11, 12, 100])
def test_band_refuses_values_off_the_scale(value):
    with pytest.raises(ValueError, match="outside the scale"):
        band(value)


@pytest.mark.parametrize("value", [-100, -1, 11, 12, 100])
def test_band_words_refuses_values_off_the_scale(value):
    with pytest.raises(ValueError, match="outside the scale"):
        band_words(value)


def test_bands_cover_zero_to_ten_exactly_once_in_order():
    covered = [v for low, high, _k, _w in BANDS for v in range(low, high + 1)]
    assert covered == list(range(11))
    assert [key for _l, _h, key, _w in BANDS] == [
        "no_chance",
        "unlikely",
        "uncertain",
        "likely",
        "very_likely",
    ]


@given(st.integers(min_value=0, max_value=10))
@PROPS
def test_band_is_monotone_on_the_scale(value):
    order = [key for _l, _h, key, _w in BANDS]
    if value < 10:
        assert order.index(band(value)) <= order.index(band(value + 1))


@given(st.integers().filter(lambda v: v < 0 or v > 10))
@PROPS
def test_any_integer_off_the_scale_raises(value):
    with pytest.raises(ValueError):
        band(value)
    with pytest.raises(ValueError):
        band_words(value)


@pytest.mark.parametrize("locale", ["da", "sv"])
def test_band_words_are_translated_for_danish_and_swedish_users(app, locale):
    english = {v: w for v, (_k, w) in EXPECTED_BANDS.items()}
    with app.test_request_context(headers={"Accept-Language": locale}):
        shown = {v: str(band_words(v)) for v in range(11)}
    # Nothing shows the English words; each band still has its own words.
    assert all(shown[v] != english[v] for v in range(11)), shown
    assert len({shown[v] for v in (0, 2, 4, 7, 9)}) == 5


# --- labels and perspectives ------------------------------------------------------------


@pytest.mark.parametrize(
    "label, key",
    [
        ("Egen læge", "egen læge"),
        (" egen  læge", "egen læge"),
        ("EGEN LÆGE", "egen læge"),
        ("egen\tlæge\n", "egen læge"),
        ("  Egen \u00a0 Læge  ", "egen læge"),
        ("Straße", "strasse"),
        ("mor", "mor"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_label_key_groups_case_and_whitespace_insensitively(label, key):
    assert label_key(label) == key


@given(st.text(max_size=30))
@PROPS
def test_label_key_is_idempotent_and_ignores_outer_and_repeated_spaces(text):
    key = label_key(text)
    assert label_key(key) == key
    assert label_key("  " + text + " \t") == key
    assert label_key(text.replace(" ", "   ")) == key
    assert key == key.strip()
    assert "  " not in key


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"source": "worker", "source_label": None, "recorded_by": 7}, ("worker", 7)),
        ({"source": "worker", "source_label": "Kim", "recorded_by": 7}, ("worker", 7)),
        ({"source": "worker", "source_label": "Team Silkeborg", "recorded_by": 8}, ("worker", 8)),
        ({"source": "worker"}, ("worker", None)),
        ({"source": "doctor", "source_label": "Egen læge"}, ("doctor", "egen læge")),
        ({"source": "doctor", "source_label": " egen  LÆGE "}, ("doctor", "egen læge")),
        ({"source": "doctor", "source_label": None}, ("doctor", "")),
        ({"source": "doctor"}, ("doctor", "")),
        ({"source": "parent", "source_label": "Mor"}, ("parent", "mor")),
        ({"source": "parent", "source_label": "Far"}, ("parent", "far")),
    ],
)
def test_perspective(row, expected):
    assert perspective(row) == expected


# --- live entries -----------------------------------------------------------------------


def test_live_entries_drops_superseded_and_keeps_order():
    rows = [
        entry("a", value=2),
        entry("b", value=8),
        entry("c", value=6, supersedes="b"),
        entry("d", source="doctor"),
    ]
    assert [e["id"] for e in live_entries(rows)] == ["a", "c", "d"]


def test_live_entries_follows_a_chain_of_corrections_to_its_end():
    rows = [entry("a"), entry("b", supersedes="a"), entry("c", supersedes="b")]
    assert [e["id"] for e in live_entries(rows)] == ["c"]


def test_live_entries_ignores_a_supersedes_pointing_nowhere():
    rows = [entry("a"), entry("b", supersedes="gone")]
    assert [e["id"] for e in live_entries(rows)] == ["a", "b"]


def test_live_entries_of_nothing_is_nothing():
    assert live_entries([]) == []


# --- current views: examples ------------------------------------------------------------


def test_no_entries_no_views():
    assert current_views([], TODAY) == []


@pytest.mark.parametrize("as_text", [True, False])
def test_a_single_entry_is_the_current_view_with_its_fields(as_text):
    rows = [entry("e1", "doctor", 3, days_ago=10, label="Egen læge", as_text=as_text)]
    assert current_views(rows, TODAY) == [
        View(
            source="doctor",
            source_label="Egen læge",
            value=3,
            observed_on=TODAY - timedelta(days=10),
            expectation_id="e1",
        )
    ]


def test_the_latest_entry_per_source_is_current():
    rows = [
        entry("old", "doctor", 2, days_ago=60),
        entry("new", "doctor", 7, days_ago=5),
        entry("mid", "doctor", 4, days_ago=30),
    ]
    (view,) = current_views(rows, TODAY)
    assert (view.expectation_id, view.value) == ("new", 7)


@pytest.mark.parametrize(
    "days_ago, current",
    [
        (0, True),
        (1, True),
        (90, True),
        (179, True),
        (180, True),
        (181, False),
        (200, False),
        (365, False),
        (3650, False),
    ],
)
def test_the_window_is_the_last_180_days_inclusive(days_ago, current):
    assert CURRENT_WINDOW_DAYS == 180
    rows = [entry("e1", "citizen", 6, days_ago=days_ago)]
    assert ids(current_views(rows, TODAY)) == (["e1"] if current else [])


def test_an_entry_181_days_old_gives_way_to_nothing_not_to_itself():
    rows = [entry("w", "worker", 8, days_ago=181), entry("d", "doctor", 2, days_ago=10)]
    assert ids(current_views(rows, TODAY)) == ["d"]


def test_an_old_latest_entry_does_not_hide_a_newer_window():
    # The newer entry is current; the one 181 days old is not even a candidate.
    rows = [entry("old", "doctor", 1, days_ago=181), entry("new", "doctor", 9, days_ago=180)]
    assert ids(current_views(rows, TODAY)) == ["new"]


@pytest.mark.parametrize("window, days_ago, current", [(30, 30, True), (30, 31, False), (0, 0, True), (0, 1, False)])
def test_the_window_length_can_be_given(window, days_ago, current):
    rows = [entry("e1", "doctor", 4, days_ago=days_ago)]
    assert ids(current_views(rows, TODAY, window_days=window)) == (["e1"] if current else [])


@pytest.mark.parametrize("days_ahead", [1, 2, 30, 400])
def test_a_future_dated_entry_is_ignored(days_ahead):
    rows = [
        entry("now", "doctor", 3, days_ago=10),
        entry("future", "doctor", 9, days_ago=-days_ahead, recorded_at=T3),
    ]
    assert ids(current_views(rows, TODAY)) == ["now"]


def test_a_future_dated_entry_alone_gives_no_view():
    assert current_views([entry("future", "worker", 9, days_ago=-1)], TODAY) == []


def test_an_entry_dated_today_counts():
    assert ids(current_views([entry("today", "worker", 5, days_ago=0)], TODAY)) == ["today"]


def test_a_superseded_entry_never_counts_even_when_it_is_the_latest():
    rows = [
        entry("a", "doctor", 3, days_ago=20),
        entry("b", "doctor", 9, days_ago=2),  # latest, but corrected
        entry("c", "doctor", 6, days_ago=2, recorded_at=T2, supersedes="b"),
    ]
    (view,) = current_views(rows, TODAY)
    assert (view.expectation_id, view.value) == ("c", 6)


def test_the_correction_counts_wherever_it_sits_in_the_list():
    rows = [
        entry("c", "doctor", 6, days_ago=2, recorded_at=T2, supersedes="b"),
        entry("b", "doctor", 9, days_ago=2),
        entry("a", "doctor", 3, days_ago=20),
    ]
    assert ids(current_views(rows, TODAY)) == ["c"]


def test_a_superseded_latest_entry_falls_back_to_the_latest_live_one():
    # The correction of b is dated outside the window, so neither b nor its correction is
    # current; the latest live entry inside the window is a.
    rows = [
        entry("a", "doctor", 3, days_ago=20),
        entry("b", "doctor", 9, days_ago=2),
        entry("c", "doctor", 6, days_ago=200, supersedes="b"),
    ]
    assert ids(current_views(rows, TODAY)) == ["a"]


def test_a_superseded_only_entry_gives_no_view():
    rows = [entry("a", "doctor", 3, days_ago=2), entry("c", "doctor", 6, days_ago=-1, supersedes="a")]
    assert current_views(rows, TODAY) == []


def test_a_chain_of_corrections_ends_at_the_last_correction():
    rows = [
        entry("a", "worker", 2, days_ago=5),
        entry("b", "worker", 8, days_ago=5, recorded_at=T2, supersedes="a"),
        entry("c", "worker", 5, days_ago=5, recorded_at=T3, supersedes="b"),
    ]
    (view,) = current_views(rows, TODAY)
    assert (view.expectation_id, view.value) == ("c", 5)


def test_a_correction_with_a_lower_value_and_older_timestamp_still_replaces_the_original():
    rows = [
        entry("a", "worker", 9, days_ago=3, recorded_at=T3),
        entry("b", "worker", 1, days_ago=3, recorded_at=T1, supersedes="a"),
    ]
    assert ids(current_views(rows, TODAY)) == ["b"]


@pytest.mark.parametrize(
    "first, second",
    [
        ("Egen læge", " egen  læge"),
        ("Egen læge", "EGEN LÆGE"),
        ("egen læge", "egen\tlæge"),
        (None, ""),
        (None, "   "),
        ("", "  "),
    ],
)
def test_labels_group_case_and_whitespace_insensitively(first, second):
    rows = [
        entry("a", "doctor", 2, days_ago=30, label=first),
        entry("b", "doctor", 7, days_ago=3, label=second),
    ]
    (view,) = current_views(rows, TODAY)
    assert (view.expectation_id, view.value, view.source_label) == ("b", 7, second)


def test_different_labels_are_different_perspectives():
    rows = [
        entry("a", "doctor", 2, days_ago=30, label="Egen læge"),
        entry("b", "doctor", 7, days_ago=3, label="Speciallæge"),
        entry("c", "doctor", 5, days_ago=3),
    ]
    views = current_views(rows, TODAY)
    assert sorted(ids(views)) == ["a", "b", "c"]


def test_the_same_label_under_different_sources_is_not_grouped():
    rows = [
        entry("a", "parent", 2, days_ago=3, label="Mor"),
        entry("b", "relative", 7, days_ago=3, label="Mor"),
    ]
    assert sorted(ids(current_views(rows, TODAY))) == ["a", "b"]


def test_worker_views_are_personal_one_per_worker_whatever_the_label():
    """DESIGN.md "Worker views are personal": a colleague's entry never replaces yours."""
    rows = [
        entry("kim", "worker", 8, days_ago=40, label="Kim", recorded_by=1),
        entry("lise_old", "worker", 5, days_ago=30, label=None, recorded_by=2),
        entry("lise", "worker", 3, days_ago=4, label="Lise", recorded_by=2),
        entry("bo", "worker", 6, days_ago=20, label=None, recorded_by=3),
    ]
    views = current_views(rows, TODAY)
    assert [(v.recorded_by, v.expectation_id, v.value) for v in views] == [(1, "kim", 8), (2, "lise", 3), (3, "bo", 6)]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_tie_on_observed_on_is_broken_by_recorded_at(reverse):
    rows = [
        entry("early", "doctor", 2, days_ago=5, recorded_at=T1),
        entry("late", "doctor", 8, days_ago=5, recorded_at=T2),
    ]
    if reverse:
        rows.reverse()
    (view,) = current_views(rows, TODAY)
    assert (view.expectation_id, view.value) == ("late", 8)


def test_observed_on_beats_recorded_at():
    # Logged later about an earlier meeting: the newer meeting is still the current view.
    rows = [
        entry("meeting_newer", "doctor", 2, days_ago=5, recorded_at=T1),
        entry("logged_later", "doctor", 8, days_ago=10, recorded_at=T3),
    ]
    assert ids(current_views(rows, TODAY)) == ["meeting_newer"]


def test_string_and_date_observed_on_compare_alike():
    rows = [
        entry("a", "doctor", 2, days_ago=10, as_text=False),
        entry("b", "doctor", 8, days_ago=5, as_text=True),
    ]
    (view,) = current_views(rows, TODAY)
    assert view.expectation_id == "b"
    assert view.observed_on == TODAY - timedelta(days=5)
    assert isinstance(view.observed_on, date)


def test_views_list_the_worker_first_then_sources_in_design_order_then_by_label():
    rows = [
        entry("o", "other", 5, days_ago=1),
        entry("d2", "doctor", 5, days_ago=1, label="Speciallæge"),
        entry("c", "citizen", 5, days_ago=1),
        entry("d1", "doctor", 5, days_ago=1, label="Egen læge"),
        entry("w", "worker", 5, days_ago=1),
        entry("p", "parent", 5, days_ago=1),
    ]
    assert ids(current_views(rows, TODAY)) == ["w", "c", "d1", "d2", "p", "o"]


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_kind_can_hold_a_view(source):
    (view,) = current_views([entry("e", source, 4, days_ago=1)], TODAY)
    assert view.source == source


# --- current views: properties ----------------------------------------------------------

LABELS = [None, "", "Egen læge", " egen  læge", "EGEN LÆGE", "Speciallæge", "Mor", "Kim"]
STAMPS = [T1, T2, T3, None]
SOME_SOURCES = ["worker", "citizen", "doctor", "parent", "other_department"]


@st.composite
def entry_lists(draw, sources=SOME_SOURCES, min_size=0, max_size=14):
    """Realistic histories: unique ids, each entry superseded at most once, by a later entry
    of the same source (as casework.add_expectation enforces)."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    rows = []
    superseded = set()
    for i in range(n):
        targets = [r for r in rows if r["id"] not in superseded]
        target = draw(st.none() | st.sampled_from(targets)) if targets else None
        source = target["source"] if target else draw(st.sampled_from(sources))
        days_ago = draw(
            st.integers(min_value=-3, max_value=260) | st.sampled_from([179, 180, 181, 0, -1])
        )
        row = entry(
            f"e{i}",
            source=source,
            value=draw(st.integers(min_value=0, max_value=10)),
            days_ago=days_ago,
            label=draw(st.sampled_from(LABELS)),
            recorded_at=draw(st.sampled_from(STAMPS)),
            supersedes=target["id"] if target else None,
            as_text=draw(st.booleans()),
        )
        if target:
            superseded.add(target["id"])
        rows.append(row)
    return rows


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def _eligible(rows, today=TODAY, window=CURRENT_WINDOW_DAYS):
    superseded = {r["supersedes"] for r in rows if r["supersedes"]}
    return [
        r
        for r in rows
        if r["id"] not in superseded
        and today - timedelta(days=window) <= _as_date(r["observed_on"]) <= today
    ]


@given(entry_lists())
@PROPS
def test_prop_at_most_one_view_per_perspective(rows):
    views = current_views(rows, TODAY)
    keys = [perspective({"source": v.source, "source_label": v.source_label}) for v in views]
    assert len(keys) == len(set(keys))
    assert sum(1 for v in views if v.source == "worker") <= 1


@given(entry_lists())
@PROPS
def test_prop_no_view_is_superseded(rows):
    superseded = {r["supersedes"] for r in rows if r["supersedes"]}
    for view in current_views(rows, TODAY):
        assert view.expectation_id not in superseded


@given(entry_lists())
@PROPS
def test_prop_every_view_is_inside_the_window(rows):
    for view in current_views(rows, TODAY):
        assert TODAY - timedelta(days=180) <= view.observed_on <= TODAY


@given(entry_lists())
@PROPS
def test_prop_every_eligible_perspective_has_exactly_its_latest_entry_as_view(rows):
    eligible = _eligible(rows)
    by_key = {}
    for r in eligible:
        by_key.setdefault(perspective(r), []).append(r)
    views = {
        perspective({"source": v.source, "source_label": v.source_label}): v
        for v in current_views(rows, TODAY)
    }
    assert set(views) == set(by_key)
    for key, candidates in by_key.items():
        view = views[key]
        chosen = next(r for r in candidates if r["id"] == view.expectation_id)
        assert view.value == chosen["value"]
        assert view.source_label == chosen["source_label"]
        # Nothing eligible in the same perspective is strictly later.
        for r in candidates:
            assert (_as_date(r["observed_on"]), r["recorded_at"] or "") <= (
                view.observed_on,
                chosen["recorded_at"] or "",
            )


@given(entry_lists(), st.randoms(use_true_random=False))
@PROPS
def test_prop_the_order_of_the_rows_does_not_matter(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert current_views(shuffled, TODAY) == current_views(rows, TODAY)


@given(entry_lists(), st.integers(min_value=1, max_value=400))
@PROPS
def test_prop_moving_today_forward_past_the_window_forgets_everything(rows, extra):
    later = TODAY + timedelta(days=CURRENT_WINDOW_DAYS + 4 + extra)
    assert current_views(rows, later) == []


# --- worker history ---------------------------------------------------------------------


def test_worker_history_is_live_worker_entries_oldest_first():
    rows = [
        entry("w3", "worker", 3, days_ago=1),
        entry("d", "doctor", 2, days_ago=2),
        entry("w1", "worker", 8, days_ago=300),  # outside the window: still history
        entry("w2", "worker", 6, days_ago=10),
        entry("w2b", "worker", 7, days_ago=10, recorded_at=T2, supersedes="w2"),
        entry("wf", "worker", 9, days_ago=-2),
    ]
    assert [e["id"] for e in worker_history(rows)] == ["w1", "w2b", "w3", "wf"]


def test_worker_history_breaks_ties_by_recorded_at():
    rows = [
        entry("late", "worker", 3, days_ago=1, recorded_at=T2),
        entry("early", "worker", 8, days_ago=1, recorded_at=T1),
    ]
    assert [e["id"] for e in worker_history(rows)] == ["early", "late"]


def test_worker_history_without_worker_entries_is_empty():
    assert worker_history([entry("d", "doctor"), entry("c", "citizen")]) == []


@given(entry_lists())
@PROPS
def test_prop_worker_history_ends_with_the_current_worker_view_when_nothing_is_future_dated(rows):
    rows = [r for r in rows if _as_date(r["observed_on"]) <= TODAY]
    history = worker_history(rows)
    views = current_views(rows, TODAY)
    worker = [v for v in views if v.source == "worker"]
    if worker:
        assert history[-1]["id"] == worker[0].expectation_id
    for earlier, later in zip(history, history[1:]):
        assert _as_date(earlier["observed_on"]) <= _as_date(later["observed_on"])


# --- content hash -----------------------------------------------------------------------

PAYLOAD = {
    "id": "3f1c0f8e-0000-4000-8000-000000000001",
    "source": "doctor",
    "source_label": "Egen læge",
    "value": 3,
    "confidence": "medium",
    "observed_on": date(2026, 3, 1),
    "basis": None,
}


def test_content_hash_does_not_depend_on_key_order():
    reordered = dict(reversed(list(PAYLOAD.items())))
    assert list(reordered) != list(PAYLOAD)
    assert content_hash(reordered) == content_hash(PAYLOAD)


def test_content_hash_does_not_depend_on_nested_key_order():
    a = {"meeting": {"mode": "phone", "held_on": "2026-03-01"}, "n": [1, 2]}
    b = {"n": [1, 2], "meeting": {"held_on": "2026-03-01", "mode": "phone"}}
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    "field, other",
    [
        ("value", 4),
        ("value", "3"),
        ("source", "parent"),
        ("source_label", "egen læge"),
        ("confidence", "high"),
        ("observed_on", date(2026, 3, 2)),
        ("basis", ""),
        ("id", "3f1c0f8e-0000-4000-8000-000000000002"),
    ],
)
def test_content_hash_differs_when_a_value_changes(field, other):
    assert content_hash({**PAYLOAD, field: other}) != content_hash(PAYLOAD)


def test_content_hash_differs_when_a_field_is_added_or_missing():
    assert content_hash({**PAYLOAD, "meeting_id": None}) != content_hash(PAYLOAD)
    smaller = {k: v for k, v in PAYLOAD.items() if k != "basis"}
    assert content_hash(smaller) != content_hash(PAYLOAD)


def test_content_hash_handles_dates_as_iso_strings():
    as_text = {**PAYLOAD, "observed_on": "2026-03-01"}
    assert content_hash(as_text) == content_hash(PAYLOAD)


def test_content_hash_is_a_stable_sha256_hex_digest():
    digest = content_hash(PAYLOAD)
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")
    assert content_hash(dict(PAYLOAD)) == digest


_json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.dates()


@given(st.dictionaries(st.text(max_size=8), _json_leaf, max_size=8), st.randoms(use_true_random=False))
@PROPS
def test_prop_content_hash_ignores_key_order(payload, rnd):
    items = list(payload.items())
    rnd.shuffle(items)
    assert content_hash(dict(items)) == content_hash(payload)


@given(st.dictionaries(st.text(max_size=8), st.integers(), min_size=1, max_size=8), st.data())
@PROPS
def test_prop_content_hash_changes_when_any_integer_value_changes(payload, data):
    key = data.draw(st.sampled_from(sorted(payload)))
    changed = {**payload, key: payload[key] + data.draw(st.integers(min_value=1, max_value=10))}
    assert content_hash(changed) != content_hash(payload)
