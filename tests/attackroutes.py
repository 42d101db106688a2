"""Every route of the app as the attack suites send it: which objects its URL (or body) takes,
who may see each object, and a valid-looking body for each unsafe method.

The suites walk `app.url_map`, so a new route is picked up by itself; it then needs an entry
here (its object kind from its URL arguments, a body if it takes one) or the suites fail and
say so. Public routes are listed in PUBLIC with the reason they are public.
"""
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from journal import clock, exportjobs
from journal.access import declared_roles

from . import factories
from .conftest import Session
from .attackworld import MISSING, MISSING_EXPORT, ROLES, may_see_citizen, restore, snapshot

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

#: Routes anyone may use, and why that is right. They are still sent by every role.
PUBLIC = {
    "static": "the app's CSS, scripts and icons",
    "api-docs.openapi_json": "the API's description; no data",
    "api_auth.login": "logging in (CSRF-exempt: there is no session to protect yet)",
    "web.login": "the login form",
    "web.index": "the start page; sends a logged-in user on to their own pages",
    "web.healthz": "liveness for the proxy",
    "web.language": "the language picker, before and after login",
    "web.lexicon": "the language mirror's word lists; no case data",
    "web.manifest": "the PWA manifest",
    "web.service_worker": "the PWA's service worker",
    "web.offline_list": "the offline shell; fills itself from the phone, holds no data",
    "web.offline_meeting": "the offline meeting form; holds no data",
}

#: URL arguments → the kind of object the route takes.
KINDS = {
    frozenset(): "none",
    frozenset({"citizen_id"}): "citizen",
    frozenset({"citizen_id", "recusal_id"}): "recusal",
    frozenset({"request_id"}): "request",
    frozenset({"session_id"}): "session",
    frozenset({"session_id", "case_id"}): "case",
    frozenset({"action_id"}): "action",
    frozenset({"team_id"}): "team",
    frozenset({"user_id"}): "user",
    frozenset({"export_id"}): "export",
    frozenset({"filename"}): "static",
}

#: Routes whose object is named in the body or the query rather than the URL.
NAMED_KINDS = {
    "api_citizens.list_citizens": "citizen",
    "web.citizens": "citizen",
    "api_sync.sync_batch": "citizen",
    "api_sparring.create_request": "citizen",
    "api_sparring.create_session": "request",
    "web.start_session": "request",
    "api_exports.create_export": "study",
    "web.research_export": "study",
}


@dataclass
class Obj:
    """One object a route can be asked about; `key` "missing" is an id no object has."""

    kind: str
    key: str
    args: dict = field(default_factory=dict)  # URL arguments
    citizen: str | None = None  # whose case data it is (attackworld citizen key)
    team: str | None = None  # "A" / "B"
    ref: dict = field(default_factory=dict)  # ids and names bodies refer to


def objects(world, kind):
    """The objects of *kind* in the world, then the missing one."""
    w = world
    member = {"A": w.users["colleague"].id, "B": w.users["other_worker"].id}
    team_of = {"own": "A", "recused": "A", "closed": "A", "other": "B"}
    found = []
    if kind in ("none",):
        return [Obj("none", "none")]
    if kind == "static":
        return [Obj("static", "app.css", {"filename": "app.css"})]
    for key in ("own", "recused", "closed", "other"):
        if key == "closed" and kind != "citizen":
            continue  # its requests, recusals and sessions would add nothing the others do not
        team = team_of[key]
        cid = w.citizens[key]["id"]
        common = dict(citizen=key, team=team)
        if kind == "citizen":
            ref = {"citizen_id": cid, "member_id": member[team], "q": w.citizens[key]["case_ref"]}
            found.append(Obj(kind, key, {"citizen_id": cid}, ref=ref, **common))
        elif kind == "recusal" and w.recusals[key]:
            found.append(Obj(kind, key, {"citizen_id": cid, "recusal_id": w.recusals[key]}, **common))
        elif kind == "request":
            found.append(Obj(kind, key, {"request_id": w.requests[key]}, ref={"request_id": w.requests[key]}, **common))
        elif kind == "case":
            session_id, case_id = w.cases[key]
            found.append(Obj(kind, key, {"session_id": session_id, "case_id": case_id}, ref={"member_id": member[team]}, **common))
        elif kind == "action":
            found.append(Obj(kind, key, {"action_id": w.actions[key]}, **common))
    if kind == "session":
        for team, key in (("A", "own"), ("B", "other")):
            found.append(Obj(kind, team, {"session_id": w.sessions[team]}, team=team, ref={"case_id": w.cases[key][1]}))
    if kind == "team":
        found += [Obj(kind, team, {"team_id": w.teams[team]}, team=team) for team in ("A", "B")]
    if kind == "user":
        found.append(Obj(kind, "colleague", {"user_id": w.users["colleague"].id}, team="A"))
    if kind == "export":
        found += [Obj(kind, key, {"export_id": w.exports[key]}) for key in ("mine", "foreign")]
    if kind == "study":
        found += [Obj(kind, key, ref={"study": w.studies[key]}) for key in ("mine", "foreign")]
    if not found:
        raise KeyError(f"no objects of kind {kind!r}")
    missing_args = {name: (MISSING_EXPORT if name == "export_id" else MISSING) for name in found[0].args}
    missing_ref = {name: MISSING for name in ("citizen_id", "request_id", "case_id", "member_id")}
    missing_ref["study"] = "Study that does not exist"
    missing_ref["q"] = "QZMISSING-0000"
    found.append(Obj(kind, "missing", missing_args, ref=missing_ref))
    return found


def may_see(world, role, obj):
    """Whether *role* may see *obj* by the object rules (team, recusal, session membership,
    study): DESIGN.md "Users and roles", "Recusal", journal/access.py."""
    user = world.user(role)
    if obj.key == "missing":
        return False
    if obj.kind in ("none", "static"):
        return True
    if user is None:
        return False
    if obj.kind in ("citizen", "recusal", "request", "action"):
        return may_see_citizen(world, role, obj.citizen)
    if obj.kind == "session":
        return user.id in world.session_members[obj.team]
    if obj.kind == "case":
        session_id = obj.args["session_id"]
        team = next(t for t, s in world.sessions.items() if s == session_id)
        return user.id in world.session_members[team] and may_see_citizen(world, role, obj.citizen)
    if obj.kind == "team":
        return user.role == "admin" or (user.role in ("worker", "lead") and user.team_id == world.teams[obj.team])
    if obj.kind == "user":
        return user.role == "admin"
    if obj.kind in ("export", "study"):
        return user.role == "researcher" and obj.key == "mine"
    raise KeyError(obj.kind)


def role_allowed(app, rule, role, world):
    """Whether the route's declaration (@allow / @public) lets *role* in at all."""
    declared, roles = declared_roles(app.view_functions[rule.endpoint])
    if rule.endpoint in PUBLIC or roles is None:
        return True
    user = world.user(role)
    return declared and user is not None and user.role in roles


# --- bodies -------------------------------------------------------------------------------

NS = uuid.UUID("6f1c1c2e-0d7a-4d59-9a51-6a1b2c3d4e5f")


def fixed_uuid(*parts):
    """The same UUID for the same request, so that an object and the missing one get the same body."""
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def _meeting(tag):
    body = factories.meeting_body(id=fixed_uuid(tag, "meeting"))
    for index, entry in enumerate(body["expectations"]):
        entry["id"] = fixed_uuid(tag, "expectation", index)
    return body


def _today():
    return clock.today().isoformat()


#: endpoint → (world, obj) → the JSON body (API) or form fields (web) of its unsafe method.
BODIES = {
    # API
    "api_auth.login": lambda w, o: {"username": "nobody-here", "password": "wrong-password-1"},
    "api_auth.confirm": lambda w, o: {"password": factories.PASSWORD},
    "api_auth.logout": lambda w, o: None,
    "api_auth.change_password": lambda w, o: {"current_password": factories.PASSWORD, "new_password": "tusindfryd cykler langsomt hjem"},
    "api_citizens.create_citizen": lambda w, o: {"case_ref": "NEW-ATK-1", "goal": "job"},
    "api_citizens.patch_citizen": lambda w, o: {"display_name": "Renamed by attack"},
    "api_citizens.create_meeting": lambda w, o: _meeting("api"),
    "api_citizens.add_expectation": lambda w, o: {"id": fixed_uuid("expectation"), "source": "doctor", "value": 3, "confidence": "low"},
    "api_citizens.declare_recusal": lambda w, o: {"reason": "Neighbour"},
    "api_citizens.lift_recusal": lambda w, o: {"reason": "Moved away"},
    "api_citizens.record_outcome": lambda w, o: {"id": fixed_uuid("outcome"), "kind": "job", "observed_on": _today()},
    "api_teams.patch_team": lambda w, o: {"gap_threshold": 3},
    "api_sync.sync_batch": lambda w, o: {"items": [{"op": "create_meeting", "citizen_id": o.ref["citizen_id"], "data": _meeting("sync")}]},
    "api_sparring.create_request": lambda w, o: {"citizen_id": o.ref["citizen_id"], "question": "Can we talk about it?"},
    "api_sparring.dismiss_request": lambda w, o: {"status": "dismissed", "reason": "Handled already"},
    "api_sparring.create_session": lambda w, o: {"participant_ids": [], "request_ids": [o.ref["request_id"]]},
    "api_sparring.patch_session": lambda w, o: {"case_id": o.ref["case_id"], "advance": True},
    "api_sparring.rate": lambda w, o: {"case_id": o.ref["case_id"], "value": 5},
    "api_sparring.revise": lambda w, o: {"id": fixed_uuid("revision"), "value": 6},
    "api_sparring.add_action": lambda w, o: {"text": "Call the employer", "owner_id": o.ref["member_id"]},
    "api_sparring.patch_action": lambda w, o: {"done": True},
    "api_exports.create_export": lambda w, o: {"study": o.ref["study"], "k": 5},
    # web forms
    "web.confirm_password": lambda w, o: {"password": factories.PASSWORD},
    "web.logout": lambda w, o: {},
    "web.change_password": lambda w, o: {"current_password": factories.PASSWORD, "new_password": "tusindfryd cykler langsomt hjem"},
    "web.language": lambda w, o: {"locale": "en", "next": "/"},
    "web.login": lambda w, o: {"username": "nobody-here", "password": "wrong-password-1"},
    "web.new_citizen": lambda w, o: {"case_ref": "NEW-ATK-2", "goal": "job", "gender": "unknown"},
    "web.edit_citizen": lambda w, o: {"display_name": "Renamed by attack", "gender": "female", "goal": "job"},
    "web.close_citizen": lambda w, o: {"reason": "moved", "closed_on": _today()},
    "web.reopen_citizen": lambda w, o: {},
    "web.log_meeting": lambda w, o: {
        "id": fixed_uuid("web-meeting"), "held_on": _today(), "mode": "in_person", "participants": "citizen",
        "own_id": fixed_uuid("web-own"), "own_value": "7", "own_confidence": "medium",
    },
    "web.record_outcome": lambda w, o: {"id": fixed_uuid("web-outcome"), "kind": "job", "observed_on": _today()},
    "web.reassign_owner": lambda w, o: {"primary_worker_id": str(o.ref["member_id"])},
    "web.declare_recusal": lambda w, o: {"reason": "Neighbour"},
    "web.lift_recusal": lambda w, o: {"reason": "Moved away"},
    "web.request_sparring": lambda w, o: {"question": "Can we talk about it?"},
    "web.start_session": lambda w, o: {"request_ids": str(o.ref["request_id"])},
    "web.dismiss_request": lambda w, o: {"reason": "Handled already"},
    "web.advance_case": lambda w, o: {"case_id": str(o.ref["case_id"])},
    "web.rate_case": lambda w, o: {"case_id": str(o.ref["case_id"]), "value": "5"},
    "web.case_notes": lambda w, o: {"case_id": str(o.ref["case_id"]), "present": "A note"},
    "web.revise_case": lambda w, o: {"id": fixed_uuid("web-revision"), f"value-{o.args['case_id']}": "6"},
    "web.add_case_action": lambda w, o: {"text": "Call the employer", "owner_id": str(o.ref["member_id"])},
    "web.action_done": lambda w, o: {"done": "1"},
    "web.team_settings_page": lambda w, o: {"gap_threshold": "3"},
    "web.research_export": lambda w, o: {"study": o.ref["study"], "k": "5"},
    "web.admin_user_new": lambda w, o: {
        "username": "made-by-attack", "display_name": "Made", "role": "worker", "team_id": str(w.teams["A"]),
        "password": "blaa kaffe sejler langsomt",
    },
    "web.admin_user_role": lambda w, o: {"role": "lead", "team_id": str(w.teams["A"])},
    "web.admin_user_password": lambda w, o: {"password": "blaa kaffe sejler langsomt"},
    "web.admin_user_deactivate": lambda w, o: {},
    "web.admin_user_reactivate": lambda w, o: {},
    "web.admin_teams": lambda w, o: {"name": "Team Made", "municipality": "Odder", "locale": "da"},
    "web.admin_team": lambda w, o: {"gap_threshold": "3"},
    "web.admin_studies": lambda w, o: {"name": "Study made", "teams": "Team Alfa"},
}


def kind_of(rule):
    """The object kind a rule takes (from its URL arguments, or its body); KeyError if unknown."""
    kind = KINDS[frozenset(rule.arguments)]
    return NAMED_KINDS.get(rule.endpoint, kind) if kind == "none" else kind


def methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def url_for_rule(app, rule, obj):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: v for k, v in obj.args.items() if k in rule.arguments})


def is_api(rule):
    return rule.rule.startswith("/api/")


#: endpoint → (world, obj) → the query string of a GET that names its object there (a search).
QUERIES = {
    "api_citizens.list_citizens": lambda w, o: {"q": o.ref["q"], "status": "all"},
    "web.citizens": lambda w, o: {"q": o.ref["q"], "scope": "team"},
}


def request_kwargs(world, rule, method, obj, csrf, body=None):
    """Keyword arguments for the test client: the body (*body*, or the one in BODIES) and the
    CSRF token (none if *csrf* is None) as a client sends them."""
    if method not in UNSAFE:
        query = QUERIES.get(rule.endpoint)
        return {"query_string": query(world, obj)} if query else {}
    body = BODIES[rule.endpoint](world, obj) if body is None else body
    if is_api(rule):
        kwargs = {"json": body} if body is not None else {}
        if csrf:
            kwargs["headers"] = {"X-CSRFToken": csrf}
        return kwargs
    form = dict(body)
    if csrf:
        form["csrf_token"] = csrf
    return {"data": form}


# --- comparing answers --------------------------------------------------------------------

_TOKEN = re.compile(r'(name="csrf_token" value="|data-csrf=")[^"]*"')


def sent_texts(rule, obj, url):
    """What the request itself said (its URL, a search term): not news to the one who asked."""
    texts = [url, quote(url, safe=""), quote(url, safe="/")]
    if rule.endpoint in QUERIES:
        texts.append(obj.ref["q"])
    return texts


def normalised(response, texts):
    """(status, content type, location, body) with the things that differ between two
    identical answers taken out: CSRF tokens (signed with a timestamp) and what was asked."""
    body = response.get_data().decode("utf-8", "replace")  # a PDF or a zip too
    location = response.headers.get("Location", "")
    for text in texts:
        body = body.replace(text, "<URL>")
        location = location.replace(text, "<URL>")
    return response.status_code, response.mimetype, location, _TOKEN.sub(r"\1<TOKEN>", body)


# --- sending ------------------------------------------------------------------------------


def log_in_everyone(app, world):
    """role → (test client, session cookie, CSRF token); anonymous has a session too (from the
    login page), which holds the CSRF token a login form is sent with."""
    logged_in = {}
    for role in ROLES:
        client = app.test_client()
        user = world.user(role)
        if user is None:
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        else:
            session = Session(client, user)
            session.quick_login()
            csrf = session.csrf
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        logged_in[role] = (client, cookie.value, csrf)
    return logged_in


SESSION_TOKEN = object()  # Sender.send: the role's own CSRF token


class Sender:
    """Sends one request as one role, each meeting the world as built: the role's own session
    cookie goes with every request (so a logout or a flash message does not carry over), and
    whatever the request changed in the database is put back afterwards.

    `send` answers (URL, response, changed): *changed* is whether the request committed
    anything to the database (SQLite's data_version, as seen from the test's connection).
    """

    def __init__(self, app, db, world):
        self.app, self.db, self.world = app, db, world
        self.pristine = snapshot(db)
        self.logged_in = log_in_everyone(app, world)
        self.sent = 0

    def token(self, role):
        return self.logged_in[role][2]

    def send(self, role, rule, method, obj, token=SESSION_TOKEN, body=None):
        client, cookie, own_token = self.logged_in[role]
        client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], cookie)
        url = url_for_rule(self.app, rule, obj)
        kwargs = request_kwargs(self.world, rule, method, obj, own_token if token is SESSION_TOKEN else token, body)
        before = self._version()
        response = getattr(client, method.lower())(url, **kwargs)
        response.get_data()  # read it all (a file is streamed), then let the file go
        response.close()
        exportjobs.runner(self.app).wait(30)  # an export started by the request writes in a thread
        changed = self._version() != before
        self.sent += 1
        if changed:
            restore(self.pristine, self.db)
        return url, response, changed

    def _version(self):
        return self.db.execute("PRAGMA data_version").fetchone()[0]
