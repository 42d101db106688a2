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
from .clashes import largest_gap
from .expectations import SOURCES, _order_key, live_entries, owner_view_now, perspective

#: Room for axis labels: "10" on the left, month names below; on the right and at the top,
#: room for the larger marker of a latest view at today or at 10, so it is never cut off.
MARGIN = {"top": 9, "right": 12, "bottom": 22, "left": 26}

#: The latest point of each series is drawn this much larger: "where things stand now".
LATEST_SCALE = 1.7

#: Meeting modes where the worker and the citizen were in the same room. The research asks
#: whether expectations move differently after those than after phone or video, so worker
#: points are filled after a physical meeting and hollow after a remote one.
IN_PERSON_MODES = ("in_person", "home_visit")

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


def marker_path(shape, x, y, scale=1.0):
    """SVG path data for a point marker of about 7 × *scale* units centred on (x, y)."""
    k = scale
    if shape == "square":
        return f"M {x - 2.8 * k:g} {y - 2.8 * k:g} h {5.6 * k:g} v {5.6 * k:g} h {-5.6 * k:g} Z"
    if shape == "diamond":
        return f"M {x:g} {y - 4 * k:g} L {x + 4 * k:g} {y:g} L {x:g} {y + 4 * k:g} L {x - 4 * k:g} {y:g} Z"
    if shape == "triangle":
        return f"M {x:g} {y - 4 * k:g} L {x + 3.7 * k:g} {y + 2.7 * k:g} L {x - 3.7 * k:g} {y + 2.7 * k:g} Z"
    if shape == "triangle-down":
        return f"M {x:g} {y + 4 * k:g} L {x + 3.7 * k:g} {y - 2.7 * k:g} L {x - 3.7 * k:g} {y - 2.7 * k:g} Z"
    r = 3.2 * k
    return f"M {x - r:g} {y:g} a {r:g} {r:g} 0 1 0 {2 * r:g} 0 a {r:g} {r:g} 0 1 0 {-2 * r:g} 0 Z"


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


def expectation_chart(entries, team, today, *, owner_id=None, modes=None, days=365, width=340, height=200, name_of=None):
    """Geometry of one citizen's expectations over time, one line per perspective.

    :param entries: the citizen's expectation rows (expectations.for_citizen); superseded
        entries are left out, because a correction replaces what was recorded (DESIGN.md:
        "a correction is a new entry that supersedes the old one")
    :param team: mapping with `gap_threshold` (for the no-clash band)
    :param today: the last day of the x axis
    :param owner_id: the case owner: their line is the solid one, and the band is drawn
        around their view (or the latest worker view by anyone, as the gaps are)
    :param modes: meeting id → meeting mode, to tell worker points after an in-person
        meeting (filled) from those after phone or video (hollow)
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

    # One series per perspective, in the order current_views uses: workers (the case owner
    # first), then source kind, then label.
    owner = owner_view_now(entries, owner_id, today)
    solid = owner.recorded_by if owner else owner_id
    grouped = {}
    for entry in plotted:
        grouped.setdefault(perspective(entry), []).append(entry)
    order = {s: i for i, s in enumerate(SOURCES)}

    def rank(key):
        if key[0] == "worker":
            return (0, key[1] != solid, str(key[1]))
        return (order[key[0]], False, key[1])

    keys = sorted(grouped, key=rank)
    modes = modes or {}

    series, summary = [], []
    others = 0
    for key in keys:
        rows = grouped[key]
        source = key[0]
        is_owner = source == "worker" and key[1] == solid
        # Labels group case-insensitively; show the one written most recently.
        label = None if source == "worker" else (rows[-1].get("source_label") or None)
        if is_owner:
            dash, marker = WORKER_DASH, WORKER_MARKER
        else:
            dash, marker = DASHES[others % len(DASHES)], MARKERS[others % len(MARKERS)]
            others += 1
        points = []
        for i, row in enumerate(rows):
            observed = clock.as_date(row["observed_on"])
            x, y = x_of(observed), _y_of(row["value"], box)
            latest = i == len(rows) - 1
            mode = modes.get(row.get("meeting_id")) if source == "worker" else None
            points.append(
                {
                    "x": x,
                    "y": y,
                    "value": row["value"],
                    "observed_on": observed,
                    "latest": latest,
                    "mode": mode,
                    "remote": source == "worker" and mode is not None and mode not in IN_PERSON_MODES,
                    "mark": marker_path(marker, x, y, LATEST_SCALE if latest else 1.0),
                }
            )
        path = " ".join(("M" if i == 0 else "L") + f" {p['x']} {p['y']}" for i, p in enumerate(points))
        one = {
            "key": key,
            "source": source,
            "source_label": label,
            "recorded_by": key[1] if source == "worker" else None,
            "is_owner": is_owner,
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
                "recorded_by": one["recorded_by"],
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
    mine = owner
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
        "owner_id": mine.recorded_by if mine else None,
        "modes_shown": any(p["mode"] for s in series for p in s["points"]),
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


# --- the 0–10 strip: where every view stands now -------------------------------------------

#: Lane geometry (viewBox units of one lane's SVG): the dots sit on a faint 0–10 line.
STRIP = {"width": 200, "height": 22, "left": 8, "right": 192, "y": 11}


def strip_x(value):
    """Where a scale value sits on a lane (all lanes share the axis)."""
    return round(STRIP["left"] + value / 10 * (STRIP["right"] - STRIP["left"]), 1)


def strip(lanes, gap=None):
    """Geometry of a 0–10 strip: one lane per perspective, all on one shared axis.

    Why lanes rather than one line of dots: on a phone the labels of a one-line strip would
    collide (a doctor at 2 and a parent at 2); a lane per view keeps every label readable as
    plain text, and the shared axis still shows at a glance who stands where.

    :param lanes: list of dicts with `key`, `kind` ("owner", "worker", "source" or "blind")
        and `values` (one value, or several for the blind ratings of a sparring round)
    :param gap: the largest gap to mark: dict with `key` (the lane of the other view),
        `from_value` (the owner's) and `size`; the lane gets a bracket from the owner's value
        to its own with the size written over it
    :returns: dict with lanes (each with dots: x, value, count; and bracket or None), ticks
        (value, x) and the lane box
    """
    out = []
    for lane in lanes:
        counts = {}
        for value in lane["values"]:
            counts[value] = counts.get(value, 0) + 1
        dots = [{"value": v, "x": strip_x(v), "count": n} for v, n in sorted(counts.items())]
        bracket = None
        if gap and gap.get("key") == lane["key"] and lane["values"]:
            x1, x2 = strip_x(gap["from_value"]), strip_x(lane["values"][0])
            low, high = min(x1, x2), max(x1, x2)
            bracket = {"x1": low, "x2": high, "mid": round((low + high) / 2, 1), "size": abs(gap["size"])}
        out.append(dict(lane, dots=dots, bracket=bracket))
    return {
        "lanes": out,
        "ticks": [{"value": v, "x": strip_x(v)} for v in range(0, 11)],
        "box": STRIP,
    }


def views_strip(summary, names_of):
    """The citizen page's strip from a clashes.Summary: the case owner's view first, then
    the other workers', then each collaborator's; the largest gap marked.

    :param names_of: callable View → the words for its lane (the macro does not translate)
    """
    owner = summary.owner
    lanes = []
    if owner is not None:
        lanes.append({"key": ("worker", owner.recorded_by), "kind": "owner", "values": [owner.value], "label": names_of(owner)})
    for view in summary.views:
        if view.source == "worker" and view is not owner:
            lanes.append({"key": ("worker", view.recorded_by), "kind": "worker", "values": [view.value], "label": names_of(view)})
    for view in summary.views:
        if view.source != "worker":
            lanes.append({"key": (view.source, view.source_label), "kind": "source", "values": [view.value], "label": names_of(view)})
    gap = None
    if owner is not None and summary.gaps:
        top = largest_gap(summary.gaps)
        gap = {"key": (top.source, top.source_label), "from_value": owner.value, "size": top.gap}
    return strip(lanes, gap)


def reveal_strip(case, label_of):
    """The sparring reveal's strip: every blind rating as an unnamed dot on one lane, then
    the case owner's current view, then each collaborator's (DESIGN.md "Blind means blind").

    :param case: a revealed case (sessions.case_view) with ratings, owner_view, owner_view_by
        and views
    :param label_of: callable (kind, item) → the lane's words; kind is "blind", "owner" or
        "source" and item the case (blind, owner) or a view dict (source)
    """
    lanes = [{"key": ("blind",), "kind": "blind", "values": [r["value"] for r in case["ratings"] or []],
              "label": label_of("blind", case)}]
    if case["owner_view"] is not None:
        lanes.append({"key": ("owner",), "kind": "owner", "values": [case["owner_view"]], "label": label_of("owner", case)})
    for view in case["views"] or []:
        lanes.append({"key": (view["source"], view["source_label"]), "kind": "source", "values": [view["value"]],
                      "label": label_of("source", view)})
    return strip(lanes)
