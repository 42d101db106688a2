"""Factories for test data: make_team, make_user, make_citizen, make_expectation, make_meeting.

They write through the same domain functions the app uses where that matters (users get
real scrypt hashes), and straight SQL where a test needs a past state (old dates).

scrypt is slow on purpose (a tenth of a second or more per hash or check), so the factories
compute each password's hash once per run; shared_password_hashes() and
known_password_hashes() let the app's own code use those hashes too.
"""
import itertools
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from werkzeug.security import generate_password_hash

from journal import clock, users
from journal.db import transaction
from journal.idempotency import content_hash
from journal.identifiers import unique_ref_key

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_team(db, name=None, municipality="Silkeborg", **settings):
    with transaction(db):
        return users.create_team(db, name or f"Team {next(_seq)}", municipality, **settings)


_HASHES = {}


def password_hash(password):
    """A real scrypt hash of *password*, computed once per password and run."""
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password, method="scrypt")
    return _HASHES[password]


def make_user(db, role="worker", team_id=None, username=None, password=PASSWORD, **kwargs):
    """A user with a real scrypt hash (computed once per password: scrypt is slow on purpose)."""
    username = username or f"{role}{next(_seq)}"
    password_hash(password)
    with transaction(db):
        user_id = db.table("user").insert(
            {
                "username": username,
                "display_name": kwargs.get("display_name") or username.title(),
                "password_hash": _HASHES[password],
                "role": role,
                "team_id": team_id,
                "locale": kwargs.get("locale"),
                "active": 1,
                "created_at": clock.timestamp(),
            }
        ).last_pk
    return users.get(db, user_id)


def make_citizen(db, team_id, case_ref=None, primary_worker_id=None, **fields):
    row = {
        "team_id": team_id,
        "case_ref": case_ref or f"C-{next(_seq)}",
        "display_name": fields.pop("display_name", None),
        "birth_year": fields.pop("birth_year", 1990),
        "gender": fields.pop("gender", "unknown"),
        "goal": fields.pop("goal", "job"),
        "status": fields.pop("status", "active"),
        "primary_worker_id": primary_worker_id,
        "created_at": clock.timestamp(),
        "updated_at": clock.timestamp(),
    }
    row.update(fields)
    row.setdefault("ref_key", unique_ref_key(row["case_ref"]))
    with transaction(db):
        return db.table("citizen").insert(row).last_pk


def make_expectation(db, citizen_id, recorded_by, source="worker", value=5, days_ago=0, **fields):
    """Insert one entry observed *days_ago* days before today."""
    row = {
        "id": fields.pop("id", str(uuid.uuid4())),
        "citizen_id": citizen_id,
        "meeting_id": fields.pop("meeting_id", None),
        "source": source,
        "source_label": fields.pop("source_label", None),
        "value": value,
        "confidence": fields.pop("confidence", "medium"),
        "basis": fields.pop("basis", None),
        "observed_on": (clock.today() - timedelta(days=days_ago)).isoformat(),
        "recorded_by": recorded_by,
        "recorded_at": clock.timestamp(),
        "context": fields.pop("context", "update"),
        "supersedes": fields.pop("supersedes", None),
    }
    row.update(fields)
    row["content_hash"] = content_hash(row)
    with transaction(db):
        db.table("expectation").insert(row)
    return row["id"]


def recuse(db, citizen_id, user_id, declared_by=None):
    with transaction(db):
        return db.table("recusal").insert(
            {
                "citizen_id": citizen_id,
                "user_id": user_id,
                "declared_by": declared_by or user_id,
                "created_at": clock.timestamp(),
            }
        ).last_pk


def meeting_body(**overrides):
    """A valid meeting create body with the worker's view and two collaborators'."""
    body = {
        "id": str(uuid.uuid4()),
        "held_on": clock.today().isoformat(),
        "mode": "in_person",
        "participants": ["citizen", "doctor"],
        "note": "Talked about the internship.",
        "expectations": [
            {"id": str(uuid.uuid4()), "source": "worker", "value": 7, "confidence": "medium"},
            {"id": str(uuid.uuid4()), "source": "citizen", "value": 6, "confidence": "high"},
            {"id": str(uuid.uuid4()), "source": "doctor", "source_label": "egen læge", "value": 2, "confidence": "low"},
        ],
    }
    body.update(overrides)
    return body


@contextmanager
def shared_password_hashes():
    """While active, users.create_user (e.g. in demo.seed) stores the cached scrypt hash of
    the password instead of hashing it afresh: a real scrypt hash of the same password, only
    with the salt shared between users, as make_user's users share it."""

    def generate(password, method="scrypt", **kwargs):
        if method == "scrypt" and not kwargs:
            return password_hash(password)
        return generate_password_hash(password, method=method, **kwargs)

    with mock.patch.object(users, "generate_password_hash", generate):
        yield


@contextmanager
def known_password_hashes():
    """While active, users.check_password answers without running scrypt when the stored hash
    is the one password_hash() made for the password tried: that hash verifies that password,
    so the answer is the one scrypt would give. Anything else goes to the real check.

    Yields a list that records each check answered this way.
    """
    real_check = users.check_password
    matched = []

    def check(row, password):
        if row is not None and isinstance(password, str) and _HASHES.get(password) == row["password_hash"]:
            matched.append(row["username"])
            return True
        return real_check(row, password)

    with mock.patch.object(users, "check_password", check):
        yield matched
