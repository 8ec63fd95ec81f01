"""The integration API on the two gunicorn servers of the production stage: a token made with
``manage.py create_api_token`` works through either, a staff batch sent through one reads back
through the other, the documentation page's own files are served with DEBUG off, and the token's
rate limit is counted once across both servers (in Redis), not once per server."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from preceptorship.tests.production.stage import MARKS, Stage, report

pytestmark = MARKS

LIMIT = 120  # API_RATE_LIMIT's default, which the stage's environment leaves alone
WINDOW = 60


def _token(stage: Stage) -> dict[str, str]:
    out = stage.manage("create_api_token", "--organisation", "demo-council", "--scope", "read", "--scope",
                       "write_staff", "--name", "Production stage check")
    return {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}


def test_a_token_works_through_both_servers_and_a_batch_reads_back(stage: Stage) -> None:
    headers = _token(stage)
    batch = {"records": [{"employee_number": "STAGE-0001", "email": "stage.check@council.dalesford.example",
                          "first_name": "Stage", "last_name": "Check", "roles": ["Practitioner"]}]}
    sent = requests.post(stage.first("/api/staff/"), json=batch, headers=headers, timeout=30)
    assert sent.status_code == 200, sent.text
    again = requests.post(stage.second("/api/staff/"), json=batch, headers=headers, timeout=30)
    assert again.status_code == 200 and again.json()["created"] == 0, again.text
    first = requests.get(stage.first("/api/enrolments/?limit=5"), headers=headers, timeout=30)
    second = requests.get(stage.second("/api/enrolments/?limit=5"), headers=headers, timeout=30)
    assert first.status_code == second.status_code == 200
    assert first.json()["results"] == second.json()["results"]
    assert requests.get(stage.second("/api/enrolments/"), timeout=30).status_code == 401
    report("API: a token made by manage.py works through both servers; a batch sent twice created once")


def test_the_documentation_page_and_its_files_are_served(stage: Stage) -> None:
    page = requests.get(stage.first("/api/docs/"), timeout=30)
    assert page.status_code == 200
    files = [part.split('"')[0] for part in page.text.split('="/static/')[1:]]
    assert len(files) == 4 and "https://" not in page.text, files
    for name in files:
        assert requests.get(stage.second(f"/static/{name}"), timeout=30).status_code == 200, name


def test_the_rate_limit_is_shared_by_the_two_servers(stage: Stage) -> None:
    headers = _token(stage)
    # Start as a window opens, so that the whole run falls in one. The servers' clock, not this
    # process's (the tests' clock is pinned to another day).
    now = parsedate_to_datetime(requests.get(stage.first("/livez"), timeout=30).headers["Date"])
    if now.second > 5:
        time.sleep(WINDOW - now.second + 1)
    answers: list[Any] = []
    with requests.Session() as session:
        for number in range(LIMIT + 1):
            server = stage.first if number % 2 else stage.second
            answers.append(session.get(server("/api/completions/?limit=1"), headers=headers, timeout=30))
    assert [a.status_code for a in answers[:LIMIT]] == [200] * LIMIT
    assert answers[LIMIT].status_code == 429, answers[LIMIT].text
    assert 1 <= int(answers[LIMIT].headers["Retry-After"]) <= WINDOW
    report(f"API: {LIMIT} requests through two servers, the next refused with 429: one limit for both")
