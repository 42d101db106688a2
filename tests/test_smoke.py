def test_worker_logs_in_and_sees_own_team_only(auth, world):
    s = auth("worker")
    listing = s.get("/api/v1/citizens").json
    assert [c["case_ref"] for c in listing["items"]] == ["A-1"]
    assert listing["total"] == 1
