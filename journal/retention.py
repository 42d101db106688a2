"""Retention: citizens closed longer than the retention period are deleted, with everything
that belongs to them (DESIGN.md "Operations": `retention [--dry-run]`).

The journal is a working tool beside the municipality's own case file, which keeps the
record of authority under its archive rules; what the journal holds — views on a person's
chances, notes, sparring — has no purpose long after the case is closed (GDPR art. 5(1)(e),
storage limitation). The default period and its reason are in docs/decisions.md.

Each citizen goes in its own transaction, so a stop half-way leaves whole citizens, never
half of one. Every row that belongs to the citizen goes with it (the foreign keys cascade:
meetings, expectations, outcomes, recusals, sparring requests, cases, ratings and actions).
The audit log keeps the fact — which citizen id was deleted, when it was closed, how many
rows went — never the content (it holds no case reference, name or text).
"""
from datetime import timedelta

from . import audit, clock
from .db import transaction

#: What belongs to a citizen, counted for the audit (all cascade from citizen).
BELONGING = {
    "meetings": "SELECT COUNT(*) FROM meeting WHERE citizen_id = ?",
    "expectations": "SELECT COUNT(*) FROM expectation WHERE citizen_id = ?",
    "outcomes": "SELECT COUNT(*) FROM outcome WHERE citizen_id = ?",
    "recusals": "SELECT COUNT(*) FROM recusal WHERE citizen_id = ?",
    "sparring_requests": "SELECT COUNT(*) FROM sparring_request WHERE citizen_id = ?",
    "sparring_cases": "SELECT COUNT(*) FROM sparring_case WHERE citizen_id = ?",
    "actions": "SELECT COUNT(*) FROM action WHERE citizen_id = ?",
}


def cutoff(days, now=None):
    """The moment before which a closed case is past retention."""
    return (now or clock.now_utc()) - timedelta(days=days)


def due(db, days):
    """Citizens closed before the cutoff, oldest first: id, team, case_ref, closed_at."""
    return list(db.query(
        "SELECT c.id, t.name AS team, c.case_ref, c.closed_at FROM citizen c JOIN team t ON t.id = c.team_id "
        "WHERE c.status = 'closed' AND c.closed_at IS NOT NULL AND c.closed_at < ? ORDER BY c.closed_at, c.id",
        [clock.timestamp(cutoff(days))],
    ))


def delete_citizen(db, citizen, days):
    """Delete *citizen* (a row from due()) and all that belongs to it, in one transaction,
    re-checking that it is still closed and past the cutoff; returns the counts, or None if
    it no longer qualifies (reopened meanwhile)."""
    with transaction(db):
        still = db.execute(
            "SELECT 1 FROM citizen WHERE id = ? AND status = 'closed' AND closed_at < ?",
            [citizen["id"], clock.timestamp(cutoff(days))],
        ).fetchone()
        if not still:
            return None
        counts = {name: db.execute(sql, [citizen["id"]]).fetchone()[0] for name, sql in BELONGING.items()}
        db.execute("DELETE FROM citizen WHERE id = ?", [citizen["id"]])
        audit.record(db, None, "citizen.retention_delete", "citizen", citizen["id"], {
            "closed_month": citizen["closed_at"][:7], "retention_days": days, "rows": counts,
        })
    return counts


def run(db, days, dry_run=False):
    """Delete every citizen past retention (or only list them, with *dry_run*).

    :returns: the citizens due (rows from due()); with a real run, those actually deleted
    """
    citizens = due(db, days)
    if dry_run:
        return citizens
    return [c for c in citizens if delete_citizen(db, c, days) is not None]
