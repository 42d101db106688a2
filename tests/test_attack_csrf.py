"""Attack suite 3: CSRF on every unsafe route, generated from app.url_map.

For every POST/PUT/PATCH/DELETE route the suite first finds a user who may do it: a role and
an object for which the request, sent with the session's CSRF token, goes through (2xx/3xx).
Then the same request as the same user without a token, with a token that is not one, and
with a real token of another session must each be refused — 400 `csrf_failed`, in the
`{code, message, errors}` shape on /api — and must change nothing in the database.

CSRF is on as in production (the app fixture does not turn it off; the test checks that).
The one route exempt from CSRF, the JSON login, is named in EXEMPT with its reason; a new
exemption fails the suite.
"""
from journal.access import UNSAFE

from . import attackroutes as routes
from . import attackworld, factories
from .attackworld import ROLES

#: Routes that take no CSRF token, and why.
EXEMPT = {"api_auth.login": "logging in: there is no session yet whose token could be sent"}

#: Bodies that differ from the matrix's for the route to go through once (the control).
CONTROL_BODIES = {"web.login": lambda w: {"username": w.users["owner"].username, "password": factories.PASSWORD}}


def test_every_unsafe_route_refuses_a_request_without_its_csrf_token(app, db, figures):
    assert app.config["WTF_CSRF_ENABLED"] is True, "CSRF must be enforced here as in production"
    world = attackworld.build(app, db)
    sender = routes.Sender(app, db, world)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    exempt = {r.endpoint for r in rules if getattr(app.view_functions[r.endpoint], "_journal_csrf_exempt", False)}
    assert exempt == set(EXEMPT), f"CSRF-exempt routes: {sorted(exempt)}; only these may be: {EXEMPT}"

    unsafe = [(rule, method) for rule in rules for method in routes.methods(rule) if method in UNSAFE]
    problems, refused = [], 0
    for rule, method in unsafe:
        if rule.endpoint in EXEMPT:
            continue
        body = CONTROL_BODIES[rule.endpoint](world) if rule.endpoint in CONTROL_BODIES else None
        with factories.known_password_hashes():
            control = _who_may(app, sender, world, rule, method, body)
        if control is None:
            problems.append(f"{method} {rule.rule}: no role gets it through with its token, so the suite cannot show what CSRF refuses")
            continue
        role, obj = control
        # the wrong tokens: none, one that is not a token, a real one of another session
        others = [r for r in ROLES if r != role]
        wrong = {"no token": None, "not a token": "not-a-csrf-token", "another session's token": sender.token(others[0])}
        failures = []
        for name, token in wrong.items():
            with factories.known_password_hashes():
                url, response, changed = sender.send(role, rule, method, obj, token=token, body=body)
            failures += [f"{name}: {problem}" for problem in _refusal_problems(rule, response, changed)]
        if failures:
            problems.append(f"{role} {method} {url}: " + "; ".join(failures))
        else:
            refused += 1

    routes_checked = len(unsafe) - len(EXEMPT)
    figures(
        f"CSRF: {routes_checked} unsafe routes, {refused} refused (each without a token, with a wrong "
        f"one and with another session's), {len(EXEMPT)} exempt ({', '.join(sorted(EXEMPT))})"
    )
    assert not problems, "\n".join(problems)


def _who_may(app, sender, world, rule, method, body):
    """A (role, object) whose request goes through with the session's CSRF token, or None."""
    for role in ROLES:
        if not routes.role_allowed(app, rule, role, world):
            continue
        for obj in routes.objects(world, routes.kind_of(rule)):
            if not routes.may_see(world, role, obj):
                continue
            _, response, _ = sender.send(role, rule, method, obj, body=body)
            if response.status_code < 400:
                return role, obj
    return None


def _refusal_problems(rule, response, changed):
    problems = []
    if response.status_code != 400:
        problems.append(f"answered {response.status_code}, not 400")
    elif rule.rule.startswith("/api/"):
        body = response.get_json(silent=True) or {}
        if set(body) != {"code", "message", "errors"} or body.get("code") != "csrf_failed":
            problems.append(f"answered {response.get_data(as_text=True)[:200]!r}, not the csrf_failed error")
    if changed:
        problems.append("the database changed")
    return problems
