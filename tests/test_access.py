"""Access in one place: roles, team scope and recusal, on every citizen route."""
import pytest

from journal import create_app

from . import factories

CITIZEN_GETS = ["", "/clash", "/meetings", "/expectations", "/outcomes"]


def citizen_urls(cid):
    """Every citizen route with a body that would be valid for the owner of the case."""
    return [
        ("get", f"/api/v1/citizens/{cid}", None),
        ("get", f"/api/v1/citizens/{cid}/clash", None),
        ("get", f"/api/v1/citizens/{cid}/meetings", None),
        ("get", f"/api/v1/citizens/{cid}/expectations", None),
        ("get", f"/api/v1/citizens/{cid}/outcomes", None),
        ("patch", f"/api/v1/citizens/{cid}", {"display_name": "Changed"}),
        ("post", f"/api/v1/citizens/{cid}/meetings", factories.meeting_body()),
        (
            "post",
            f"/api/v1/citizens/{cid}/expectations",
            {"id": "6a1f3e44-5c1b-4f7e-9d5b-2b8f0a1c2d3e", "source": "doctor", "value": 3, "confidence": "low"},
        ),
        ("post", f"/api/v1/citizens/{cid}/outcomes", {"kind": "job", "observed_on": "2026-01-05"}),
        ("post", f"/api/v1/citizens/{cid}/recusals", {}),
    ]


def counts(db):
    return {t: db.table(t).count for t in ("citizen", "meeting", "expectation", "outcome", "recusal")}


def test_recused_worker_gets_404_on_every_citizen_route_and_nothing_changes(auth, world, db):
    factories.recuse(db, world["citizen"], world["worker2"].id)
    s = auth("worker2")
    before = counts(db)
    for method, url, body in citizen_urls(world["citizen"]):
        response = getattr(s, method)(url, json=body) if body is not None else getattr(s, method)(url)
        assert response.status_code == 404, (method, url, response.json)
        assert response.json["code"] == "not_found"
    assert counts(db) == before


def test_recused_citizen_is_absent_from_lists_and_team_overview(auth, world, db):
    other = factories.make_citizen(db, world["team_a"], "A-2")
    factories.recuse(db, world["citizen"], world["worker2"].id)
    s = auth("worker2")
    listed = [c["id"] for c in s.get("/api/v1/citizens?status=all").json["items"]]
    assert listed == [other]
    overview = s.get(f"/api/v1/teams/{world['team_a']}/clashes").json
    assert [c["id"] for c in overview["items"]] == [other]
    assert overview["total"] == 1
    # search does not find it either
    assert s.get("/api/v1/citizens?q=Anna").json["total"] == 0


def test_recusal_answers_exactly_like_a_missing_citizen(auth, world, db):
    factories.recuse(db, world["citizen"], world["worker2"].id)
    s = auth("worker2")
    recused = s.get(f"/api/v1/citizens/{world['citizen']}")
    missing = s.get("/api/v1/citizens/999999")
    assert recused.status_code == missing.status_code == 404
    assert recused.json == missing.json


def test_other_workers_in_the_team_still_see_the_recused_case(auth, world, db):
    factories.recuse(db, world["citizen"], world["worker2"].id)
    assert auth("worker").get(f"/api/v1/citizens/{world['citizen']}").status_code == 200


def test_cross_team_access_is_404_on_every_route(auth, world, db):
    s = auth("other")  # team B
    before = counts(db)
    for method, url, body in citizen_urls(world["citizen"]):
        response = getattr(s, method)(url, json=body) if body is not None else getattr(s, method)(url)
        assert response.status_code == 404, (method, url)
    assert counts(db) == before
    assert s.get(f"/api/v1/teams/{world['team_a']}/clashes").status_code == 404
    assert [c["case_ref"] for c in s.get("/api/v1/citizens").json["items"]] == ["B-1"]


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_get_403_on_every_citizen_route(auth, world, db, role):
    s = auth(role)
    before = counts(db)
    for method, url, body in citizen_urls(world["citizen"]):
        response = getattr(s, method)(url, json=body) if body is not None else getattr(s, method)(url)
        assert response.status_code == 403, (method, url)
        assert response.json["code"] == "forbidden"
    assert s.get("/api/v1/citizens").status_code == 403
    assert s.post("/api/v1/citizens", json={"case_ref": "R-1", "goal": "job"}).status_code == 403
    assert s.get(f"/api/v1/teams/{world['team_a']}/clashes").status_code == 403
    assert counts(db) == before


def test_declaring_a_recusal_hides_the_case_from_the_declarer(auth, world, db):
    s = auth("worker")
    response = s.post(f"/api/v1/citizens/{world['citizen']}/recusals", json={"reason": "Neighbour"})
    assert response.status_code == 201
    assert response.json["user_id"] == world["worker"].id
    assert s.get(f"/api/v1/citizens/{world['citizen']}").status_code == 404
    assert s.get("/api/v1/citizens").json["total"] == 0
    # the recused worker was the primary worker: the case now has none, for a lead to reassign
    lead = auth("lead")
    assert lead.get(f"/api/v1/citizens/{world['citizen']}").json["primary_worker_id"] is None


def test_only_a_lead_records_a_recusal_for_someone_else(auth, world, db):
    url = f"/api/v1/citizens/{world['citizen']}/recusals"
    assert auth("worker").post(url, json={"user_id": world["worker2"].id}).status_code == 403
    response = auth("lead").post(url, json={"user_id": world["worker2"].id, "reason": "Family"})
    assert response.status_code == 201
    assert response.json["declared_by"] == world["lead"].id
    assert auth("worker2").get(f"/api/v1/citizens/{world['citizen']}").status_code == 404


def test_recusal_for_a_user_of_another_team_is_refused(auth, world, db):
    response = auth("lead").post(
        f"/api/v1/citizens/{world['citizen']}/recusals", json={"user_id": world["other"].id}
    )
    assert response.status_code == 422
    assert "user_id" in response.json["errors"]


def test_declaring_twice_returns_the_same_recusal(auth, world):
    lead = auth("lead")
    url = f"/api/v1/citizens/{world['citizen']}/recusals"
    first = lead.post(url, json={"user_id": world["worker2"].id})
    again = lead.post(url, json={"user_id": world["worker2"].id})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]


def test_lifting_a_recusal_is_a_lead_action_and_audited(auth, world, db):
    from journal import audit

    rid = factories.recuse(db, world["citizen"], world["worker2"].id)
    url = f"/api/v1/citizens/{world['citizen']}/recusals/{rid}/lift"
    assert auth("worker").post(url, json={"reason": "Moved away"}).status_code == 403
    lead = auth("lead")
    response = lead.post(url, json={"reason": "Moved away"})
    assert response.status_code == 200
    assert response.json["lifted_by"] == world["lead"].id
    assert auth("worker2").get(f"/api/v1/citizens/{world['citizen']}").status_code == 200
    lifted = audit.events(db, action="recusal.lift")
    assert lifted and lifted[0]["user_id"] == world["lead"].id
    assert lifted[0]["detail"]["user_id"] == world["worker2"].id
    # listing (leads only) shows the history
    items = lead.get(f"/api/v1/citizens/{world['citizen']}/recusals").json["items"]
    assert [r["lifted_at"] is not None for r in items] == [True]
    assert auth("worker").get(f"/api/v1/citizens/{world['citizen']}/recusals").status_code == 403


def test_a_recused_lead_sees_nothing_of_the_case(auth, world, db):
    factories.recuse(db, world["citizen"], world["lead"].id)
    lead = auth("lead")
    assert lead.get(f"/api/v1/citizens/{world['citizen']}").status_code == 404
    assert lead.get(f"/api/v1/teams/{world['team_a']}/clashes").json["total"] == 0


def test_team_settings_are_changed_by_leads_only(auth, world):
    url = f"/api/v1/teams/{world['team_a']}"
    assert auth("worker").patch(url, json={"gap_threshold": 3}).status_code == 403
    response = auth("lead").patch(url, json={"gap_threshold": 3})
    assert response.status_code == 200
    assert response.json["gap_threshold"] == 3
    assert auth("worker").get(url).json["gap_threshold"] == 3


def test_every_route_declares_who_may_use_it():
    """A view without @allow/@public would be refused at run time; catch it here first."""
    app = create_app({"DATABASE": ":memory:", "SECRET_KEY": "x"})
    from journal.access import PUBLIC_ENDPOINTS, declared_roles

    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS and not declared_roles(app.view_functions[rule.endpoint])[0]
    ]
    assert undeclared == []


def test_an_undeclared_view_is_refused(app, client):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert b"secret" not in response.data
