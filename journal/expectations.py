"""Expectations: the scale, who may hold a view, current views, supersession, and their SQL.

An expectation is one perspective (the worker's own, the citizen's, a doctor's ...) on one
citizen's chance of job or education. Entries are never edited: a correction is a new entry
that `supersedes` the old one, so the history of who expected what, when, stays intact.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from . import clock
from .config import CURRENT_WINDOW_DAYS
from .db import insert_many

SOURCES = (
    "worker",
    "citizen",
    "doctor",
    "psychiatry",
    "psychologist",
    "parent",
    "relative",
    "other_department",
    "education",
    "employer",
    "colleague",
    "other",
)
SOURCE_NAMES = {
    "worker": _l("Caseworker"),
    "citizen": _l("Citizen"),
    "doctor": _l("Doctor"),
    "psychiatry": _l("Psychiatry"),
    "psychologist": _l("Psychologist"),
    "parent": _l("Parent"),
    "relative": _l("Relative"),
    "other_department": _l("Other department"),
    "education": _l("School or education"),
    "employer": _l("Employer"),
    "colleague": _l("Colleague"),
    "other": _l("Other"),
}
CONFIDENCES = ("low", "medium", "high")
CONTEXTS = ("meeting", "sparring", "update")

#: The scale's bands: (lowest value, highest value, key, words). DESIGN.md "Scale".
BANDS = (
    (0, 1, "no_chance", _l("no realistic chance")),
    (2, 3, "unlikely", _l("unlikely")),
    (4, 6, "uncertain", _l("uncertain")),
    (7, 8, "likely", _l("likely")),
    (9, 10, "very_likely", _l("very likely")),
)


def band(value):
    """The band key for a scale value (0..10)."""
    for low, high, key, _words in BANDS:
        if low <= value <= high:
            return key
    raise ValueError(f"value {value!r} is outside the scale 0..10")


def band_words(value):
    for low, high, _key, words in BANDS:
        if low <= value <= high:
            return words
    raise ValueError(f"value {value!r} is outside the scale 0..10")


def label_key(source_label):
    """Labels group case- and space-insensitively: "Egen læge" and " egen  læge" are one source."""
    return " ".join((source_label or "").split()).casefold()


def perspective(entry):
    """The (source, label) a view belongs to; for workers, (source, who recorded it).

    Worker views are personal (DESIGN.md "Worker views are personal"): each worker's view is
    their own latest entry, whatever its label, so one worker's entry never replaces
    another's.
    """
    if entry["source"] == "worker":
        return ("worker", entry.get("recorded_by"))
    return (entry["source"], label_key(entry.get("source_label")))


@dataclass(frozen=True)
class View:
    source: str
    source_label: str | None
    value: int
    observed_on: date
    expectation_id: str
    #: who recorded the entry: for a worker view, whose view it is
    recorded_by: int | None = None
    #: the entry's place in time (observed, recorded, stored): latest wins; not part of equality
    rank: tuple = field(default=(), compare=False, repr=False)


def _order_key(entry):
    """Latest = observed last; then recorded last; then stored last (seq is the rowid, since
    two entries can share a recorded_at second); the id only makes the order total."""
    return (
        clock.as_date(entry["observed_on"]),
        entry.get("recorded_at") or "",
        entry.get("seq") or 0,
        entry["id"],
    )


def live_entries(entries):
    """Entries that no other entry supersedes."""
    superseded = {e["supersedes"] for e in entries if e.get("supersedes")}
    return [e for e in entries if e["id"] not in superseded]


def current_views(entries, today, window_days=CURRENT_WINDOW_DAYS):
    """The current view per perspective: latest live entry observed within the window.

    :param entries: one citizen's expectation rows (dicts with id, source, source_label,
        value, observed_on, recorded_at, supersedes)
    :param today: the date the window ends on
    :returns: list of View: workers' views first (one per worker, by who recorded them),
        then by source order and label
    """
    since = today - timedelta(days=window_days)
    latest = {}
    for entry in live_entries(entries):
        observed = clock.as_date(entry["observed_on"])
        if observed < since or observed > today:
            continue
        key = perspective(entry)
        if key not in latest or _order_key(entry) > _order_key(latest[key]):
            latest[key] = entry
    views = [
        View(
            source=e["source"],
            source_label=e.get("source_label"),
            value=e["value"],
            observed_on=clock.as_date(e["observed_on"]),
            expectation_id=e["id"],
            recorded_by=e.get("recorded_by"),
            rank=_order_key(e),
        )
        for e in latest.values()
    ]
    order = {s: i for i, s in enumerate(SOURCES)}
    views.sort(key=lambda v: (order[v.source], -1 if v.recorded_by is None else v.recorded_by, label_key(v.source_label)))
    return views


def known_labels(views):
    """Source kind → the labels of its current collaborator views ("doctor" → ["egen læge"]),
    None standing for an unlabelled view: the citizen's known collaborators."""
    known = {}
    for view in views:
        if view.source != "worker":
            known.setdefault(view.source, []).append(view.source_label or None)
    return known


def unclear_sources(entries, views):
    """Indexes of new entries that name a kind without a label while the citizen already has
    only labelled views of that kind: a plain "doctor" next to "doctor (egen læge)" would
    become a second, unlabelled doctor. The screen asks which one is meant.
    """
    known = known_labels(views)
    unclear = []
    for index, entry in enumerate(entries):
        labels = known.get(entry["source"]) or []
        if entry["source"] != "worker" and not label_key(entry.get("source_label")) and labels and None not in labels:
            unclear.append(index)
    return unclear


def worker_views(views):
    """The workers' current views, one per worker."""
    return [v for v in views if v.source == "worker"]


def owner_view(views, owner_id):
    """The view gaps and the clash are measured from (DESIGN.md "Worker views are personal"):
    the case owner's own current view; if the citizen has no owner, or the owner has no
    current view, the latest worker view by anyone (shown with who gave it). None without
    any worker view."""
    workers = worker_views(views)
    own = [v for v in workers if owner_id is not None and v.recorded_by == owner_id]
    if own:
        return own[0]
    return max(workers, key=lambda v: v.rank) if workers else None


def own_view(views, user_id):
    """*user_id*'s own current worker view, or None: the only view a screen calls "yours"."""
    return next((v for v in worker_views(views) if v.recorded_by == user_id), None)


def owner_view_now(entries, owner_id, today=None):
    """The case owner's view today, from one citizen's expectation rows."""
    return owner_view(current_views(entries, today or clock.today()), owner_id)


def worker_history(entries, worker_id=None):
    """Live worker entries, oldest first: the series the drop and stale-low rules read.

    :param worker_id: only that worker's entries (a drop is measured within one person's
        views, never between two people's)
    """
    return sorted(
        (e for e in live_entries(entries) if e["source"] == "worker" and (worker_id is None or e.get("recorded_by") == worker_id)),
        key=_order_key,
    )


def worker_histories(entries):
    """Each worker's live entries, oldest first, by who recorded them."""
    histories = {}
    for entry in worker_history(entries):
        histories.setdefault(entry.get("recorded_by"), []).append(entry)
    return histories


# --- data layer -------------------------------------------------------------------------

COLUMNS = (
    "rowid AS seq, id, citizen_id, meeting_id, source, source_label, value, confidence, basis, "
    "observed_on, recorded_by, recorded_at, context, supersedes"
)
SUPERSEDED_BY = "(SELECT s.id FROM expectation s WHERE s.supersedes = e.id) AS superseded_by"


def for_citizen(db, citizen_id):
    """All of one citizen's entries, with `superseded_by` filled in, oldest first."""
    return list(
        db.query(
            f"SELECT {COLUMNS}, {SUPERSEDED_BY} FROM expectation e WHERE citizen_id = ? "
            "ORDER BY observed_on, recorded_at, id",
            [citizen_id],
        )
    )


def for_citizens(db, citizen_ids):
    """Entries for many citizens at once, grouped by citizen id (for lists and overviews)."""
    grouped = {cid: [] for cid in citizen_ids}
    if not citizen_ids:
        return grouped
    ids = list(citizen_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            f"SELECT {COLUMNS} FROM expectation WHERE citizen_id IN ({marks})", chunk
        ):
            grouped[row["citizen_id"]].append(row)
    return grouped


def get(db, expectation_id):
    """One entry with `superseded_by` filled in, or None."""
    rows = list(db.query(f"SELECT {COLUMNS}, {SUPERSEDED_BY} FROM expectation e WHERE id = ?", [expectation_id]))
    return rows[0] if rows else None


def new_row(user, citizen, data, *, context, recorded_at, observed_on, fingerprint, meeting_id=None, supersedes=None):
    """The stored row for one validated expectation (journal/casework.py decides the rest)."""
    return {
        "id": data["id"],
        "citizen_id": citizen["id"],
        "meeting_id": meeting_id,
        "source": data["source"],
        "source_label": data.get("source_label"),
        "value": data["value"],
        "confidence": data["confidence"],
        "basis": data.get("basis"),
        "observed_on": clock.as_date(observed_on).isoformat(),
        "recorded_by": user.id,
        "recorded_at": recorded_at,
        "context": context,
        "supersedes": supersedes,
        "content_hash": fingerprint,
    }


def insert(db, rows):
    """Insert entries (rows from new_row). Raises sqlite3.IntegrityError when an id (client
    UUID) exists or an entry is already superseded."""
    insert_many(db, "expectation", rows)
