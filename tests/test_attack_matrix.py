"""Attack suite 2: every role × every route × every object, generated from app.url_map.

Nine roles (tests/attackworld.py ROLES: anonymous, a worker of the team, the case owner, a
recused worker, a worker and a lead of the other team, the lead, an admin, a researcher) ask
every route of the app — HTML pages and the JSON API — about every object of the kind the
route takes (own team's, the other team's, recused; sparring requests, sessions, cases,
actions, teams, users, studies, exports) and about an id no object has. GET for reads; for
unsafe methods a valid-looking body with a valid CSRF token (tests/attackroutes.py).

A user who may not see an object must get exactly the answer an id without an object gets
(same status, content type, redirect and body, once CSRF tokens and the asked URL are taken
out), a role the route does not admit gets 401/403 (or, on a page, the way to the login),
no answer of any role holds the case ref, name, notes or other text of a citizen that role
may not see (nor, for workers and leads, a link to or the id of one), nothing answers 5xx,
and a refused request changes nothing in the database.

Each request meets the world as built: whatever an allowed write changed is put back
before the next one (attackroutes.Sender).
"""
import json
import re

from journal.access import declared_roles

from . import attackroutes as routes
from . import attackworld
from .attackworld import ROLES, may_see_citizen

TEXT_TYPES = ("text/", "application/json", "application/manifest+json", "application/javascript")
#: Routes no request of the matrix gets through, and why that still tests them.
NEVER_SUCCEEDS = {
    "api_auth.login": "the body logs in as no one: a real login would replace the role's session",
    "web.login": "the same, on the login page",
}
CITIZEN_LINK = re.compile(r"/citizens/(\d+)(?!\d)")


def forbidden_for(world, role):
    """(strings, citizen ids) of the citizens *role* may not see. The ids count for workers
    and leads only: an admin's audit log names citizens by id, by design."""
    keys = [k for k in world.citizens if not may_see_citizen(world, role, k)]
    strings = [text for k in keys for text in world.secrets[k].values()]
    user = world.user(role)
    works_cases = user is not None and user.role in ("worker", "lead")
    return strings, {world.citizens[k]["id"] for k in keys} if works_cases else set()


def _json_citizen_ids(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "citizen_id" and isinstance(inner, int):
                yield inner
            yield from _json_citizen_ids(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _json_citizen_ids(inner)


def leaks_in(response, sent, strings, ids):
    """What of a forbidden citizen the answer holds (what the request said does not count)."""
    if not response.mimetype.startswith(TEXT_TYPES) and response.mimetype != "text/csv":
        return []
    raw = text = response.get_data(as_text=True)
    for said in sent:
        text = text.replace(said, "")
    found = [s for s in strings if s in text]
    if ids:
        found += [f"link to citizen {m}" for m in CITIZEN_LINK.findall(text) if int(m) in ids]
        if response.mimetype == "application/json" and raw.strip():
            found += [f"citizen_id {i}" for i in _json_citizen_ids(json.loads(raw)) if i in ids]
    return found


def _error_shape(response):
    body = response.get_json(silent=True)
    return isinstance(body, dict) and set(body) == {"code", "message", "errors"}


def is_login_redirect(response):
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_role_gets_only_what_it_may_on_every_route_and_object(app, db, figures):
    world = attackworld.build(app, db)
    sender = routes.Sender(app, db, world)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    leaks = {}  # request → what is wrong with its answer

    # every route is one the suite can send, and every public one says why it is public
    unknown = [r.rule for r in rules if frozenset(r.arguments) not in routes.KINDS]
    no_body = [f"{m} {r.rule}" for r in rules for m in routes.methods(r) if m in routes.UNSAFE and r.endpoint not in routes.BODIES]
    public = {r.endpoint for r in rules if declared_roles(app.view_functions[r.endpoint])[1] is None}
    assert not unknown, f"routes with URL arguments the suite does not know (add them to attackroutes.KINDS): {unknown}"
    assert not no_body, f"unsafe routes without a body in attackroutes.BODIES: {no_body}"
    assert public == set(routes.PUBLIC), (
        f"public routes without a reason in attackroutes.PUBLIC: {sorted(public - set(routes.PUBLIC))}; "
        f"listed there but not public: {sorted(set(routes.PUBLIC) - public)}"
    )

    exercised, succeeded, refused = set(), set(), 0
    for rule in rules:
        kind = routes.kind_of(rule)
        objects = routes.objects(world, kind)
        for method in routes.methods(rule):
            for role in ROLES:
                strings, ids = forbidden_for(world, role)
                allowed_role = routes.role_allowed(app, rule, role, world)
                reference = None
                for obj in reversed(objects):  # the missing object first: the reference
                    url, response, changed = sender.send(role, rule, method, obj)
                    exercised.add((rule.rule, rule.endpoint))
                    said = routes.sent_texts(rule, obj, url)
                    found = [f"answer holds {leak!r}" for leak in leaks_in(response, said, strings, ids)]
                    if response.status_code >= 500:
                        found.append(f"answers {response.status_code}")
                    answer = routes.normalised(response, said)
                    if obj.key == "missing":
                        reference = answer
                    if allowed_role and routes.may_see(world, role, obj):
                        if response.status_code < 400:
                            succeeded.add((rule.endpoint, method))
                    else:
                        refused += 1
                        if changed:
                            found.append(f"refused ({response.status_code}), yet the database changed")
                        if not allowed_role and not (response.status_code in (401, 403) or is_login_redirect(response)):
                            found.append(f"the role is not admitted, yet {response.status_code}")
                        if routes.is_api(rule) and response.status_code >= 400 and not _error_shape(response):
                            found.append(f"answers {response.status_code} {response.get_data(as_text=True)[:200]!r}, not an error")
                        if reference is not None and answer != reference:
                            found.append(
                                f"answers {answer[:3]} {answer[3][:200]!r}, "
                                f"not as for a missing id: {reference[:3]} {reference[3][:200]!r}"
                            )
                    if found:
                        leaks[f"{role} {method} {url} ({kind} {obj.key})"] = found

    # a request that no role gets through would let every refusal hide behind the same error
    never = {f"{m} {r.rule}" for r in rules for m in routes.methods(r) if (r.endpoint, m) not in succeeded and r.endpoint not in NEVER_SUCCEEDS}
    assert not never, f"no role got these through (is the body in attackroutes.BODIES valid?): {sorted(never)}"
    assert exercised == {(r.rule, r.endpoint) for r in rules}
    figures(
        f"access matrix: {sender.sent:,} requests over {len(rules)} rules × {len(ROLES)} roles "
        f"({refused:,} of them refused), {len(leaks)} leaks"
    )
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(f"{where}: {'; '.join(found)}" for where, found in list(leaks.items())[:60])
