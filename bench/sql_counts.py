"""How many SQL statements the busiest requests run: logging a meeting and the citizen page.

    .venv/bin/python bench/sql_counts.py

Builds a throw-away database with the demo data, logs in as the demo worker `mads` and counts
every statement SQLite executes while serving (a) `POST /api/v1/citizens/{id}/meetings` with
the worker's view and two collaborators', (b) the web form's `POST
/citizens/{id}/meetings/new`, and (c) `GET /citizens/{id}` (the citizen page). The count
includes the login check and the audit rows, i.e. everything one request costs.
Why a script, not a test: the figure is for the commit message and for spotting regressions
by eye; a test pinned to a number would only teach people to change the number.
"""
import re
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from journal import clock, create_app, db as dbmod, demo  # noqa: E402

COUNT = Counter()
STATEMENTS = []


def counting_connect(original):
    def connect(path):
        database = original(path)

        def trace(sql):
            if sql.strip().upper().startswith(("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                return
            COUNT["sql"] += 1
            STATEMENTS.append(re.sub(r"\s+", " ", sql)[:110])

        database.conn.set_trace_callback(trace)
        return database

    return connect


def measure(label, send):
    COUNT.clear()
    STATEMENTS.clear()
    response = send()
    print(f"{label:<48} {response.status_code}  {COUNT['sql']:>3} statements")
    if "-v" in sys.argv:
        for sql in STATEMENTS:
            print("    ", sql)
    return response


def main():
    folder = tempfile.mkdtemp()
    app = create_app({"DATABASE": f"{folder}/bench.db", "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    database = dbmod.connect(app.config["DATABASE"])
    dbmod.migrate(database)
    demo.seed(database)
    citizen_id = database.execute("SELECT id FROM citizen WHERE case_ref = 'SIL-0001'").fetchone()[0]
    database.close()
    dbmod.connect = counting_connect(dbmod.connect)

    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "mads", "password": demo.PASSWORD})
    token = login.json["csrf_token"]
    body = {
        "id": str(uuid.uuid4()),
        "held_on": clock.today().isoformat(),
        "mode": "in_person",
        "participants": ["citizen", "doctor"],
        "expectations": [
            {"id": str(uuid.uuid4()), "source": "worker", "value": 6, "confidence": "medium"},
            {"id": str(uuid.uuid4()), "source": "citizen", "value": 7, "confidence": "high"},
            {"id": str(uuid.uuid4()), "source": "doctor", "value": 3, "confidence": "low"},
        ],
    }
    measure("API  POST /api/v1/citizens/{id}/meetings", lambda: client.post(
        f"/api/v1/citizens/{citizen_id}/meetings", json=body, headers={"X-CSRFToken": token}))
    form = {
        "csrf_token": token, "id": str(uuid.uuid4()), "held_on": clock.today().isoformat(), "mode": "phone",
        "participants": ["citizen"], "own_id": str(uuid.uuid4()), "own_value": "5", "own_confidence": "medium",
        "c0_id": str(uuid.uuid4()), "c0_source": "citizen", "c0_value": "6", "c0_confidence": "medium",
    }
    measure("web  POST /citizens/{id}/meetings/new", lambda: client.post(
        f"/citizens/{citizen_id}/meetings/new", data=form))
    measure("web  GET  /citizens/{id}", lambda: client.get(f"/citizens/{citizen_id}"))


if __name__ == "__main__":
    main()
