"""The load test's simulated people (Locust), started by bench/load.py; see docs/performance.md.

Every simulated person signs in once through the real sign-in page with an account of their role
(many simulated people share a few accounts, as colleagues at several desks would not, but the
server cannot tell) and, for a role that two-step sign-in asks a code of, the code its authenticator
app shows (bench/load_client.py), then uses the pages of that role with a pause between clicks.
Every page must be the one asked for: the sign-in or a two-step page instead is a failure. Forms are
fetched and posted back with the fields and CSRF token the page gave, so a post goes through the
real form and its validation.

Read from the environment (bench/load.py sets them):

- ``LOAD_ACCOUNTS``: a JSON file of accounts by role, each with the records it works on and, for
  an account that must use two-step sign-in, its authenticator app's key (``two_step_key``);
- ``LOAD_PASSWORD``: the accounts' password;
- ``LOAD_THINK``: the pause between two clicks, "min,max" seconds;
- ``LOAD_SECONDS``: how long to measure, from the moment the last simulated person has signed in
  (the statistics start again then: signing in, slow on purpose, is not part of the figures);
- ``LOAD_RESULT``: the JSON file the figures are written to when Locust stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

from bench.load_client import AppCodes, post_form, sign_in, wrong_page

ACCOUNTS: dict[str, list[dict[str, Any]]] = (
    json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()) if os.environ.get("LOAD_ACCOUNTS") else {}
)
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
THINK = tuple(float(part) for part in os.environ.get("LOAD_THINK", "1,3").split(","))
SECONDS = float(os.environ.get("LOAD_SECONDS") or 0)
RESULT = os.environ.get("LOAD_RESULT", "")
SENTENCES = [
    "We talked through the week's visits and the two discharges that went well.",
    "Confidence with complex caseloads is growing; supervision is booked for next month.",
    "Protected time was taken for the moving and handling update and a shadowing session.",
    "The handover at the multidisciplinary meeting was clearer than last time.",
]
_turns: dict[str, Iterator[dict[str, Any]]] = {}
_measuring: dict[str, Any] = {"signed_in": 0, "since": None, "sign_in_failures": {}}
_codes = AppCodes()


def next_account(role: str) -> dict[str, Any]:
    """The role's accounts in turn, so the simulated people spread over all of them."""
    if role not in _turns:
        _turns[role] = itertools.cycle(ACCOUNTS[role])
    return next(_turns[role])


def signed_in(environment: Environment) -> None:
    """Once everybody has signed in: the statistics start again, and stop ``SECONDS`` later."""
    _measuring["signed_in"] += 1
    runner = environment.runner
    if _measuring["since"] is None and runner is not None and _measuring["signed_in"] >= runner.target_user_count:
        environment.stats.reset_all()
        _measuring["since"] = time.time()
        if SECONDS:
            gevent.spawn_later(SECONDS, runner.quit)


@events.quitting.add_listener
def write_result(environment: Environment, **kwargs: Any) -> None:
    if not RESULT:
        return
    stats = environment.stats
    seconds = time.time() - _measuring["since"] if _measuring["since"] else None

    def summary(entry: Any) -> dict[str, Any]:
        return {"requests": entry.num_requests, "errors": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
                "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
                "rps": round(entry.num_requests / seconds, 1) if seconds else None}

    total = summary(stats.total)
    # Signing in happens before the statistics start again, so its failures are kept aside and
    # added here: a simulated person who did not reach the home page counts as an error.
    sign_in_failures = [{"request": "sign in", "error": problem, "occurrences": n}
                        for problem, n in _measuring["sign_in_failures"].items()]
    total["errors"] += sum(row["occurrences"] for row in sign_in_failures)
    Path(RESULT).write_text(json.dumps({
        **total, "measured_seconds": round(seconds, 1) if seconds else None,
        "signed_in": _measuring["signed_in"],
        "by_request": {f"{entry.method} {entry.name}": summary(entry) for entry in stats.entries.values()
                       if entry.num_requests},
        "failures": sign_in_failures + [
            {"request": f"{error.method} {error.name}", "error": str(error.error)[:300],
             "occurrences": error.occurrences} for error in stats.errors.values()],
    }, indent=1))


class SignedIn(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.account = next_account(self.role)
        problem = sign_in(self.client, self.account["email"], PASSWORD, self.account.get("two_step_key"), _codes)
        if problem:
            failures = _measuring["sign_in_failures"]
            failures[f"{self.role}: {problem}"] = failures.get(f"{self.role}: {problem}", 0) + 1
        signed_in(self.environment)

    def page(self, url: str, name: str) -> Any:
        """GET a page as a browser would, following redirects; anything but the page asked for (the
        sign-in page, a two-step page, another page, an error) counts as a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            problem = wrong_page(response, url)
            if problem:
                response.failure(problem)
            return response

    def submit(self, url: str, name: str, field: str, fill: dict[str, str | list[str]]) -> None:
        """Open a form, fill it in (a list: the boxes ticked) and post it back; the post must
        redirect (a page with errors is a failure, named by its error summary)."""
        page = self.page(url, f"{name} (form)")
        if wrong_page(page, url):  # counted as a failure already
            return
        form = post_form(page.text, field)
        if form is None:
            with self.client.get(url, name=f"{name} (form)", catch_response=True) as response:
                response.failure(f"no form with {field!r}")
            return
        data: dict[str, Any] = {}
        for key, value in form["fields"]:
            data.setdefault(key, []).append(value)
        data.update({key: value if isinstance(value, list) else [value] for key, value in fill.items()})
        with self.client.post(form["action"] or url, data=data, name=name, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                summary = re.search(r'class="nhsuk-list nhsuk-error-summary__list">(.*?)</ul>', response.text, re.S)
                errors = " ".join(re.sub(r"<[^>]+>", " ", summary.group(1)).split()) if summary else ""
                response.failure(f"not saved ({response.status_code}): {errors[:200]}")
                return
            location = response.headers.get("Location", "")
        if location:
            self.page(location, f"{name} (after saving)")

    def follow(self, response: Any, pattern: str, name: str) -> None:
        """Open one of the page's links matching ``pattern`` (one group: the URL), as a person clicking."""
        links = re.findall(pattern, response.text or "")
        if links:
            self.page(random.choice(links).replace("&amp;", "&"), name)


class Mentor(SignedIn):
    """Opens the caseload, looks at a preceptee's timeline, records review meetings."""

    role = "mentor"
    weight = 30

    @task(5)
    def caseload(self) -> None:
        self.page("/programmes/caseload/", "mentor: caseload")

    @task(3)
    def timeline(self) -> None:
        pk = random.choice(self.account["enrolments"])
        self.page(f"/programmes/enrolments/{pk}/", "mentor: preceptee's timeline")

    @task(1)
    def record_review(self) -> None:
        pk = random.choice(self.account["enrolments"])
        url = f"/programmes/enrolments/{pk}/reviews/record/"
        # Who attended (nobody is ticked to begin with), scores on the form's scale of 1 to 5;
        # everything else as the form comes.
        self.submit(url, "mentor: record a review", "discussion", {
            "attended": ["preceptee", "mentor"], "discussion": " ".join(random.sample(SENTENCES, 2)),
            "wellbeing": str(random.randint(3, 5)), "confidence": str(random.randint(2, 5)),
        })


class Preceptee(SignedIn):
    """Home, their own timeline and reflections; writes reflections."""

    role = "preceptee"
    weight = 35

    @task(3)
    def home(self) -> None:
        self.page("/", "preceptee: home")

    @task(3)
    def timeline(self) -> None:
        self.page(f"/programmes/enrolments/{self.account['enrolment']}/", "preceptee: timeline")

    @task(1)
    def reflections(self) -> None:
        self.page(f"/programmes/enrolments/{self.account['enrolment']}/reflections/", "preceptee: reflections")

    @task(1)
    def write_reflection(self) -> None:
        url = f"/programmes/enrolments/{self.account['enrolment']}/reflections/new/?model=free"
        self.submit(url, "preceptee: write a reflection", "title", {
            "title": "After a busy week", "answer_text": " ".join(random.sample(SENTENCES, 3)),
        })


class LineManager(SignedIn):
    """Progression: the list of cases and a case's table of competencies."""

    role = "line_manager"
    weight = 12

    @task(1)
    def cases(self) -> None:
        self.page("/progression/cases/", "manager: cases")

    @task(3)
    def case_table(self) -> None:
        pk = random.choice(self.account["cases"])
        self.page(f"/progression/cases/{pk}/", "manager: case table")


class HeadOfService(SignedIn):
    """The cases waiting for their decision, and one of them."""

    role = "head_of_service"
    weight = 5

    @task(3)
    def waiting(self) -> None:
        response = self.page("/progression/cases/waiting/", "head of service: waiting for me")
        self.follow(response, r'href="(/progression/cases/\d+/)"', "head of service: case table")


class ProgrammeLead(SignedIn):
    """The organisation's dashboard, its enrolment list and a CSV download from the dashboard."""

    role = "programme_lead"
    weight = 10

    @task(3)
    def dashboard(self) -> None:
        self.page("/programmes/reports/dashboard/", "lead: dashboard")

    @task(3)
    def enrolments(self) -> None:
        self.page("/programmes/enrolments/", "lead: enrolment list")

    @task(1)
    def download(self) -> None:
        response = self.page("/programmes/reports/dashboard/", "lead: dashboard")
        self.follow(response, r'href="(/programmes/reports/dashboard/export/[\w-]+/csv/[^"]*)"', "lead: CSV download")


class IcsLead(SignedIn):
    """The ICS dashboard, one organisation's page and a CSV download."""

    role = "ics_lead"
    weight = 3

    @task(3)
    def dashboard(self) -> None:
        response = self.page("/programmes/reports/ics/", "ICS lead: dashboard")
        if random.random() < 0.3:
            self.follow(response, r'href="(/programmes/reports/ics/organisations/\d+/)"', "ICS lead: an organisation")

    @task(1)
    def download(self) -> None:
        response = self.page("/programmes/reports/ics/", "ICS lead: dashboard")
        self.follow(response, r'href="(/programmes/reports/ics/export/[\w-]+/csv/[^"]*)"', "ICS lead: CSV download")


class Baseline(SignedIn):
    """The baseline page (base template, one query), with the same pauses: what the stack itself allows."""

    role = "mentor"
    weight = 1

    @task
    def baseline(self) -> None:
        self.page("/bench/baseline/", "baseline")


MIXED = ["Mentor", "Preceptee", "LineManager", "HeadOfService", "ProgrammeLead", "IcsLead"]
