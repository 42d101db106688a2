"""The operator's command line (DESIGN.md "Operations") and configuration from the environment."""
import pytest

from journal import create_app, users
from journal.db import connect


def test_migrate_reports_and_is_idempotent(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "fresh.db"), "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["journal", "migrate"])
    assert first.exit_code == 0 and "m001_core" in first.output
    again = runner.invoke(args=["journal", "migrate"])
    assert again.exit_code == 0 and "up to date" in again.output


def test_create_team_and_user_with_password_from_stdin(runner, db):
    result = runner.invoke(args=["journal", "create-team", "Unge", "--municipality", "Odder"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["journal", "create-user", "karen", "--role", "lead", "--team", "Unge", "--display-name", "Karen K", "--password-stdin"],
        input="kettle-fjord-lantern\n",
    )
    assert result.exit_code == 0, result.output
    row = users.by_username(db, "karen")
    assert row["role"] == "lead" and row["display_name"] == "Karen K"
    assert users.check_password(row, "kettle-fjord-lantern")


def test_create_user_prompts_for_the_password(runner, db):
    runner.invoke(args=["journal", "create-team", "Unge", "--municipality", "Odder"])
    result = runner.invoke(
        args=["journal", "create-user", "ole", "--role", "worker", "--team", "Unge"],
        input="prompted-lantern-pass\nprompted-lantern-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert users.check_password(users.by_username(db, "ole"), "prompted-lantern-pass")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["create-user", "w", "--role", "worker", "--password-stdin"], "kettle-fjord-lantern\n", "team"),
        (["create-user", "w", "--role", "worker", "--team", "Nope", "--password-stdin"], "kettle-fjord-lantern\n", "No team"),
        (["create-user", "r", "--role", "researcher", "--password-stdin"], "short\n", "10 characters"),
        (["create-user", "r", "--role", "boss", "--password-stdin"], "kettle-fjord-lantern\n", "boss"),
    ],
)
def test_create_user_refuses_bad_input_clearly(runner, db, args, stdin, message):
    result = runner.invoke(args=["journal", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.table("user").count == 0


def test_duplicate_team_and_username_are_refused(runner, db):
    runner.invoke(args=["journal", "create-team", "Unge", "--municipality", "Odder"])
    assert runner.invoke(args=["journal", "create-team", "unge", "--municipality", "X"]).exit_code != 0
    args = ["journal", "create-user", "ann", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input="kettle-fjord-lantern\n").exit_code == 0
    assert runner.invoke(args=args, input="kettle-fjord-lantern\n").exit_code != 0


def test_backup_copies_the_database(runner, db, tmp_path, world):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["journal", "backup", str(target)])
    assert result.exit_code == 0
    copy = connect(target)
    assert copy.table("citizen").count == 2
    copy.close()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("JOURNAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("JOURNAL_ENV", raising=False)
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="JOURNAL_SECRET_KEY"):
        create_app()


def test_development_generates_and_keeps_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("JOURNAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("JOURNAL_ENV", "development")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    assert len(first) >= 32 and create_app().config["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").exists()


def test_environment_configures_database_key_and_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_DATABASE", str(tmp_path / "elsewhere.db"))
    monkeypatch.setenv("JOURNAL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("JOURNAL_COOKIE_SECURE", "0")
    app = create_app()
    assert app.config["DATABASE"] == str(tmp_path / "elsewhere.db")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_default_database_is_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("JOURNAL_DATABASE", raising=False)
    monkeypatch.setenv("JOURNAL_SECRET_KEY", "k")
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    assert create_app().config["DATABASE"] == str(tmp_path / "instance" / "journal.db")


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/login", "/api/v1/citizens", "/api/v1/citizens/{citizen_id}/meetings",
                 "/api/v1/citizens/{citizen_id}/clash", "/api/v1/teams/{team_id}/clashes"):
        assert path in spec["paths"], path
    meeting = spec["components"]["schemas"]["MeetingIn"]
    assert set(meeting["required"]) == {"id", "held_on", "mode"}
    assert meeting["additionalProperties"] is False


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_is_sent_exactly_when_cookies_are_secure(app, secure):
    """Secure cookies mean TLS in front: browsers are told to keep to https for a year.
    `make run` (JOURNAL_COOKIE_SECURE=0, plain http on localhost) must not pin localhost."""
    app.config["SESSION_COOKIE_SECURE"] = secure
    response = app.test_client().get("/healthz")
    if secure:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in response.headers
