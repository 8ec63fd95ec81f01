"""Two decisions at the same instant on SQLite: the loser is told the case changed, never a
server error (preceptorship/tests/sqlite_race.py runs them on a file database of its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_second_of_two_simultaneous_decisions_is_told_the_case_changed(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
                   "DJANGO_SETTINGS_MODULE": "preceptorship.settings.test", "PRIVATE_MEDIA_ROOT": str(tmp_path)}
    environment.pop("REDIS_URL", None)
    run = subprocess.run([sys.executable, "-m", "preceptorship.tests.sqlite_race"], cwd=ROOT, env=environment,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["outcomes"]["recommend"] == "taken"
    assert result["outcomes"]["return"].startswith("stale: This case changed since you loaded the page")
    assert result["stage"] == "recommended"
