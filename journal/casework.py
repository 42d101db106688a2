"""The use cases that write casework: one function per thing a worker does, one transaction each.

Why one module: a meeting, the expectations logged with it, its audit row and the sparring
requests its views raise must be stored together or not at all, and the API, the web form and
the offline sync must do exactly the same thing. So they all call these functions, and the
modules below them (expectations, meetings, outcomes, recusals, sparring.requests) only know
their own rows. Nothing else writes a meeting or an expectation or raises a sparring request.

Every function takes already validated data (a marshmallow schema's `load()`), the acting
user and a citizen row that access.citizen_for() returned, and answers `(created, record)`
where resending the same client UUID is `created=False` (journal/idempotency.py).
"""
import sqlite3

from flask_babel import gettext as _

from . import audit, citizens, clock, expectations, meetings, outcomes, recusals, summaries
from .db import transaction
from .errors import Conflict, Invalid
from .idempotency import content_hash, is_id_clash, resolve_clash
from .sparring import requests, sessions


def log_meeting(db, user, citizen, data):
    """Store a meeting with its expectations, its audit row and the prompts it raises.

    :raises Conflict: the meeting's UUID is stored with other content, or an expectation's
        UUID is already used elsewhere
    """
    fingerprint = content_hash({"citizen_id": citizen["id"], **data})
    now = clock.timestamp()
    try:
        with transaction(db):
            meetings.insert(db, user, citizen, data, fingerprint, now)
            expectations.insert(db, [
                expectations.new_row(
                    user, citizen, entry, context="meeting", recorded_at=now,
                    meeting_id=data["id"], observed_on=entry.get("observed_on") or data["held_on"],
                    fingerprint=content_hash({"citizen_id": citizen["id"], **entry}),
                )
                for entry in data.get("expectations") or []
            ])
            audit.record(
                db, user.id, "meeting.create", "citizen", citizen["id"],
                {"meeting_id": data["id"], "expectations": len(data.get("expectations") or [])},
            )
            summary = summaries.refresh(db, [citizen["id"]])[citizen["id"]]
            requests.raise_prompts(db, user, citizen, summary.prompts)
    except sqlite3.IntegrityError as error:
        if resolve_clash(db, "meeting", data["id"], fingerprint, error, _("A different meeting is already stored under this id.")):
            return False, meetings.get(db, data["id"])
        if is_id_clash(error, "expectation"):
            raise Conflict(
                _("An expectation in this meeting uses an id that is already stored."), code="id_conflict"
            ) from None
        raise
    return True, meetings.get(db, data["id"])


def add_expectation(db, user, citizen, data, context="update"):
    """Store one expectation outside a meeting: a new view or a correction (`supersedes`).

    A correction must supersede an entry of the same citizen and source that nothing else has
    superseded yet, and keeps that entry's observed date: it fixes what was recorded then; it
    does not move the view to today. A revised view from a sparring session
    (context="sparring") raises no prompts: the session has just looked at the case.

    :raises Invalid: bad `supersedes` target
    :raises Conflict: the UUID is stored with other content, or the target is already
        superseded
    """
    fingerprint = content_hash({"citizen_id": citizen["id"], "context": context, **data})
    target_id = data.get("supersedes")
    observed = data.get("observed_on")
    if target_id:
        target = expectations.get(db, target_id)
        if target is None or target["citizen_id"] != citizen["id"]:
            raise Invalid(errors={"supersedes": [_("No such entry for this citizen.")]})
        if target["source"] != data["source"]:
            raise Invalid(errors={"supersedes": [_("A correction keeps the source of the entry it corrects.")]})
        observed = observed or clock.as_date(target["observed_on"])
    row = expectations.new_row(
        user, citizen, data, context=context, recorded_at=clock.timestamp(),
        observed_on=observed or clock.today(), supersedes=target_id, fingerprint=fingerprint,
    )
    try:
        with transaction(db):
            expectations.insert(db, [row])
            audit.record(
                db, user.id, "expectation.create", "citizen", citizen["id"],
                {"expectation_id": data["id"], "supersedes": target_id},
            )
            summary = summaries.refresh(db, [citizen["id"]])[citizen["id"]]
            if context != "sparring":
                requests.raise_prompts(db, user, citizen, summary.prompts)
    except sqlite3.IntegrityError as error:
        if resolve_clash(db, "expectation", data["id"], fingerprint, error, _("A different entry is already stored under this id.")):
            return False, expectations.get(db, data["id"])
        if "expectation.supersedes" in str(error):
            raise Conflict(_("That entry has already been corrected."), code="already_superseded") from None
        raise
    return True, expectations.get(db, data["id"])


def revise_after_sparring(db, user, session_id, case_id, data):
    """The case owner's revised expectation after a sparring case, stored as a worker view
    with context=sparring and linked to the case, in one transaction."""
    case = sessions.case_for_revision(db, user, session_id, case_id)
    citizen = citizens.get(db, case["citizen_id"])
    with transaction(db):
        created, stored = add_expectation(db, user, citizen, dict(data, source="worker"), context="sparring")
        sessions.link_revision(db, case_id, stored["id"])
    return created, stored


def record_outcome(db, user, citizen, data):
    """What happened to the citizen. :raises Conflict: the id holds other content."""
    return outcomes.record(db, user, citizen, data)


def declare_recusal(db, user, citizen, data):
    """Recuse the user (or, for a lead, a team member) from the citizen."""
    return recusals.declare(db, user, citizen, data.get("user_id"), data.get("reason"))


def request_sparring(db, user, citizen, question):
    """A worker's own request for sparring, with a short question for colleagues."""
    return requests.create_manual(db, user, citizen, question)
