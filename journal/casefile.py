"""A citizen's case file: everything the citizen page shows, read once and summarised once.

Why a module of its own: the page needs the citizen's expectations, meetings, outcomes,
sparring requests and actions, and the summary (views, gaps, clash, prompts) that several of
them are drawn against. Reading the expectation rows once and passing them on keeps the page
at one query per kind of record, and keeps citizens.py free of sparring (which reads it).
"""
from . import citizens, clock, expectations, meetings, outcomes, users
from .sparring import actions, requests
from .sparring.rules import request_detail


def read(db, team, citizen, viewer_id=None):
    """The citizen page's data as a dict: citizen (with its summary), meetings, outcomes,
    open requests (worded for the worker) and actions (with whether the view moved)."""
    entries = expectations.for_citizen(db, citizen["id"])
    names = users.display_names(db, citizen["team_id"])
    meeting_list = meetings.for_citizen(db, citizen["id"], entries)
    last = max((m["held_on"] for m in meeting_list), default=None)
    detail = citizens.detail(db, team, citizen, entries, last, viewer_id, names)
    return {
        "citizen": detail,
        "summary": detail["summary"],
        "entries": entries,
        "today": clock.today(),
        "meetings": meeting_list,
        "outcomes": outcomes.for_citizen(db, citizen["id"]),
        "requests": [dict(r, detail=request_detail(r, viewer_id, names)) for r in requests.open_for_citizen(db, citizen["id"])],
        "names": names,
        "actions": actions.for_citizen(db, citizen["id"], detail["worker_value"]),
    }
