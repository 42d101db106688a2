"""Sparring rules: pure functions of plain data, tested in tests/test_sparring.py.

A case in a session moves through fixed phases (present → blind_rating → reveal → questions
→ reflections → response → actions); everyone rates alone before the reveal; agreement is
measured with r_wg; the rules' prompts become requests once per cause.
"""
import json
import statistics
from datetime import timedelta

from flask_babel import gettext as _

from .. import clock
from ..clashes import Prompt, describe

#: Why a request was raised (DESIGN.md "Sparring request").
REASONS = ("gap", "drop", "stale_low", "manual")
REQUEST_STATUSES = ("open", "scheduled", "done", "dismissed")
PHASES = ("present", "blind_rating", "reveal", "questions", "reflections", "response", "actions", "done")
#: Phases in which the ratings are visible to everyone in the session.
REVEALED = PHASES[PHASES.index("reveal") :]
DEFAULT_MINUTES = {"present": 5, "blind_rating": 2, "reveal": 3, "questions": 5, "reflections": 10, "response": 5, "actions": 5}
SCALE_POINTS = 11  # A in r_wg: the 0–10 scale has eleven points
#: The phases a lead can set a time box for (all but "done").
TIMED_PHASES = PHASES[:-1]
#: What a lead may write notes under: a phase, or the two reflection questions.
NOTE_KEYS = PHASES + ("usual", "could")


# --- pure rules ---------------------------------------------------------------------------


def next_phase(phase):
    """The phase after *phase*; "done" stays done."""
    index = PHASES.index(phase)
    return PHASES[min(index + 1, len(PHASES) - 1)]


def agreement(values):
    """Spread, median and r_wg of a blind round (DESIGN.md "Agreement").

    r_wg = 1 − s² / ((A² − 1) / 12), A = 11 scale points, s² the sample variance of the
    ratings; clamped to 0..1 and undefined (None) for fewer than two ratings.
    """
    values = list(values)
    if not values:
        return {"n": 0, "median": None, "spread": None, "rwg": None}
    result = {"n": len(values), "median": statistics.median(values), "spread": None, "rwg": None}
    if len(values) >= 2:
        result["spread"] = max(values) - min(values)
        expected = (SCALE_POINTS**2 - 1) / 12
        rwg = 1 - statistics.variance(values) / expected
        result["rwg"] = round(min(1.0, max(0.0, rwg)), 3)
    return result


def agreement_level(rwg):
    """r_wg in words a team can use (the number stays one tap away): "strong" from 0.8 (the
    usual cut-off for agreement in r_wg research), "some" from 0.5, else "split"; None for
    fewer than two ratings."""
    if rwg is None:
        return None
    if rwg >= 0.8:
        return "strong"
    if rwg >= 0.5:
        return "some"
    return "split"


def causes_to_raise(prompts, requests, today, quiet_days):
    """Which prompts become new requests: once per cause while one is open or scheduled,
    and not again within *quiet_days* after one for that cause was handled.

    :param requests: the citizen's earlier requests (reason, status, handled_at)
    """
    blocked = set()
    since = today - timedelta(days=quiet_days)
    for request in requests:
        if request["status"] in ("open", "scheduled"):
            blocked.add(request["reason"])
        elif request.get("handled_at") and clock.local_date(request["handled_at"]) > since:
            blocked.add(request["reason"])
    return [p for p in prompts if p.cause not in blocked]


def request_detail(request, viewer_id=None, names=None):
    """A request's reason in plain words, in the reader's language: "you" only for the
    reader's own view, otherwise the worker by name (*names*) or "the caseworker"."""
    if request["reason"] == "manual":
        return request.get("detail") or _("Sparring requested")
    facts = json.loads(request.get("facts") or "{}")
    if request["reason"] == "stale_low":
        facts.setdefault("days", 0)
    if request["reason"] == "gap":
        facts.setdefault("source_label", None)
    try:
        return describe(Prompt(request["reason"], facts), viewer_id, names)
    except KeyError:
        return request.get("detail") or ""


def phase_minutes(team):
    minutes = dict(DEFAULT_MINUTES)
    minutes.update(json.loads(team.get("phase_minutes") or "{}"))
    return minutes


