"""A real OpenID Connect provider (oidc_provider.mjs, the npm package oidc-provider) started once
per run beside the live server, and the journey helpers of the single sign-on tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
NODE = shutil.which("node")
CLIENT_ID = "preceptorship-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
DOMAIN = "northwick-trust.example"
# The provider's accounts, by subject. Fictional people.
ACCOUNTS = {
    "sub-morwenna": {"email": f"morwenna.tregear@{DOMAIN}", "name": "Morwenna Tregear"},
    "sub-idris": {"email": f"idris.pennant@{DOMAIN}", "name": "Idris Pennant", "employee_number": "NW-40017"},
    "sub-stranger": {"email": f"ottoline.vance@{DOMAIN}", "name": "Ottoline Vance"},
    "sub-elsewhere": {"email": "tamsin.quarrie@far-council.example", "name": "Tamsin Quarrie"},
}
STARTUP_SECONDS = 20


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestProvider]:
    """oidc-provider on a free port, with this run's live server registered as its client."""
    if NODE is None:
        pytest.skip("node is not installed: the single sign-on tests need it to run the OpenID Connect provider")
    if not (Path(settings.BASE_DIR) / "node_modules" / "oidc-provider").exists():
        pytest.fail("node_modules/oidc-provider is missing: run `make install` (npm ci) first")
    config = tmp_path_factory.mktemp("oidc") / "provider.json"
    config.write_text(json.dumps({
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{live_server.url}/sign-in/organisation/callback/"],
            "post_logout_redirect_uris": [f"{live_server.url}/sign-in/"],
        },
        "accounts": ACCOUNTS,
    }))
    process = subprocess.Popen(  # noqa: S603 (our own script, fixed arguments)
        [NODE, str(SCRIPT), str(config)], cwd=settings.BASE_DIR,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = _first_line(process)
        if not line.startswith("ISSUER "):
            process.kill()
            raise RuntimeError(f"The test provider did not start: {line!r} {process.stderr.read()}")
        yield TestProvider(issuer=line.split(" ", 1)[1].strip())
    finally:
        if process.poll() is None:
            process.stdin.close()  # the script stops when its input ends
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _first_line(process: subprocess.Popen) -> str:
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=STARTUP_SECONDS):
            process.kill()
            raise RuntimeError(f"The test provider did not start within {STARTUP_SECONDS} seconds.")
    return process.stdout.readline()


@pytest.fixture
def provider_row(oidc_provider: TestProvider, transactional_db: Any, organisation: Any) -> Any:
    """The test provider configured as an administrator would: it serves ``organisation``."""
    from preceptorship.identity.models import IdentityProvider

    # On this test's (pinned) clock, so that the tokens it signs are neither early nor expired.
    requests.post(f"{oidc_provider.issuer}/__tests/clock", data={"now": int(time.time() * 1000)}, timeout=5)

    row = IdentityProvider.objects.create(
        name="Northwick NHSmail", issuer=oidc_provider.issuer, client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret, allowed_domains=DOMAIN, employee_number_claim="employee_number",
    )
    row.organisations.add(organisation)
    return row


class Journey:
    """One browser's worth of cookies, walking the sign-in through the provider over HTTP."""

    def __init__(self, live_server: Any) -> None:
        self.base = live_server.url
        self.http = requests.Session()
        OPEN_JOURNEYS.append(self)

    def csrf(self) -> str:
        if "csrftoken" not in self.http.cookies:
            self.http.get(f"{self.base}/sign-in/", timeout=10)
        return self.http.cookies["csrftoken"]

    def start(self, email: str) -> requests.Response:
        """Types the work e-mail on the sign-in page: ends on the provider's sign-in page."""
        return self.http.post(
            f"{self.base}/sign-in/organisation/",
            data={"csrfmiddlewaretoken": self.csrf(), "email": email, "next": ""},
            timeout=10,
        )

    def sign_in_at_provider(self, at_provider: requests.Response, account: str) -> requests.Response:
        """Signs in at the provider as ``account`` and follows it back here."""
        action = re.search(r'action="(/interaction/[^"]+/login)"', at_provider.text)
        assert action, f"Not the provider's sign-in page: {at_provider.url} {at_provider.text[:300]}"
        origin = re.match(r"https?://[^/]+", at_provider.url).group(0)
        return self.http.post(f"{origin}{action.group(1)}", data={"login": account}, timeout=10)

    def sign_in(self, email: str, account: str) -> requests.Response:
        return self.sign_in_at_provider(self.start(email), account)

    def callback_url(self, response: requests.Response) -> str:
        for step in [*response.history, response]:
            if step.url.startswith(f"{self.base}/sign-in/organisation/callback/"):
                return step.url
        raise AssertionError("The journey never reached the callback.")

    def session(self) -> Any:
        """This browser's Django session, as the server keeps it."""
        from importlib import import_module

        engine = import_module(settings.SESSION_ENGINE)
        return engine.SessionStore(session_key=self.http.cookies.get(settings.SESSION_COOKIE_NAME))


OPEN_JOURNEYS: list[Journey] = []


@pytest.fixture(autouse=True)
def _close_journeys() -> Iterator[None]:
    """Each test's connections end with it: a live server thread still holding a kept-alive one
    when the run ends would close its database connection after the server stopped sharing it."""
    yield
    while OPEN_JOURNEYS:
        OPEN_JOURNEYS.pop().http.close()


@pytest.fixture
def journey(live_server: Any) -> Journey:
    return Journey(live_server)
