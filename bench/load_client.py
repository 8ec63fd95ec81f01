"""What the load test's simulated people do that needs no Locust: read a page's forms, sign in as a
person does (the password, then the code the authenticator app shows when two-step sign-in asks for
it), and tell whether a page is the one asked for.

bench/locustfile.py uses it with Locust's HTTP session; bench/tests use it with a plain
``requests`` session against a live server. Any client with ``get(url, name=...)`` and
``post(url, data=..., name=...)`` that follows redirects and answers with ``status_code``, ``url``
and ``text`` will do.
"""

from __future__ import annotations

import time
from binascii import unhexlify
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django_otp.oath import hotp

HOME = "/"
SIGN_IN = "/sign-in/"
TWO_STEP_CODE = "/sign-in/two-step/"
TWO_STEP_SET_UP = "/sign-in/two-step/set-up/"
STEP_SECONDS = 30
# After a refused code the server holds the next one back for a second (django-otp's throttling).
AFTER_A_REFUSED_CODE = 2.0
CODE_ATTEMPTS = 3


class FormParser(HTMLParser):
    """The page's forms: for each, its action, method and the values a browser would post as is."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    @property
    def form(self) -> dict[str, Any]:
        if not self.forms:
            self.forms.append({"action": "", "method": "get", "fields": [], "choices": {}})
        return self.forms[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "fields": [], "choices": {}})
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                self.form["choices"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self.form["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.form["fields"].append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.form["fields"].append((self._select, value))
                self._select_chosen = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.form["fields"][-1]
            self.form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.form["fields"].append((self._select, self._select_first))
            self._select = None


def post_form(html: str, field: str) -> dict[str, Any] | None:
    """The page's POST form that has ``field`` (the page's other forms, such as signing out, are skipped)."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and (field in dict(form["fields"]) or field in form["choices"]):
            return form
    return None


def wrong_page(response: Any, path: str) -> str | None:
    """Why ``response`` (redirects followed) is not the page at ``path`` that was asked for, or None
    when it is: the sign-in page or a two-step page instead of it is how a lost or unconfirmed
    session shows, and both answer 200."""
    if response.status_code != 200:
        return f"answered {response.status_code}"
    landed = urlsplit(response.url).path
    if landed == urlsplit(path).path:
        return None
    if landed == SIGN_IN:
        return "the sign-in page instead (signed out)"
    if landed == TWO_STEP_SET_UP:
        return "the two-step set-up page instead (no authenticator app)"
    if landed == TWO_STEP_CODE:
        return "the two-step code page instead (no code confirmed)"
    return f"{landed} instead"


class AppCodes:
    """The codes the accounts' authenticator apps show, by e-mail address and hexadecimal key.

    The server accepts a code once, and the code of the next 30-second step as from an app whose
    clock is a little ahead; several simulated people share an account, so each is given the
    current step's code, else the next step's, else waits for the next step."""

    def __init__(self, clock: Callable[[], float] = time.time, sleep: Callable[[float], Any] = time.sleep) -> None:
        self.clock, self.sleep = clock, sleep
        self._last_step: dict[str, int] = {}

    def code(self, email: str, key: str) -> str:
        while True:
            now = self.clock()
            step = int(now) // STEP_SECONDS
            for candidate in (step, step + 1):
                if candidate > self._last_step.get(email, -1):
                    self._last_step[email] = candidate
                    return f"{hotp(unhexlify(key), candidate):06d}"
            self.sleep((step + 1) * STEP_SECONDS - now + 0.2)

    def refused(self, email: str) -> None:
        """The server refused the code: another run used this account's codes up to the next step
        at most; the next code given is a later one."""
        step = int(self.clock()) // STEP_SECONDS
        self._last_step[email] = max(self._last_step.get(email, -1), step + 1)


def sign_in(client: Any, email: str, password: str, key: str | None, codes: AppCodes) -> str | None:
    """Sign in through the sign-in page, then give the app's code if the two-step code page asks
    for it (``key``: the account's authenticator app key, in hexadecimal); why the session did not
    reach the home page, or None when it did."""
    page = client.get(SIGN_IN, name="sign in (page)")
    form = post_form(page.text, "username")
    if form is None:
        return f"no sign-in form at {SIGN_IN} (answered {page.status_code})"
    response = client.post(SIGN_IN, data=dict(form["fields"], username=email, password=password), name="sign in")
    for attempt in range(CODE_ATTEMPTS):
        if response.status_code != 200 or urlsplit(response.url).path != TWO_STEP_CODE:
            break
        if not key:
            return "asked for a two-step code, but the account has no authenticator app key"
        form = post_form(response.text, "code")
        if form is None:
            return "no code form on the two-step code page"
        if attempt:
            codes.sleep(AFTER_A_REFUSED_CODE)
        response = client.post(form["action"] or response.url, data=dict(form["fields"], code=codes.code(email, key)),
                               name="sign in: two-step code")
        if response.status_code == 200 and urlsplit(response.url).path == TWO_STEP_CODE:
            codes.refused(email)
    problem = wrong_page(response, HOME)
    return f"signing in: {problem}" if problem else None
