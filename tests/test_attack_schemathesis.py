"""Attack suite 1: schemathesis over the OpenAPI document, as a logged-in lead and worker.

Every operation of /api/v1/openapi.json gets generated requests — valid ones and invalid
ones — against a database holding the attack world (tests/attackworld.py); half of the path
ids and id fields are swapped for ids of real objects (own team's, another team's, recused),
so that requests reach the code behind the access checks, not only the 404s. Every response
must be a non-5xx that matches the document: a documented status (a success status named
for the operation, or an error in the `{code, message, errors}` shape), the documented
content type, headers and body schema.

Deterministic: a fixed hypothesis seed, no example database, bounded examples per operation.
docs/security-tests.md says how to run it alone.
"""
import re

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from . import attackroutes as routes
from . import attackworld
from .attackworld import restore, snapshot
from .conftest import Session

SEED = 20260113
#: Generated examples per operation and generation mode (valid, invalid): with the matrix's
#: valid requests, ~900 requests per role, the file in ~40 s on two cores.
EXAMPLES = 12
OPENAPI = "/api/v1/openapi.json"
USER_AGENT = "attack-suite"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def openapi_path(rule):
    """/api/v1/citizens/<int:citizen_id> → /api/v1/citizens/{citizen_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def real_ids(world):
    """Path parameter or body field → ids of real objects, of every kind of access."""
    cases = list(world.cases.values())
    return {
        "citizen_id": [c["id"] for c in world.citizens.values()],
        "recusal_id": [r for r in world.recusals.values() if r],
        "request_id": list(world.requests.values()),
        "session_id": list(world.sessions.values()),
        "case_id": [case for _, case in cases],
        "action_id": list(world.actions.values()),
        "team_id": list(world.teams.values()),
        "export_id": list(world.exports.values()),
        "user_id": [u.id for u in world.users.values()],
        "owner_id": [u.id for u in world.users.values()],
    }


def documented_status(ctx, response, case):
    """A success status must be named for the operation (not only covered by `default`), and
    anything under `default` must be an error: status ≥ 400."""
    documented = case.operation.definition.raw["responses"]
    status = response.status_code
    if str(status) not in documented and status < 400:
        raise AssertionError(f"{status} is not documented for {case.operation.label} (documented: {sorted(documented)})")
    return True


@pytest.mark.parametrize("role", ["lead", "case_owner"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(app, db, figures, role):
    world = attackworld.build(app, db)
    pristine = snapshot(db)
    client = app.test_client()
    # one User-Agent for the login and the generated requests: Flask-Login's session
    # protection marks a session stale when the browser seems to change
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    login = Session(client, world.user(role))
    login.quick_login()
    state = {"logged_in": True}

    schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
    # the session cookie is ours: the generated requests must not replace it with random ones
    schema.config.generation.update(with_security_parameters=False)
    ids = real_ids(world)
    stats = {"requests": 0, "server_errors": 0, "violations": 0}
    problems = []

    def swap_ids(case, data):
        for name in list(case.path_parameters or {}):
            if name in ids and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(ids[name]))
        if isinstance(case.body, dict):
            for name in list(case.body):
                if name in ids and data.draw(st.booleans()):
                    case.body[name] = data.draw(st.sampled_from(ids[name]))

    def as_built():
        """Every request meets the world as built: none recuses the user, logs them out or
        closes a case for the ones after it."""
        restore(pristine, db)
        if not state["logged_in"]:
            login.quick_login()
            state["logged_in"] = True

    def send(case, label):
        stats["requests"] += 1
        headers = {"X-CSRFToken": login.csrf, "User-Agent": USER_AGENT}
        try:
            response = case.call(session=client, headers=headers)
        except Exception as error:  # the test client re-raises what production answers with a 500
            stats["server_errors"] += 1
            problems.append(f"{label}: 500 {error!r}\n{''.join(getattr(error, '__notes__', []))}")
            state["logged_in"] = False
            return None
        if response.status_code >= 500:
            stats["server_errors"] += 1
            problems.append(f"{label}: {response.status_code} {response.text[:500]}")
            return response
        try:
            case.validate_response(response, checks=CHECKS, additional_checks=[documented_status])
        except schemathesis.errors.FailureGroup as failure:  # every check that failed
            stats["violations"] += 1
            problems.append(f"{label}: {failure}")
        if case.operation.path.startswith("/api/v1/auth/"):  # logged out, or in as no one?
            state["logged_in"] = client.get("/api/v1/me").status_code == 200
        return response

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, [op.label for op in operations]
    rules = {(m, openapi_path(r)): r for r in app.url_map.iter_rules() for m in routes.methods(r)}
    for operation in operations:
        # first the requests the access matrix sends — valid bodies, every object (so the
        # success answers are checked too, which generated bodies seldom reach) ...
        rule = rules[(operation.method.upper(), operation.path)]
        for obj in routes.objects(world, routes.kind_of(rule)):
            as_built()
            kwargs = routes.request_kwargs(world, rule, operation.method.upper(), obj, None)
            case = operation.Case(
                path_parameters={k: v for k, v in obj.args.items() if k in rule.arguments},
                query=kwargs.get("query_string"),
                **({"body": kwargs["json"], "media_type": "application/json"} if "json" in kwargs else {}),
            )
            send(case, f"{operation.label} [valid, {obj.kind} {obj.key}]")
        # ... then generated ones, valid and invalid
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.seed(SEED)
            @hypothesis.settings(
                max_examples=EXAMPLES,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def attack(case, data):
                as_built()
                swap_ids(case, data)
                send(case, f"{operation.label} [{mode.value}]")

            try:
                attack()
            except hypothesis.errors.Unsatisfiable:
                # nothing of this operation can be made invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label

    figures(
        f"schemathesis ({role}): {stats['requests']:,} requests over {len(operations)} operations, "
        f"{stats['server_errors']} server errors, {stats['violations']} schema violations"
    )
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(p[:3000] for p in problems[:20])
