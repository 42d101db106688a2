"""POST /api/v1/sync: the offline outbox replays its queue here."""
from flask_babel import gettext as _
from flask_login import current_user

from .. import citizens, sync
from ..access import allow
from ..db import get_db
from ..errors import JournalError
from ..schemas.core import OfflineListOut, SyncIn, SyncOut
from ..users import CASE_ROLES, get_team
from .parsing import Blueprint

blp = Blueprint("api_sync", __name__, url_prefix="/api/v1", description="Offline sync")


class TooLarge(JournalError):
    status = 413
    code = "payload_too_large"


@blp.route("/sync", methods=["POST"])
@allow(*CASE_ROLES)
@blp.arguments(SyncIn)
@blp.response(200, SyncOut)
@blp.alt_response(413, description="More than 500 items: send them in several batches")
def sync_batch(data):
    """Apply queued offline operations in order, each in its own transaction.

    Items: `{op, citizen_id, data}` with op `create_meeting` (data: a meeting create body),
    `add_expectation`, `record_outcome` or `declare_recusal`. Every item gets a result:
    `created`, `duplicate` (with the stored record), `conflict`, `invalid` (with field
    errors), `forbidden` or `not_found`. Remove an item from the outbox only on `created` or
    `duplicate`.
    """
    if len(data["items"]) > sync.MAX_ITEMS:
        raise TooLarge(_("At most %(max)s items per batch. Send the rest in another batch.", max=sync.MAX_ITEMS))
    return {"results": sync.apply_batch(get_db(), current_user, data["items"])}


@blp.route("/sync/citizens", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, OfflineListOut)
def offline_citizens():
    """What the phone may keep for offline use: case ref and the worker's current view only.

    No names and no notes are ever stored on the device.
    """
    db = get_db()
    items = citizens.visible(db, current_user, get_team(db, current_user.team_id))
    items.sort(key=citizens.attention_order)
    return {"items": items}
