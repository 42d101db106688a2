"""Safe resends: a record's id is a UUID made by the client, and the primary key.

A phone may send the same meeting twice (a lost answer, an offline outbox replaying). The
database itself refuses the second copy (a primary-key clash, not a read-then-insert, so it
holds under concurrency); `resolve_clash` then compares content fingerprints: the same
content is a resend (answer the stored record, create nothing), other content under the same
id is a conflict (409).
"""
import hashlib
import json

from .errors import Conflict


def content_hash(payload):
    """A stable fingerprint of what a client sent.

    Computed over the validated request before server defaults (such as "today") are filled
    in, so a resend on another day is still the same content. Key order does not matter;
    dates compare as ISO strings.
    """
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_id_clash(error, table):
    return f"UNIQUE constraint failed: {table}.id" in str(error)


def resolve_clash(db, table, record_id, fingerprint, error, message):
    """What an IntegrityError on inserting *record_id* into *table* means.

    :returns: True when the stored record has the same fingerprint (a resend); False when
        the error is not a clash on this table's id (the caller handles or re-raises it)
    :raises Conflict: the id is stored with other content
    """
    if not is_id_clash(error, table):
        return False
    stored = db.execute(f"SELECT content_hash FROM [{table}] WHERE id = ?", [record_id]).fetchone()
    if stored is not None and stored[0] == fingerprint:
        return True
    raise Conflict(message, code="id_conflict")
