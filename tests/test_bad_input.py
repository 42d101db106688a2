"""Bad bodies sent to every write endpoint of the JSON API v1.

DESIGN.md, "Non-functional": every input validated; bad input → clear 4xx and no change;
never a 500. DESIGN.md, "JSON API": errors are `{"code", "message", "errors": {field: [...]}}`.

One table (CASES) holds every bad request: which endpoint, as whom, what body, which status
is acceptable, which field `errors` must name and (where it matters) what the message must
say. Each case is checked on its own (status, error shape, field, nothing stored) and the
whole table is also run in one loop that lists every case answered with a 5xx at once.

Cases the app currently answers wrongly are marked xfail(strict=True) with "BUG: ...": they
document a defect, and the strict mark fails the run once the defect is fixed so that the
mark is removed.
"""
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from journal import clock
from journal.config import LIMITS

from . import factories

TODAY = clock.today()
#: A date in the future however long the suite runs: the cases are built at import, and a run
#: that passes midnight in Copenhagen would turn "tomorrow" into today.
TOMORROW = (TODAY + timedelta(days=2)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
NEXT_YEAR = TODAY.year + 1
BEFORE_2000 = "1999-12-31"
MALFORMED_DATES = [("month13", "2026-13-01"), ("word", "yesterday"), ("number", 20260101)]
MAX_BODY = 2 * 1024 * 1024
HUGE_INT = 10**20  # beyond SQLite's 64-bit INTEGER
SURROGATE = "A\ud800B"  # a lone UTF-16 surrogate: valid JSON ("\ud800"), not encodable as UTF-8

#: Tables whose content a refused request must not change. audit_event and login_failure
#: legitimately record attempts, refused ones included.
#: The audit log and the login throttle record refusals on purpose; the stored summaries
#: (journal/summaries.py) are derived from the other tables and filled by reads, so a page
#: shown again with errors may fill them: none of these is something the refused input stored.
IGNORED_TABLES = {"audit_event", "login_failure", "rate_limit", "citizen_state", "citizen_week"}


def U():
    return str(uuid.uuid4())


# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A body sent as raw text (data=...) with a content type, instead of json=..."""

    data: object
    content_type: object = "application/json"


@dataclass(frozen=True)
class Endpoint:
    role: str  # "worker", "lead", or "anon" (a fresh client, for login)
    method: str
    url: str  # with {citizen}, {team}, {recusal}
    valid: object  # a callable returning a valid body (used for variants and the sanity test)


ENDPOINTS = {
    "citizen_create": Endpoint("worker", "post", "/api/v1/citizens", lambda: {"case_ref": "NEW-1", "goal": "job"}),
    "citizen_patch": Endpoint("worker", "patch", "/api/v1/citizens/{citizen}", lambda: {"goal": "education"}),
    "meeting": Endpoint("worker", "post", "/api/v1/citizens/{citizen}/meetings", factories.meeting_body),
    "expectation": Endpoint(
        "worker",
        "post",
        "/api/v1/citizens/{citizen}/expectations",
        lambda: {"id": U(), "source": "citizen", "value": 5, "confidence": "medium", "observed_on": TODAY.isoformat()},
    ),
    "recusal": Endpoint("worker", "post", "/api/v1/citizens/{citizen}/recusals", lambda: {"reason": "Neighbour"}),
    "recusal_lead": Endpoint(
        "lead", "post", "/api/v1/citizens/{citizen}/recusals", lambda: {"user_id": "{worker}", "reason": "Relative"}
    ),
    "recusal_lift": Endpoint(
        "lead", "post", "/api/v1/citizens/{citizen}/recusals/{recusal}/lift", lambda: {"reason": "Moved away"}
    ),
    "outcome": Endpoint(
        "worker",
        "post",
        "/api/v1/citizens/{citizen}/outcomes",
        lambda: {"kind": "job", "observed_on": TODAY.isoformat()},
    ),
    "team_patch": Endpoint("lead", "patch", "/api/v1/teams/{team}", lambda: {"gap_threshold": 5}),
    "login": Endpoint(
        "anon", "post", "/api/v1/auth/login", lambda: {"username": "worker", "password": factories.PASSWORD}
    ),
}

_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 413: "payload_too_large",
          415: "unsupported_media_type", 422: "validation_error"}


@dataclass(frozen=True)
class Case:
    endpoint: str
    name: str
    body: object  # a JSON value (sent with json=) or a Raw
    status: frozenset
    field: tuple = None  # path into `errors` that must be present, e.g. ("expectations", "0", "value")
    msg: str = None  # text the messages at `field` must contain
    bug: str = None  # "BUG: ..." → xfail(strict=True)
    url: str = None  # overrides the endpoint's url (bad ids in the path)
    user: str = None  # overrides the endpoint's role

    @property
    def id(self):
        return f"{self.endpoint}-{self.name}"


CASES = []


def case(endpoint, name, body, status=422, field=None, msg=None, bug=None, url=None, user=None):
    statuses = frozenset(status if isinstance(status, (set, frozenset, tuple)) else {status})
    if isinstance(field, str):
        field = (field,)
    CASES.append(Case(endpoint, name, body, statuses, field, msg, bug, url, user))


def with_(endpoint, **changes):
    """The endpoint's valid body with *changes*; a value of DROP removes the key."""
    body = ENDPOINTS[endpoint].valid()
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


DROP = object()


def meeting_with_entry(**changes):
    """A valid meeting body whose first expectation (the worker's) has *changes*."""
    body = factories.meeting_body()
    entry = body["expectations"][0]
    for key, value in changes.items():
        if value is DROP:
            entry.pop(key, None)
        else:
            entry[key] = value
    return body


def entry(source="worker", value=5, **extra):
    return {"id": U(), "source": source, "value": value, "confidence": "medium", **extra}


# -- every endpoint: the body as a whole -----------------------------------------------------


for ep_name, ep in ENDPOINTS.items():
    case(ep_name, "body_list", [ep.valid()], field="_schema")
    case(ep_name, "body_null", Raw("null"), field="_schema")
    case(ep_name, "body_string", Raw('"hello"'), field="_schema")
    case(ep_name, "body_number", Raw("5"), field="_schema")
    case(ep_name, "malformed_json", Raw("{bad"), status=400)
    case(ep_name, "truncated_json", Raw('{"reason": "x"'), status=400)
    case(ep_name, "invalid_utf8", Raw(b'{"reason": "\xff\xfe"}'), status=400)
    case(ep_name, "deeply_nested_json", Raw("[" * 100_000), status=400)
    case(ep_name, "text_plain", Raw(json.dumps(ep.valid()), "text/plain"), status={415, 422})
    case(
        ep_name,
        "form_encoded",
        Raw("colour=red", "application/x-www-form-urlencoded"),
        status={415, 422},
    )
    case(ep_name, "unknown_top_level_field", with_(ep_name, colour="red"), field="colour")
    case(ep_name, "over_max_content_length", Raw(json.dumps({"padding": "x" * (MAX_BODY + 1)})), status=413)

# -- POST /citizens and PATCH /citizens/{id} -------------------------------------------------

NATIONAL_IDS = [
    ("cpr_dash", "010190-1234"),
    ("cpr_plain", "0101901234"),
    ("cpr_in_text", "Sag 010190 1234"),
    ("personnummer_long", "19900101-1234"),
    ("personnummer_plus", "900101+1234"),
]
NEVER_STORED = "never stored"


for ep_name in ("citizen_create", "citizen_patch"):
    for label, value in NATIONAL_IDS:
        case(ep_name, f"case_ref_{label}", with_(ep_name, case_ref=value), field="case_ref", msg=NEVER_STORED)
    case(ep_name, "display_name_cpr", with_(ep_name, display_name="Anna 010190-1234"), field="display_name",
         msg=NEVER_STORED)
    case(ep_name, "case_ref_number", with_(ep_name, case_ref=123), field="case_ref")
    case(ep_name, "case_ref_empty", with_(ep_name, case_ref=""), field="case_ref")
    case(ep_name, "case_ref_whitespace", with_(ep_name, case_ref="   "), field="case_ref")
    case(ep_name, "case_ref_null", with_(ep_name, case_ref=None), field="case_ref")
    case(ep_name, "case_ref_33_chars", with_(ep_name, case_ref="A" * (LIMITS["case_ref"] + 1)), field="case_ref")
    case(ep_name, "case_ref_control_char", with_(ep_name, case_ref="A\x00B"), field="case_ref")
    case(ep_name, "case_ref_lone_surrogate", with_(ep_name, case_ref=SURROGATE), status=400)
    case(ep_name, "display_name_121_chars",
         with_(ep_name, display_name="A" * (LIMITS["display_name"] + 1)), field="display_name")
    case(ep_name, "display_name_control_char", with_(ep_name, display_name="Anna\x00"), field="display_name")
    case(ep_name, "display_name_list", with_(ep_name, display_name=["Anna"]), field="display_name")
    case(ep_name, "birth_year_1800", with_(ep_name, birth_year=1800), field="birth_year")
    case(ep_name, "birth_year_next_year", with_(ep_name, birth_year=NEXT_YEAR), field="birth_year")
    case(ep_name, "birth_year_string", with_(ep_name, birth_year="1990"), field="birth_year")
    case(ep_name, "birth_year_float", with_(ep_name, birth_year=1990.5), field="birth_year")
    case(ep_name, "birth_year_bool", with_(ep_name, birth_year=True), field="birth_year")
    case(ep_name, "gender_x", with_(ep_name, gender="x"), field="gender")
    case(ep_name, "goal_retire", with_(ep_name, goal="retire"), field="goal")
    case(ep_name, "goal_number", with_(ep_name, goal=1), field="goal")
    # naming a case owner is a lead's decision: the field's checks are a lead's answers
    case(ep_name, "primary_worker_other_team", with_(ep_name, primary_worker_id="{other}"), field="primary_worker_id",
         user="lead")
    case(ep_name, "primary_worker_no_such_user", with_(ep_name, primary_worker_id=999_999), field="primary_worker_id",
         user="lead")
    case(ep_name, "primary_worker_by_a_worker", with_(ep_name, primary_worker_id="{worker2}"), status=403)
    case(ep_name, "primary_worker_string", with_(ep_name, primary_worker_id="2"), field="primary_worker_id")
    case(ep_name, "primary_worker_huge", with_(ep_name, primary_worker_id=HUGE_INT), field="primary_worker_id")
    case(ep_name, "team_id_field", with_(ep_name, team_id="{team_b}"), field="team_id")

case("citizen_create", "missing_goal", with_("citizen_create", goal=DROP), field="goal")
case("citizen_create", "missing_case_ref", with_("citizen_create", case_ref=DROP), field="case_ref")
case("citizen_create", "empty_object", {}, field="case_ref")
case("citizen_create", "no_body", Raw(None, None), field="case_ref")
case("citizen_create", "status_on_create", with_("citizen_create", status="closed"), field="status")
case("citizen_patch", "status_deleted", {"status": "deleted"}, field="status")
case("citizen_patch", "status_null", {"status": None}, field="status")
case("citizen_patch", "id_field", {"id": 99}, field="id")

case("citizen_patch", "path_id_huge", {"goal": "job"}, status=404, url=f"/api/v1/citizens/{HUGE_INT}")

# -- POST /citizens/{id}/meetings ------------------------------------------------------------

M = "meeting"
case(M, "id_not_uuid", factories.meeting_body(id="not-a-uuid"), field="id")
case(M, "id_number", factories.meeting_body(id=1234), field="id")
case(M, "id_missing", with_(M, id=DROP), field="id")
case(M, "held_on_tomorrow", factories.meeting_body(held_on=TOMORROW), field="held_on")
case(M, "held_on_before_2000", factories.meeting_body(held_on=BEFORE_2000), field="held_on")
for label, value in MALFORMED_DATES:
    case(M, f"held_on_malformed_{label}", factories.meeting_body(held_on=value), field="held_on")
case(M, "held_on_missing", with_(M, held_on=DROP), field="held_on")
case(M, "held_on_null", factories.meeting_body(held_on=None), field="held_on")
case(M, "mode_car", factories.meeting_body(mode="car"), field="mode")
case(M, "mode_missing", with_(M, mode=DROP), field="mode")
case(M, "participants_string", factories.meeting_body(participants="citizen"), field="participants")
case(M, "participants_null", factories.meeting_body(participants=None), field="participants")
case(M, "participants_unknown_kind", factories.meeting_body(participants=["citizen", "boss"]),
     field=("participants", "1"))
case(M, "participants_duplicate", factories.meeting_body(participants=["citizen", "doctor", "citizen"]),
     field="participants")
case(M, "note_4001_chars", factories.meeting_body(note="n" * (LIMITS["note"] + 1)), field="note")
case(M, "note_control_char", factories.meeting_body(note="ok\x00"), field="note")
case(M, "note_number", factories.meeting_body(note=5), field="note")
case(M, "note_lone_surrogate", factories.meeting_body(note=SURROGATE), status=400)
case(M, "expectations_object", factories.meeting_body(expectations={"id": U()}), field="expectations")
case(M, "expectations_string", factories.meeting_body(expectations="worker=7"), field="expectations")
case(M, "expectations_null", factories.meeting_body(expectations=None), field="expectations")
case(M, "expectations_21", factories.meeting_body(
    expectations=[entry("other", 5, source_label=f"label {i}") for i in range(LIMITS["expectations_per_meeting"] + 1)]
), field="expectations")
case(M, "expectation_not_object", factories.meeting_body(expectations=[5]), field=("expectations", "0"))
for label, value in [("11", 11), ("minus_1", -1), ("7_5", 7.5), ("string_7", "7"), ("true", True), ("null", None)]:
    case(M, f"entry_value_{label}", meeting_with_entry(value=value), field=("expectations", "0", "value"))
case(M, "entry_value_missing", meeting_with_entry(value=DROP), field=("expectations", "0", "value"))
case(M, "entry_source_boss", meeting_with_entry(source="boss"), field=("expectations", "0", "source"))
case(M, "entry_source_missing", meeting_with_entry(source=DROP), field=("expectations", "0", "source"))
case(M, "entry_confidence_sure", meeting_with_entry(confidence="sure"), field=("expectations", "0", "confidence"))
case(M, "entry_confidence_missing", meeting_with_entry(confidence=DROP),
     field=("expectations", "0", "confidence"))
case(M, "entry_observed_on_tomorrow", meeting_with_entry(observed_on=TOMORROW),
     field=("expectations", "0", "observed_on"))
case(M, "entry_observed_on_before_2000", meeting_with_entry(observed_on=BEFORE_2000),
     field=("expectations", "0", "observed_on"))
for label, value in MALFORMED_DATES:
    case(M, f"entry_observed_on_malformed_{label}", meeting_with_entry(observed_on=value),
         field=("expectations", "0", "observed_on"))
case(M, "entry_unknown_field", meeting_with_entry(colour="red"), field=("expectations", "0", "colour"))
case(M, "entry_context_field", meeting_with_entry(context="sparring"), field=("expectations", "0", "context"))
case(M, "entry_id_not_uuid", meeting_with_entry(id="not-a-uuid"), field=("expectations", "0", "id"))
case(M, "entry_id_missing", meeting_with_entry(id=DROP), field=("expectations", "0", "id"))
case(M, "entry_basis_2001_chars", meeting_with_entry(basis="b" * (LIMITS["basis"] + 1)),
     field=("expectations", "0", "basis"))
case(M, "entry_source_label_81_chars", meeting_with_entry(source_label="l" * (LIMITS["source_label"] + 1)),
     field=("expectations", "0", "source_label"))
case(M, "entry_basis_control_char", meeting_with_entry(basis="why\x00"), field=("expectations", "0", "basis"))
case(M, "entry_source_label_control_char", meeting_with_entry(source_label="\x07"),
     field=("expectations", "0", "source_label"))
_dup = U()
case(M, "duplicate_expectation_ids",
     factories.meeting_body(expectations=[entry("worker", 7, id=_dup), entry("citizen", 6, id=_dup)]),
     field="expectations")
_mid = U()
case(M, "expectation_id_equals_meeting_id",
     factories.meeting_body(id=_mid, expectations=[entry("worker", 7, id=_mid)]), field="expectations")
case(M, "two_worker_views", factories.meeting_body(expectations=[entry("worker", 7), entry("worker", 3)]),
     field="expectations")
case(M, "same_source_twice", factories.meeting_body(expectations=[entry("citizen", 7), entry("citizen", 3)]),
     field="expectations")
case(M, "entry_observed_after_meeting",
     factories.meeting_body(held_on=YESTERDAY, expectations=[entry("worker", 7, observed_on=TODAY.isoformat())]),
     field="expectations")

# -- POST /citizens/{id}/expectations --------------------------------------------------------

E = "expectation"
for label, value in [("11", 11), ("minus_1", -1), ("7_5", 7.5), ("string_7", "7"), ("true", True), ("null", None)]:
    case(E, f"value_{label}", with_(E, value=value), field="value")
case(E, "value_nan", Raw('{"id": "%s", "source": "citizen", "value": NaN, "confidence": "low"}' % U()),
     field="value")
case(E, "value_missing", with_(E, value=DROP), field="value")
case(E, "source_boss", with_(E, source="boss"), field="source")
case(E, "source_number", with_(E, source=5), field="source")
case(E, "source_missing", with_(E, source=DROP), field="source")
case(E, "confidence_sure", with_(E, confidence="sure"), field="confidence")
case(E, "confidence_missing", with_(E, confidence=DROP), field="confidence")
case(E, "observed_on_tomorrow", with_(E, observed_on=TOMORROW), field="observed_on")
case(E, "observed_on_before_2000", with_(E, observed_on=BEFORE_2000), field="observed_on")
case(E, "observed_on_null", with_(E, observed_on=None), field="observed_on")
for label, value in MALFORMED_DATES:
    case(E, f"observed_on_malformed_{label}", with_(E, observed_on=value), field="observed_on")
case(E, "id_not_uuid", with_(E, id="not-a-uuid"), field="id")
case(E, "id_number", with_(E, id=42), field="id")
case(E, "id_missing", with_(E, id=DROP), field="id")
case(E, "supersedes_not_uuid", with_(E, supersedes="nope"), field="supersedes")
case(E, "supersedes_unknown_entry", with_(E, supersedes=U()), field="supersedes")
case(E, "basis_2001_chars", with_(E, basis="b" * (LIMITS["basis"] + 1)), field="basis")
case(E, "source_label_81_chars", with_(E, source_label="l" * (LIMITS["source_label"] + 1)), field="source_label")
case(E, "basis_control_char", with_(E, basis="a\x00b"), field="basis")
case(E, "source_label_lone_surrogate", with_(E, source_label=SURROGATE), status=400)
case(E, "context_field", with_(E, context="sparring"), field="context")
case(E, "meeting_id_field", with_(E, meeting_id=U()), field="meeting_id")

# -- POST /citizens/{id}/recusals ------------------------------------------------------------

case("recusal", "reason_501_chars", with_("recusal", reason="r" * (LIMITS["reason"] + 1)), field="reason")
case("recusal", "reason_control_char", with_("recusal", reason="a\x00"), field="reason")
case("recusal", "reason_number", with_("recusal", reason=5), field="reason")
case("recusal", "user_id_string", {"user_id": "2"}, field="user_id")
case("recusal", "user_id_bool", {"user_id": True}, field="user_id")
case("recusal", "user_id_float", {"user_id": 2.5}, field="user_id")
case("recusal", "worker_recuses_someone_else", {"user_id": "{worker2}"}, status=403)
case("recusal_lead", "user_in_other_team", {"user_id": "{other}"}, field="user_id")
case("recusal_lead", "user_without_team", {"user_id": "{admin}"}, field="user_id")
case("recusal_lead", "no_such_user", {"user_id": 999_999}, field="user_id")
case("recusal_lead", "user_id_huge", {"user_id": HUGE_INT}, field="user_id")

# -- POST /citizens/{id}/recusals/{rid}/lift -------------------------------------------------

L = "recusal_lift"
case(L, "reason_missing", {}, field="reason")
case(L, "reason_empty", {"reason": ""}, field="reason")
case(L, "reason_whitespace", {"reason": "  \t "}, field="reason")
case(L, "reason_null", {"reason": None}, field="reason")
case(L, "reason_501_chars", {"reason": "r" * (LIMITS["reason"] + 1)}, field="reason")
case(L, "reason_control_char", {"reason": "ok\x1b"}, field="reason")
case(L, "reason_number", {"reason": 1}, field="reason")
case(L, "no_body", Raw(None, None), field="reason")
case(L, "recusal_id_huge", {"reason": "Moved"}, status=404,
     url="/api/v1/citizens/{citizen}/recusals/%d/lift" % HUGE_INT)

# -- POST /citizens/{id}/outcomes ------------------------------------------------------------

O = "outcome"
case(O, "kind_lottery", with_(O, kind="lottery"), field="kind")
case(O, "kind_null", with_(O, kind=None), field="kind")
case(O, "kind_missing", with_(O, kind=DROP), field="kind")
case(O, "observed_on_tomorrow", with_(O, observed_on=TOMORROW), field="observed_on")
case(O, "observed_on_before_2000", with_(O, observed_on=BEFORE_2000), field="observed_on")
for label, value in MALFORMED_DATES:
    case(O, f"observed_on_malformed_{label}", with_(O, observed_on=value), field="observed_on")
case(O, "observed_on_missing", with_(O, observed_on=DROP), field="observed_on")
case(O, "note_4001_chars", with_(O, note="n" * (LIMITS["note"] + 1)), field="note")
case(O, "note_control_char", with_(O, note="\x00"), field="note")
case(O, "note_lone_surrogate", with_(O, note=SURROGATE), status=400)
case(O, "id_not_uuid", with_(O, id="abc"), field="id")
case(O, "id_number", with_(O, id=5), field="id")
case(O, "no_body", Raw(None, None), field="kind")
case(O, "path_id_huge", with_(O), status=404, url=f"/api/v1/citizens/{HUGE_INT}/outcomes")

# -- PATCH /teams/{id} -----------------------------------------------------------------------

T = "team_patch"
for label, value in [("0", 0), ("11", 11), ("string", "5"), ("float", 5.5), ("bool", True), ("null", None),
                     ("huge", HUGE_INT)]:
    case(T, f"gap_threshold_{label}", {"gap_threshold": value}, field="gap_threshold")
case(T, "drop_threshold_0", {"drop_threshold": 0}, field="drop_threshold")
case(T, "drop_threshold_11", {"drop_threshold": 11}, field="drop_threshold")
case(T, "stale_low_days_0", {"stale_low_days": 0}, field="stale_low_days")
case(T, "stale_low_days_3651", {"stale_low_days": 3651}, field="stale_low_days")
case(T, "locale_de", {"locale": "de"}, field="locale")
case(T, "name_not_patchable", {"name": "Renamed"}, field="name")
case(T, "valid_and_invalid_together", {"gap_threshold": 5, "drop_threshold": 0}, field="drop_threshold")

# -- POST /auth/login ------------------------------------------------------------------------

A = "login"
case(A, "password_missing", {"username": "worker"}, field="password")
case(A, "username_number", {"username": 5, "password": factories.PASSWORD}, field="username")
case(A, "username_missing", {"password": factories.PASSWORD}, field="username")
case(A, "password_number", {"username": "worker", "password": 12345}, field="password")
case(A, "password_empty", {"username": "worker", "password": ""}, field="password")
case(A, "password_257_chars", {"username": "worker", "password": "p" * (LIMITS["password"] + 1)}, field="password")
case(A, "username_empty", {"username": "", "password": factories.PASSWORD}, field="username")
case(A, "username_65_chars", {"username": "u" * (LIMITS["username"] + 1), "password": "x"}, field="username")
case(A, "username_control_char", {"username": "work\x00er", "password": "x"}, field="username")
case(A, "empty_object", {}, field="username")
case(A, "no_body", Raw(None, None), field="username")


# -- no body at all where the route reads one: 422, never a silent default -------------------
# (An empty POST to /recusals used to mean "recuse me", an empty PATCH "change nothing".)

for ep_name in ("citizen_patch", "meeting", "expectation", "recusal", "recusal_lead", "team_patch"):
    case(ep_name, "no_body", Raw(None, None), field="_schema", msg="needs a JSON body")


def _params():
    out = []
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


# --- helpers ----------------------------------------------------------------------------------


def snapshot(db):
    """Every row of every table a write could touch (audit_event, login_failure left out)."""
    names = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if r[0] not in IGNORED_TABLES
    ]
    return {name: db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in sorted(names)}


def counts(snap):
    return {name: len(rows) for name, rows in snap.items()}


@pytest.fixture
def ids(world, db):
    """Ids to fill into urls and bodies; includes an active recusal (worker2) for /lift."""
    recusal = factories.recuse(db, world["citizen"], world["worker2"].id, declared_by=world["lead"].id)
    return {
        "citizen": world["citizen"],
        "team": world["team_a"],
        "team_b": world["team_b"],
        "recusal": recusal,
        "other": world["other"].id,
        "worker2": world["worker2"].id,
        "admin": world["admin"].id,
        "worker": world["worker"].id,
    }


@pytest.fixture
def sessions(app, auth):
    return {"worker": auth("worker"), "lead": auth("lead"), "anon": app.test_client()}


def _fill(value, ids):
    """Replace "{name}" placeholders (whole strings only) by ids, recursively."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def send(sessions, ids, c):
    ep = ENDPOINTS[c.endpoint]
    client = sessions[c.user or ep.role]
    url = (c.url or ep.url).format(**ids)
    method = getattr(client, ep.method)
    headers = {"Accept-Language": "en"}
    if isinstance(c.body, Raw):
        kwargs = {}
        if c.body.data is not None:
            kwargs["data"] = c.body.data
        if c.body.content_type is not None:
            kwargs["content_type"] = c.body.content_type
        return method(url, headers=headers, **kwargs)
    return method(url, headers=headers, json=_fill(c.body, ids))


def _at(errors, path):
    node = errors
    for key in path:
        assert isinstance(node, dict) and key in node, f"errors has no {'.'.join(path)}: {errors!r}"
        node = node[key]
    return node


def _messages(node):
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [m for item in node for m in _messages(item)]
    if isinstance(node, dict):
        return [m for item in node.values() for m in _messages(item)]
    return []


def check_refusal(c, response):
    """The problems with *response* to bad case *c*, as a list of strings (empty: all good)."""
    problems = []
    body = response.get_data(as_text=True)
    if response.status_code not in c.status:
        problems.append(f"status {response.status_code}, wanted {sorted(c.status)}: {body[:300]}")
        return problems
    data = response.get_json(silent=True)
    if not isinstance(data, dict):
        return problems + [f"not a JSON object: {body[:300]}"]
    if set(data) != {"code", "message", "errors"}:
        problems.append(f"keys {sorted(data)}, wanted code/message/errors")
    if data.get("code") != _CODES.get(response.status_code):
        problems.append(f"code {data.get('code')!r} for {response.status_code}")
    if not isinstance(data.get("message"), str) or not data["message"].strip():
        problems.append(f"message {data.get('message')!r}")
    errors = data.get("errors")
    if not isinstance(errors, dict):
        return problems + [f"errors is not an object: {errors!r}"]
    if c.field:
        try:
            node = _at(errors, c.field)
        except AssertionError as error:
            return problems + [str(error)]
        texts = _messages(node)
        if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            problems.append(f"errors.{'.'.join(c.field)} holds no message: {node!r}")
        if c.msg and not any(c.msg.lower() in t.lower() for t in texts):
            problems.append(f"errors.{'.'.join(c.field)} does not say {c.msg!r}: {texts!r}")
    return problems


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_valid_base_body_is_accepted(name, sessions, ids, db):
    """The bodies the bad cases are made from are good: each refusal is due to its change."""
    ep = ENDPOINTS[name]
    response = send(sessions, ids, Case(name, "valid", _fill(ep.valid(), ids), frozenset()))
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)


@pytest.mark.parametrize("c", _params())
def test_bad_body_is_refused_without_change(c, sessions, ids, db):
    before = snapshot(db)
    response = send(sessions, ids, c)
    problems = check_refusal(c, response)
    after = snapshot(db)
    assert counts(after) == counts(before), f"row counts changed: {counts(before)} → {counts(after)}"
    assert after == before, "rows changed"
    assert not problems, problems


def test_cpr_message_says_national_ids_are_not_stored(sessions, ids):
    response = sessions["worker"].post(
        "/api/v1/citizens", json={"case_ref": "010190-1234", "goal": "job"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    (message,) = response.json["errors"]["case_ref"]
    assert "National ID numbers" in message and "never stored" in message


BLANK_OPTIONAL_TEXT = [
    ("citizen_create", "display_name", lambda: {"case_ref": "NEW-2", "goal": "job", "display_name": ""}),
    ("citizen_create", "display_name_whitespace", lambda: {"case_ref": "NEW-3", "goal": "job", "display_name": "  "}),
    ("citizen_patch", "display_name", lambda: {"display_name": ""}),
    ("meeting", "note", lambda: factories.meeting_body(note="")),
    ("meeting", "entry_basis", lambda: meeting_with_entry(basis=" ")),
    ("expectation", "basis", lambda: with_("expectation", basis="")),
    ("expectation", "source_label", lambda: with_("expectation", source_label="")),
    ("outcome", "note", lambda: with_("outcome", note="")),
    ("recusal", "reason", lambda: {"reason": ""}),
]


@pytest.mark.parametrize(
    "endpoint, what, make", BLANK_OPTIONAL_TEXT, ids=[f"{e}-{w}" for e, w, _ in BLANK_OPTIONAL_TEXT]
)
def test_blank_optional_text_is_stored_as_null(endpoint, what, make, sessions, ids):
    """schemas.Text: "blank optional text becomes null". Not bad input, but the same path."""
    response = send(sessions, ids, Case(endpoint, what, make(), frozenset()))
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)[:300]


def test_no_bad_body_is_ever_answered_with_5xx(sessions, ids, db):
    """The whole table in one loop, so that a failure lists every 5xx at once.

    A case that wrongly stores something (a known bug) would change what later cases see,
    so the database is put back to its starting state after any case that changed it.
    """
    pristine = sqlite3.connect(":memory:")
    db.conn.backup(pristine)
    start = snapshot(db)
    by_status = {}
    offenders = []
    for c in CASES:
        response = send(sessions, ids, c)
        by_status.setdefault(response.status_code, []).append(c.id)
        if response.status_code >= 500:
            offenders.append(f"{c.id}: {response.status_code} {response.get_data(as_text=True)[:120]}")
        if snapshot(db) != start:
            pristine.backup(db.conn)
    summary = {status: len(cases) for status, cases in sorted(by_status.items())}
    assert not offenders, f"{len(offenders)} of {len(CASES)} bad bodies got a 5xx (statuses: {summary}):\n" + "\n".join(
        offenders
    )
