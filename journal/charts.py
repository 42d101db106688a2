"""Chart geometry for the citizen page and the team overview: pure functions, no Flask, no DB.

The pages are server-rendered under a strict CSP (no inline script, no style attributes), so
charts are plain SVG drawn by Jinja macros (templates/macros/charts.html). Everything that is
arithmetic lives here, where it can be unit-tested without a browser (tests/test_charts.py);
the macros only place the numbers and translate the words.

Coordinates are in SVG user units of a `viewBox` of `width` × `height`; the SVG is drawn with
width="100%", so the default 340 × 200 scales crisply to any phone from 320 px up. Margins
leave room for the 0–10 labels on the left and month labels below.

Colour is never the only cue (DESIGN.md: workers compare perspectives at a glance, and about
one man in twelve does not see red/green apart): every series also gets its own dash pattern,
the legend is an HTML list, and the figures are repeated in a visually hidden table.
"""
from datetime import date, timedelta

from . import clock
from .expectations import SOURCES, _order_key, current_views, live_entries, perspective, worker_view_now

#: Room for axis labels: "10" on the left, month names below.
MARGIN = {"top": 8, "right": 10, "bottom": 22, "left": 26}

#: A short history is not squashed into one corner: the x axis starts at the first plotted
#: entry, but always spans at least this many days, so one entry from yesterday is a point near
#: the right edge of a four-week axis rather than a point that fills the whole width.
MIN_SPAN_DAYS = 28

#: Scale values that get a horizontal grid line and a label.
Y_TICKS = (0, 2, 4, 6, 8, 10)

#: Dash patterns (stroke-dasharray) for the series after the worker's, in order. The worker's
#: own line is always solid, so "you" reads the same on every chart.
WORKER_DASH = "none"
DASHES = ("6 3", "2 3", "9 3 2 3", "1 2", "12 4", "4 2 1 2 1 2", "3 5")

#: Point markers, also in order: a collaborator's single opinion is a lone point with no line
#: to carry a dash, so the shape is what tells it apart without colour.
WORKER_MARKER = "circle"
MARKERS = ("square", "diamond", "triangle", "triangle-down", "circle")

#: Month labels need about 24 units; with more ticks than this only every other (third ...)
#: month is labelled.
MAX_MONTH_LABELS = 6
#: A label centred on a tick this close to the SVG edge would be cut off.
LABEL_HALF_WIDTH = 13


def _plot_box(width, height, margin=MARGIN):
    return {
        "left": margin["left"],
        "right": width - margin["right"],
        "top": margin["top"],
        "bottom": height - margin["bottom"],
    }


def _y_of(value, box):
    """Value 0 sits on the bottom edge of the plot, 10 on the top edge (SVG y grows downwards)."""
    return round(box["bottom"] - (value / 10) * (box["bottom"] - box["top"]), 1)


def css_class(source):
    """One class per source kind, so the stylesheet gives every kind its colour."""
    return "series-" + source.replace("_", "-")


def marker_path(shape, x, y):
    """SVG path data for a point marker of about 7 units centred on (x, y)."""
    if shape == "square":
        return f"M {x - 2.8:g} {y - 2.8:g} h 5.6 v 5.6 h -5.6 Z"
    if shape == "diamond":
        return f"M {x:g} {y - 4:g} L {x + 4:g} {y:g} L {x:g} {y + 4:g} L {x - 4:g} {y:g} Z"
    if shape == "triangle":
        return f"M {x:g} {y - 4:g} L {x + 3.7:g} {y + 2.7:g} L {x - 3.7:g} {y + 2.7:g} Z"
    if shape == "triangle-down":
        return f"M {x:g} {y + 4:g} L {x + 3.7:g} {y - 2.7:g} L {x - 3.7:g} {y - 2.7:g} Z"
    return f"M {x - 3.2:g} {y:g} a 3.2 3.2 0 1 0 6.4 0 a 3.2 3.2 0 1 0 -6.4 0 Z"


def _default_name(source, source_label):
    return f"{source} ({source_label})" if source_label and source != "worker" else source


def _month_starts(start, end):
    """The first day of every month after `start` up to and including `end`."""
    month = date(start.year, start.month, 1)
    found = []
    while True:
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        if month > end:
            return found
        found.append(month)


def expectation_chart(entries, team, today, *, days=365, width=340, height=200, name_of=None):
    """Geometry of one citizen's expectations over time, one line per perspective.

    :param entries: the citizen's expectation rows (expectations.for_citizen); superseded
        entries are left out, because a correction replaces what was recorded (DESIGN.md:
        "a correction is a new entry that supersedes the old one")
    :param team: mapping with `gap_threshold` (for the no-clash band)
    :param today: the last day of the x axis
    :param days: how far back to plot; older entries are left out
    :param name_of: optional callable (source, source_label) → display name; the macro can
        name series itself, so the default is a plain, untranslated name
    :returns: dict with width, height, plot (the plot box), series, y_ticks, x_ticks, band,
        summary, start and end (the x domain)

    X axis: from max(today − days, first plotted entry) to today, but at least
    MIN_SPAN_DAYS long, so that a new citizen's two entries use the width instead of
    sitting at the right edge of an empty year. With no entries the axis spans all `days`.

    Band: the values that do not clash with the worker's *current* view w (the rule in
    clashes.is_clash: a gap clashes when |w − v| ≥ gap_threshold), i.e. the integers
    max(0, w − t + 1) .. min(10, w + t − 1). None without a current worker view, because
    then nothing clashes (DESIGN.md "Worker view").
    """
    name_of = name_of or _default_name
    box = _plot_box(width, height)
    earliest = today - timedelta(days=days)

    live = [e for e in live_entries(entries) if not e.get("superseded_by")]
    plotted = [e for e in live if earliest <= clock.as_date(e["observed_on"]) <= today]
    plotted.sort(key=_order_key)

    if plotted:
        first = clock.as_date(plotted[0]["observed_on"])
        start = max(earliest, min(first, today - timedelta(days=MIN_SPAN_DAYS)))
    else:
        start = earliest
    span = max((today - start).days, 1)

    def x_of(day):
        return round(box["left"] + (day - start).days / span * (box["right"] - box["left"]), 1)

    # One series per perspective, in the order current_views uses: worker, then source kind,
    # then label.
    grouped = {}
    for entry in plotted:
        grouped.setdefault(perspective(entry), []).append(entry)
    order = {s: i for i, s in enumerate(SOURCES)}
    keys = sorted(grouped, key=lambda k: (order[k[0]], k[1]))

    series, summary = [], []
    others = 0
    for key in keys:
        rows = grouped[key]
        source = key[0]
        # Labels group case-insensitively; show the one written most recently.
        label = None if source == "worker" else (rows[-1].get("source_label") or None)
        if source == "worker":
            dash, marker = WORKER_DASH, WORKER_MARKER
        else:
            dash, marker = DASHES[others % len(DASHES)], MARKERS[others % len(MARKERS)]
            others += 1
        points = []
        for row in rows:
            observed = clock.as_date(row["observed_on"])
            x, y = x_of(observed), _y_of(row["value"], box)
            points.append(
                {
                    "x": x,
                    "y": y,
                    "value": row["value"],
                    "observed_on": observed,
                    "mark": marker_path(marker, x, y),
                }
            )
        path = " ".join(("M" if i == 0 else "L") + f" {p['x']} {p['y']}" for i, p in enumerate(points))
        one = {
            "key": key,
            "source": source,
            "source_label": label,
            "name": name_of(source, label),
            "css_class": css_class(source),
            "dash": dash,
            "marker": marker,
            "legend_mark": marker_path(marker, 14, 5),
            "points": points,
            "path": path,
        }
        series.append(one)
        summary.append(
            {
                "key": key,
                "source": source,
                "source_label": label,
                "name": one["name"],
                "value": points[-1]["value"],
                "observed_on": points[-1]["observed_on"],
                "first_value": points[0]["value"],
                "first_observed_on": points[0]["observed_on"],
                "count": len(points),
            }
        )

    y_ticks = [{"value": v, "y": _y_of(v, box)} for v in Y_TICKS]

    months = _month_starts(start, today)
    step = -(-len(months) // MAX_MONTH_LABELS) if months else 1
    x_ticks = []
    for i, month in enumerate(months):
        x = x_of(month)
        x_ticks.append(
            {
                "date": month,
                "x": x,
                "labelled": i % step == 0 and LABEL_HALF_WIDTH <= x <= width - LABEL_HALF_WIDTH,
                # January marks the turn of the year; the macro writes the year there.
                "year_start": month.month == 1,
            }
        )

    band = None
    threshold = team["gap_threshold"]
    mine = worker_view_now(entries, today)
    if mine is not None and threshold >= 1:
        low = max(0, mine.value - threshold + 1)
        high = min(10, mine.value + threshold - 1)
        band = {
            "low": low,
            "high": high,
            "worker_value": mine.value,
            "threshold": threshold,
            "x": box["left"],
            "width": box["right"] - box["left"],
            "y_top": _y_of(high, box),
            "y_bottom": _y_of(low, box),
            "height": round(_y_of(low, box) - _y_of(high, box), 1),
        }

    return {
        "width": width,
        "height": height,
        "plot": box,
        "start": start,
        "end": today,
        "series": series,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "band": band,
        "summary": summary,
    }


#: The bar chart is a small strip under the team overview's heading.
WEEK_MARGIN = {"top": 6, "right": 6, "bottom": 18, "left": 22}
#: Every n-th bar gets a date label, counted back from the newest (which is always labelled).
WEEK_LABEL_EVERY = 4
BAR_FILL = 0.7


def weekly_clash_chart(counts, *, width=340, height=90):
    """Geometry of a bar per week: how many citizens clashed as of each week's end.

    :param counts: list of (week_end_date, count), oldest first (clashes.weekly_clash_counts)
    :returns: dict with width, height, plot, bars [{x, y, w, h, count, week_end, labelled,
        label_x, label_anchor}], max (the largest count), scale_max (≥ 1, so an all-zero strip still has a
        scale), baseline (y of zero) and y_ticks [{value, y}]

    The newest bar is always labelled, then every WEEK_LABEL_EVERY-th before it, so labels
    never collide on a 320 px phone. A week with no clash has height 0; the macro draws the
    baseline so it still reads as "zero", not as missing.
    """
    box = _plot_box(width, height, WEEK_MARGIN)
    plot_h = box["bottom"] - box["top"]
    largest = max((c for _d, c in counts), default=0)
    scale_max = max(largest, 1)
    n = len(counts)
    slot = (box["right"] - box["left"]) / n if n else 0
    bar_w = round(slot * BAR_FILL, 1)

    def y_of(value):
        return round(box["bottom"] - value / scale_max * plot_h, 1)

    bars = []
    for i, (week_end, count) in enumerate(counts):
        x = round(box["left"] + i * slot + (slot - bar_w) / 2, 1)
        y = y_of(count)
        bars.append(
            {
                "x": x,
                "y": y,
                "w": bar_w,
                "h": round(box["bottom"] - y, 1),
                "count": count,
                "week_end": week_end,
                "labelled": (n - 1 - i) % WEEK_LABEL_EVERY == 0,
                # The newest label ends at its bar's right edge so it is not cut off.
                "label_x": round(x + bar_w, 1) if i == n - 1 else round(x + bar_w / 2, 1),
                "label_anchor": "end" if i == n - 1 else "middle",
            }
        )

    tick_values = {0, scale_max}
    if scale_max >= 4:
        tick_values.add(scale_max // 2)
    y_ticks = [{"value": v, "y": y_of(v)} for v in sorted(tick_values)]

    return {
        "width": width,
        "height": height,
        "plot": box,
        "bars": bars,
        "max": largest,
        "scale_max": scale_max,
        "baseline": box["bottom"],
        "y_ticks": y_ticks,
    }
