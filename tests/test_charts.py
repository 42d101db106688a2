"""Chart geometry (journal/charts.py), weekly clash counts (clashes.weekly_clash_counts) and the
SVG macros (templates/macros/charts.html).

Every test passes a fixed `today`; entries are plain dicts shaped like expectations.for_citizen
rows.
"""
import re
from datetime import date, timedelta

import flask
import pytest

from journal import charts
from journal.clashes import source_name, weekly_clash_counts

TODAY = date(2026, 3, 15)  # a Sunday
TEAM = {"gap_threshold": 4, "drop_threshold": 3, "stale_low_days": 90}
T1 = "2026-01-01T10:00:00Z"


def entry(id, source="worker", value=5, days_ago=0, label=None, supersedes=None, superseded_by=None, today=TODAY, seq=0):
    return {
        "id": id,
        "source": source,
        "source_label": label,
        "value": value,
        "observed_on": (today - timedelta(days=days_ago)).isoformat(),
        "recorded_at": T1,
        "supersedes": supersedes,
        "superseded_by": superseded_by,
        "context": "meeting",
        "seq": seq,
    }


def series_of(chart, source):
    return [s for s in chart["series"] if s["source"] == source]


def inside(chart, point):
    box = chart["plot"]
    return box["left"] <= point["x"] <= box["right"] and box["top"] <= point["y"] <= box["bottom"]


# --- expectation_chart ------------------------------------------------------------------


def test_points_lie_inside_the_plot_area():
    entries = [
        entry("w1", value=0, days_ago=300),
        entry("w2", value=10, days_ago=0),
        entry("d1", "doctor", 3, days_ago=200),
        entry("c1", "citizen", 7, days_ago=10),
    ]
    chart = charts.expectation_chart(entries, TEAM, TODAY)
    points = [p for s in chart["series"] for p in s["points"]]
    assert len(points) == 4
    assert all(inside(chart, p) for p in points)
    box = chart["plot"]
    assert 0 < box["left"] < box["right"] < chart["width"]
    assert 0 < box["top"] < box["bottom"] < chart["height"]


def test_ten_is_drawn_above_zero_and_today_at_the_right():
    chart = charts.expectation_chart(
        [entry("a", value=0, days_ago=100), entry("b", value=10, days_ago=0)], TEAM, TODAY
    )
    low, high = chart["series"][0]["points"]
    assert high["y"] < low["y"]
    assert low["y"] == chart["plot"]["bottom"] and high["y"] == chart["plot"]["top"]
    assert high["x"] == chart["plot"]["right"]
    assert low["x"] == chart["plot"]["left"]  # the axis starts at the first plotted entry
    assert chart["series"][0]["path"] == f"M {low['x']} {low['y']} L {high['x']} {high['y']}"


def test_y_ticks_are_the_even_scale_points_from_bottom_to_top():
    chart = charts.expectation_chart([], TEAM, TODAY)
    assert [t["value"] for t in chart["y_ticks"]] == [0, 2, 4, 6, 8, 10]
    ys = [t["y"] for t in chart["y_ticks"]]
    assert ys == sorted(ys, reverse=True)


def test_superseded_entries_are_not_plotted():
    entries = [
        entry("old", value=2, days_ago=20),
        entry("fix", value=6, days_ago=20, supersedes="old"),
        # superseded by an entry not in the list (superseded_by filled in by for_citizen)
        entry("gone", "doctor", 1, days_ago=5, superseded_by="elsewhere"),
        entry("d", "doctor", 8, days_ago=3),
    ]
    chart = charts.expectation_chart(entries, TEAM, TODAY)
    values = {s["source"]: [p["value"] for p in s["points"]] for s in chart["series"]}
    assert values == {"worker": [6], "doctor": [8]}


@pytest.mark.parametrize(
    "w, threshold, low, high",
    [(7, 4, 4, 10), (5, 4, 2, 8), (1, 4, 0, 4), (10, 3, 8, 10), (5, 1, 5, 5)],
)
def test_band_is_the_no_clash_zone_around_the_current_worker_view(w, threshold, low, high):
    entries = [entry("old", value=0, days_ago=40), entry("w", value=w, days_ago=2), entry("d", "doctor", 9, days_ago=1)]
    chart = charts.expectation_chart(entries, dict(TEAM, gap_threshold=threshold), TODAY)
    band = chart["band"]
    assert (band["low"], band["high"], band["worker_value"]) == (low, high, w)
    # every value inside the band is below the threshold; the next ones out reach it
    assert all(abs(w - v) < threshold for v in range(low, high + 1))
    assert low == 0 or abs(w - (low - 1)) >= threshold
    assert high == 10 or abs(w - (high + 1)) >= threshold
    ticks = {t["value"]: t["y"] for t in chart["y_ticks"]}
    if high in ticks:
        assert band["y_top"] == ticks[high]
    if low in ticks:
        assert band["y_bottom"] == ticks[low]
    assert band["y_top"] <= band["y_bottom"]
    assert band["height"] == pytest.approx(band["y_bottom"] - band["y_top"])


def test_band_uses_the_current_view_not_a_corrected_or_stale_one():
    entries = [
        entry("typo", value=1, days_ago=3),
        entry("fix", value=7, days_ago=3, supersedes="typo"),
    ]
    assert charts.expectation_chart(entries, TEAM, TODAY)["band"]["worker_value"] == 7
    # older than the 180-day current window: plotted, but no current view, so no band
    stale = [entry("w", value=7, days_ago=200), entry("d", "doctor", 2, days_ago=190)]
    chart = charts.expectation_chart(stale, TEAM, TODAY)
    assert len(chart["series"]) == 2
    assert chart["band"] is None


def test_no_band_without_a_worker_view():
    chart = charts.expectation_chart([entry("d", "doctor", 3, days_ago=1), entry("c", "citizen", 9)], TEAM, TODAY)
    assert chart["band"] is None
    assert [s["source"] for s in chart["series"]] == ["citizen", "doctor"]


def test_series_order_worker_first_then_source_order_and_label():
    entries = [
        entry("e", "employer", 4, days_ago=1),
        entry("d2", "doctor", 3, days_ago=2, label="Psykiater"),
        entry("d1", "doctor", 2, days_ago=3, label="egen læge"),
        entry("d1b", "doctor", 5, days_ago=1, label=" Egen  Læge"),
        entry("c", "citizen", 8, days_ago=4),
        entry("w", "worker", 6, days_ago=5, label="anything"),
    ]
    chart = charts.expectation_chart(entries, TEAM, TODAY)
    assert [(s["source"], s["source_label"]) for s in chart["series"]] == [
        ("worker", None),
        ("citizen", None),
        ("doctor", " Egen  Læge"),  # labels group case-insensitively; the latest spelling shows
        ("doctor", "Psykiater"),
        ("employer", None),
    ]
    assert [len(s["points"]) for s in chart["series"]] == [1, 1, 2, 1, 1]
    # the worker's line is solid, every other line has its own dash
    dashes = [s["dash"] for s in chart["series"]]
    assert dashes[0] == "none"
    assert len(set(dashes)) == len(dashes)
    # ... and its own marker, since a lone point has no line to show a dash
    markers = [s["marker"] for s in chart["series"]]
    assert markers[0] == "circle"
    assert len(set(markers)) == len(markers)
    assert [s["css_class"] for s in chart["series"]][:3] == ["series-worker", "series-citizen", "series-doctor"]
    assert charts.css_class("other_department") == "series-other-department"


@pytest.mark.parametrize("shape", ["circle", *charts.MARKERS])
def test_markers_are_small_closed_paths_centred_on_the_point(shape):
    d = charts.marker_path(shape, 100, 50)
    assert d.startswith("M ") and d.endswith(" Z")
    if shape != "circle" and shape != "square":
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert max(abs(x - 100) for x in xs) <= 4 and max(abs(y - 50) for y in ys) <= 4


def test_points_within_a_series_are_in_time_order():
    entries = [entry("b", value=6, days_ago=10), entry("a", value=3, days_ago=50), entry("c", value=8, days_ago=1)]
    points = charts.expectation_chart(entries, TEAM, TODAY)["series"][0]["points"]
    assert [p["value"] for p in points] == [3, 6, 8]
    assert [p["x"] for p in points] == sorted(p["x"] for p in points)


def test_entries_older_than_days_are_left_out():
    entries = [entry("old", value=2, days_ago=400), entry("edge", value=4, days_ago=365), entry("new", value=6, days_ago=30)]
    chart = charts.expectation_chart(entries, TEAM, TODAY)
    assert [p["value"] for p in chart["series"][0]["points"]] == [4, 6]
    assert chart["start"] == TODAY - timedelta(days=365)
    short = charts.expectation_chart(entries, TEAM, TODAY, days=90)
    assert [p["value"] for p in short["series"][0]["points"]] == [6]


def test_future_entries_are_left_out():
    chart = charts.expectation_chart([entry("f", value=5, days_ago=-3)], TEAM, TODAY)
    assert chart["series"] == []


def test_a_short_history_spans_at_least_min_span_days():
    chart = charts.expectation_chart([entry("w", value=5, days_ago=2)], TEAM, TODAY)
    assert chart["start"] == TODAY - timedelta(days=charts.MIN_SPAN_DAYS)
    (point,) = chart["series"][0]["points"]
    assert inside(chart, point)
    assert chart["plot"]["left"] < point["x"] < chart["plot"]["right"]


def test_a_single_entry_works():
    chart = charts.expectation_chart([entry("w", value=5)], TEAM, TODAY)
    (series,) = chart["series"]
    assert series["path"].startswith("M ") and " L " not in series["path"]
    assert chart["summary"] == [
        {
            "key": ("worker", None),
            "source": "worker",
            "source_label": None,
            "recorded_by": None,
            "name": "worker",
            "value": 5,
            "observed_on": TODAY,
            "first_value": 5,
            "first_observed_on": TODAY,
            "count": 1,
        }
    ]
    assert chart["band"]["low"] == 2 and chart["band"]["high"] == 8


def test_no_entries_still_have_axes():
    chart = charts.expectation_chart([], TEAM, TODAY)
    assert chart["series"] == [] and chart["summary"] == [] and chart["band"] is None
    assert len(chart["y_ticks"]) == 6
    assert chart["start"] == TODAY - timedelta(days=365)
    assert 11 <= len(chart["x_ticks"]) <= 12


def test_month_ticks_are_month_starts_inside_the_plot_with_a_few_labels():
    chart = charts.expectation_chart([], TEAM, TODAY)
    ticks = chart["x_ticks"]
    assert all(t["date"].day == 1 for t in ticks)
    assert [t["date"] for t in ticks] == sorted(t["date"] for t in ticks)
    assert all(chart["plot"]["left"] <= t["x"] <= chart["plot"]["right"] for t in ticks)
    labelled = [t for t in ticks if t["labelled"]]
    assert 1 <= len(labelled) <= charts.MAX_MONTH_LABELS
    assert [t["year_start"] for t in ticks if t["date"].month == 1] == [True]
    # a label never runs off the edge of the SVG
    assert all(charts.LABEL_HALF_WIDTH <= t["x"] <= chart["width"] - charts.LABEL_HALF_WIDTH for t in labelled)


def test_geometry_scales_with_width_and_height():
    entries = [entry("w", value=5, days_ago=100), entry("d", "doctor", 9, days_ago=0)]
    chart = charts.expectation_chart(entries, TEAM, TODAY, width=600, height=300)
    assert chart["width"] == 600 and chart["plot"]["right"] == 600 - charts.MARGIN["right"]
    assert all(inside(chart, p) for s in chart["series"] for p in s["points"])


def test_name_of_names_the_series():
    chart = charts.expectation_chart(
        [entry("d", "doctor", 3, label="egen læge")], TEAM, TODAY, name_of=lambda s, l: f"{s}/{l}"
    )
    assert chart["series"][0]["name"] == "doctor/egen læge"
    assert chart["summary"][0]["name"] == "doctor/egen læge"


def test_date_objects_are_accepted_for_observed_on():
    e = dict(entry("w", value=5, days_ago=3), observed_on=TODAY - timedelta(days=3))
    chart = charts.expectation_chart([e], TEAM, TODAY)
    assert chart["series"][0]["points"][0]["observed_on"] == TODAY - timedelta(days=3)


# --- weekly_clash_chart ------------------------------------------------------------------


def weeks(values, end=TODAY):
    n = len(values)
    return [(end - timedelta(weeks=n - 1 - i), v) for i, v in enumerate(values)]


def test_weekly_bars_fit_and_scale_to_the_largest_count():
    chart = charts.weekly_clash_chart(weeks([0, 1, 4, 2, 0, 3, 1, 0, 0, 2, 5, 1]))
    bars = chart["bars"]
    assert len(bars) == 12 and chart["max"] == 5
    box = chart["plot"]
    for bar in bars:
        assert box["left"] <= bar["x"] and bar["x"] + bar["w"] <= box["right"] + 0.1
        assert box["top"] <= bar["y"] <= box["bottom"]
        assert bar["y"] + bar["h"] == pytest.approx(chart["baseline"])
    tallest = max(bars, key=lambda b: b["count"])
    assert tallest["y"] == box["top"]
    assert [b["h"] for b in bars if b["count"] == 0] == [0, 0, 0, 0]
    xs = [b["x"] for b in bars]
    assert xs == sorted(xs) and all(b2 - b1 > bars[0]["w"] for b1, b2 in zip(xs, xs[1:]))
    assert [t["value"] for t in chart["y_ticks"]] == [0, 2, 5]
    assert bars[-1]["labelled"] and sum(b["labelled"] for b in bars) == 3
    # the newest label ends at its bar's right edge, so it never runs off the SVG
    assert bars[-1]["label_anchor"] == "end" and bars[-1]["label_x"] <= chart["width"]


def test_weekly_chart_with_no_clashes_or_no_weeks():
    chart = charts.weekly_clash_chart(weeks([0, 0, 0]))
    assert chart["max"] == 0 and chart["scale_max"] == 1
    assert all(b["h"] == 0 for b in chart["bars"])
    assert [t["value"] for t in chart["y_ticks"]] == [0, 1]
    empty = charts.weekly_clash_chart([])
    assert empty["bars"] == [] and empty["max"] == 0


# --- weekly_clash_counts -----------------------------------------------------------------


def test_week_ends_are_sundays_and_today_last():
    for today in (TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=4)):
        counts = weekly_clash_counts({}, TEAM, today, weeks=12)
        ends = [d for d, _n in counts]
        assert len(ends) == 12 and ends[-1] == today
        assert all(d.isoweekday() == 7 for d in ends[:-1])
        assert ends == sorted(ends) and len(set(ends)) == 12
        assert (ends[-1] - ends[-2]).days <= 7
        assert all((b - a).days == 7 for a, b in zip(ends[:-1], ends[1:-1]))
    assert weekly_clash_counts({}, TEAM, TODAY, weeks=0) == []
    assert weekly_clash_counts({}, TEAM, TODAY, weeks=1) == [(TODAY, 0)]


def test_a_clash_counts_from_the_week_it_starts():
    # week ends (12 weeks to Sunday TODAY): TODAY - 77, ..., TODAY; week 5 ends TODAY - 49
    week5 = TODAY - timedelta(weeks=7)
    entries = {
        1: [entry("w", value=8, days_ago=100), entry("d", "doctor", 3, days_ago=(TODAY - week5).days + 2)],
        2: [entry("w2", value=5, days_ago=100), entry("c2", "citizen", 6, days_ago=60)],  # never clashes
    }
    counts = weekly_clash_counts(entries, TEAM, TODAY)
    assert [n for _d, n in counts] == [0] * 4 + [1] * 8
    assert counts[4][0] == week5


def test_a_corrected_entry_never_counts():
    # the doctor's 2 was a typo for 7; the correction keeps the observed date
    entries = {
        1: [
            entry("w", value=8, days_ago=80),
            entry("typo", "doctor", 2, days_ago=40),
            entry("fix", "doctor", 7, days_ago=40, supersedes="typo"),
        ]
    }
    assert [n for _d, n in weekly_clash_counts(entries, TEAM, TODAY)] == [0] * 12


def test_a_later_view_ends_the_clash_from_its_week():
    entries = {
        1: [
            entry("w", value=8, days_ago=80),
            entry("d1", "doctor", 2, days_ago=78),  # clash from week 1 (ends 77 days ago)
            entry("d2", "doctor", 6, days_ago=30),  # agrees from then on
        ]
    }
    counts = [n for _d, n in weekly_clash_counts(entries, TEAM, TODAY)]
    assert counts == [1] * 7 + [0] * 5


def test_the_180_day_window_applies_to_each_week():
    # the doctor's view ages out of the window 180 days after it was observed
    entries = {1: [entry("d", "doctor", 1, days_ago=220), entry("w", value=9, days_ago=10)]}
    assert [n for _d, n in weekly_clash_counts(entries, TEAM, TODAY)] == [0] * 12
    # ... and the worker's own view ages out too: a clash in early weeks ends when it does
    entries = {1: [entry("w", value=9, days_ago=240), entry("d", "doctor", 1, days_ago=200)]}
    counts = weekly_clash_counts(entries, TEAM, TODAY)
    for end, n in counts:
        assert n == (1 if (end - (TODAY - timedelta(days=240))).days <= 180 else 0)
    assert counts[0][1] == 1 and counts[-1][1] == 0


def test_several_citizens_add_up_and_team_threshold_applies():
    entries = {
        i: [entry(f"w{i}", value=8, days_ago=20), entry(f"d{i}", "doctor", 8 - gap, days_ago=20)]
        for i, gap in enumerate([0, 2, 3, 4, 6])
    }
    assert weekly_clash_counts(entries, TEAM, TODAY)[-1][1] == 2
    assert weekly_clash_counts(entries, dict(TEAM, gap_threshold=3), TODAY)[-1][1] == 3
    assert weekly_clash_counts(entries, TEAM, TODAY)[0][1] == 0  # nothing observed yet


# --- rendering -----------------------------------------------------------------------------

EXPECTATION_MACRO = '{% from "macros/charts.html" import expectation_chart %}{{ expectation_chart(chart, name_of) }}'
WEEKLY_MACRO = '{% from "macros/charts.html" import weekly_clash_chart %}{{ weekly_clash_chart(chart) }}'


def test_expectation_chart_renders_accessible_svg_without_style_attributes(app):
    entries = [
        entry("w1", value=7, days_ago=120),
        entry("w2", value=7, days_ago=5),
        entry("d", "doctor", 2, days_ago=60, label="egen læge"),
        entry("c", "citizen", 9, days_ago=1),
    ]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        chart = charts.expectation_chart(entries, TEAM, TODAY)
        html = flask.render_template_string(EXPECTATION_MACRO, chart=chart, name_of=source_name)
    assert "style=" not in html
    assert '<svg class="chart-svg"' in html and 'role="img"' in html and 'aria-label="' in html
    assert 'viewBox="0 0 340 200"' in html and 'width="100%"' in html
    assert len(re.findall(r'<path class="series-line"', html)) == 3
    for s in chart["series"]:
        assert f'd="{s["path"]}"' in html
        assert f'stroke-dasharray="{s["dash"]}"' in html
    assert len(re.findall(r'<path class="series-point', html)) == 4
    assert len(re.findall(r'<path class="series-point point-latest', html)) == 3  # one "now" per series
    for s in chart["series"]:
        for point in s["points"]:
            assert f'd="{point["mark"]}"' in html
    assert len(re.findall(r'<rect class="chart-band"', html)) == 2  # in the chart and the legend
    assert "Zone without a large gap from the case owner's view: 4–10" in html
    assert '<table class="visually-hidden">' in html
    table = html[html.index('<table class="visually-hidden">'):]
    assert "Doctor (egen læge)" in table and "Caseworker" in table and "Citizen" in table
    assert '<ul class="chart-legend">' in html
    assert html.count("series-doctor") == 2  # the line group and its legend sample


def test_empty_expectation_chart_renders_axes_and_a_message(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        chart = charts.expectation_chart([], TEAM, TODAY)
        html = flask.render_template_string(EXPECTATION_MACRO, chart=chart, name_of=source_name)
    assert "style=" not in html
    assert "<path" not in html and "chart-band" not in html
    assert html.count('class="chart-grid"') == 6
    assert "No expectations recorded in this period." in html


def test_weekly_chart_renders_bars_and_a_hidden_table(app):
    counts = weeks([0, 1, 3, 2])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = flask.render_template_string(WEEKLY_MACRO, chart=charts.weekly_clash_chart(counts))
    assert "style=" not in html
    assert len(re.findall(r'<rect class="chart-bar"', html)) == 4
    assert '<table class="visually-hidden">' in html and 'role="img"' in html
