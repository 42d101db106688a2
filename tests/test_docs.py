"""The curl session in docs/api.md works as written against a running server."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from journal import demo
from journal.db import connect

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def curl_session():
    text = DOC.read_text()
    block = re.search(r"<!-- curl-session -->\n```sh\n(.*?)```\n<!-- /curl-session -->", text, re.S)
    return block.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_documented_curl_session_creates_a_citizen_and_reads_a_clash(app, live_server):
    import json

    db = connect(app.config["DATABASE"])
    demo.seed(db)
    db.close()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", curl_session()],
        env={"BASE": live_server, "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    clash = json.loads(result.stdout)
    assert clash["clash"] is True
    assert clash["spread"] == 5
    assert {g["source"]: g["gap"] for g in clash["gaps"]} == {"citizen": 1, "doctor": 5}
    # mads has chosen Danish: his choice wins over the Accept-Language curl does not send
    assert clash["prompts"] == [{"cause": "gap", "detail": "Læge (egen læge) 2 mod dig 7"}]


EXPORT_DOC = DOC.parent / "research-export.md"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_documented_export_script_waits_for_the_job_and_saves_the_zip(app, live_server, tmp_path):
    import zipfile

    db = connect(app.config["DATABASE"])
    demo.seed(db)
    db.close()
    script = re.search(r"```sh\n(.*?)```", EXPORT_DOC.read_text(), re.S).group(1)
    login = (
        f"BASE={live_server}/api/v1\nJAR=$(mktemp)\n"
        "TOKEN=$(curl -sf -c \"$JAR\" -H 'Content-Type: application/json' "
        f"-d '{{\"username\": \"rita\", \"password\": \"{demo.PASSWORD}\"}}' \"$BASE/auth/login\" "
        "| python3 -c \"import json,sys; print(json.load(sys.stdin)['csrf_token'])\")\n"
    )
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", login + script],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"},
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        assert "citizens.csv" in archive.namelist()
