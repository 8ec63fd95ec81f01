"""Hostile input for any form: property tests that no input gives a server error.

A form is found by reading its page, so a test names only the page and who is signed in::

    from hypothesis import given
    from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_form

    def test_goal_form_survives_hostile_input(client, goal_page_for_someone):
        client.force_login(someone)
        form = read_form(client, "/programmes/goals/new/")          # fields, types and defaults

        @HOSTILE_SETTINGS
        @given(data=hostile_data(form))
        def check(data):
            assert_survives(client, form, data)

        check()

``hostile_data(form)`` draws, for each field, either its ordinary value (what the page showed) or
something hostile for its kind: very long text, unicode (right-to-left, emoji, combining marks,
a NUL byte), HTML and script, SQL fragments; impossible dates in the day/month/year boxes;
negative, huge and non-numeric numbers; choices that do not exist. ``assert_survives`` posts it
and checks: no server error; an answer that is a redirect (saved) or a page with a clear message
(the error summary or a notification banner); the HTML and script shown back only escaped; and
short text typed into a refused form shown back, so nothing typed is lost.

Pass ``fixed={"name": value}`` to ``hostile_data`` for fields that must keep a value (a hidden
step marker, say), and ``skip={"name"}`` to leave a field out altogether.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# One place for the budget: each example is a request, so keep it small (CI runs every form).
HOSTILE_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKER = "hostile-xss"
MARKUP = [
    f"<script>alert('{MARKER}')</script>",
    f'"><img src=x onerror=alert("{MARKER}")>',
    f"'><svg onload=alert('{MARKER}')>",
    f"</textarea><script>alert('{MARKER}')</script>",
    f"<a href=\"javascript:alert('{MARKER}')\">{MARKER}</a>",
    f"{{{{ 7*7 }}}} {{% debug %}} {MARKER}",
]
SQL = [
    "'; DROP TABLE preceptorship_user; --",
    "1 OR 1=1",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(5)--",
    "%' AND 1=0 UNION SELECT password FROM preceptorship_user --",
]
UNICODE = [
    "Zoë Ångström-Łukasiewicz",
    "مرحبا بالعالم",  # right to left
    "\u202eevil\u202c",  # right-to-left override
    "👩🏽‍⚕️🧑‍🦽 ✓",
    "e\u0301\u0301\u0301",  # stacked combining marks
    "null\x00byte",
    "tab\tand\r\nnew lines",
    "\ufeff",
    "   ",
]
IMPOSSIBLE_DATES = [
    ("31", "2", "2025"),
    ("29", "2", "2023"),
    ("0", "0", "0"),
    ("32", "13", "2025"),
    ("-1", "-1", "-2025"),
    ("1", "1", "99999999999999999999"),
    ("1", "1", "1"),
    ("x", "y", "z"),
    ("", "6", "2025"),
    ("1e3", "0x1", "２０２５"),
]
NUMBERS = ["-1", "-999999999", "0", "99999999999999999999999", "1e309", "NaN", "-0", "3.14159", "١٢", "", "ten"]
# Ids no record has: past what a database column holds (either sign), numbers in other spellings
# (exponent, not-a-number, full-width and Arabic-Indic digits, a superscript: a digit to
# ``str.isdigit`` but not to ``int``), a NUL byte. Every choice field is
# sent each of them (``odd_choices``), so a field that looks them up in the database must refuse them.
ODD_IDS = ["99999999999999999999", "-99999999999999999999", "9223372036854775808", "1e5", "NaN", "１", "٣", "²",
           "\x00"]


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, password, number, email, date-part, select, checkbox, radio, hidden, file
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A form read from a page: where it posts (or, for a list's filters, GETs) and its fields
    (see ``read_form``)."""

    page: str
    action: str
    fields: dict[str, Field]
    method: str = "post"

    def defaults(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in self.fields.values():
            if item.kind in ("checkbox",):
                continue
            data[item.name] = item.value
        return data

    def odd_choices(self, odd_id: str, *, every_field: bool = False) -> dict[str, Any]:
        """The ordinary values, with ``odd_id`` (see ODD_IDS) in every choice field (select, radio,
        checkbox) or, for a list's filters, in every field."""
        chosen = [item for item in self.fields.values()
                  if every_field or item.kind in ("select", "radio", "checkbox")]
        return self.defaults() | {item.name: odd_id for item in chosen if item.kind != "file"}


class _FormReader(HTMLParser):
    """Collects the fields of the forms of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, dict[str, Field]]] = []
        self._current: dict[str, Field] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._current = {}
            self.forms.append(((a.get("method") or "get").lower(), a.get("action", ""), self._current))
        if self._current is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if re.search(r"_[012]$", name) and "nhsuk-date-input__input" in a.get("class", ""):
                kind = "date-part"
            existing = self._current.get(name)
            if existing and kind in ("radio", "checkbox"):
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.value = a.get("value", "on")
                return
            self._current[name] = Field(
                name, kind, a.get("value", "") if kind not in ("radio", "checkbox") or "checked" in a else "",
                [a.get("value", "on")] if kind in ("radio", "checkbox") else [],
            )
        elif tag == "textarea":
            self._textarea = self._current[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = self._current[name] = Field(name, "select")
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data.removeprefix("\n") if not self._textarea.value else data


def read_forms(client: Any, page: str, *, methods: tuple[str, ...] = ("post",)) -> list[Form]:
    """GET ``page`` (following redirects) and read its POST forms, leaving out the header's sign-out
    (or, with ``methods=("get", "post")``, its GET forms too: a list's filters)."""
    response = client.get(page, follow=True)
    assert response.status_code == HTTPStatus.OK, f"{page} answered {response.status_code}"
    if "html" not in response.get("Content-Type", ""):
        return []  # a download (a PDF, a CSV): no forms
    page = response.request["PATH_INFO"]
    reader = _FormReader()
    reader.feed(response.content.decode())
    forms = []
    for method, target, fields in reader.forms:
        if target.endswith("/sign-out/") or method not in methods:
            continue
        fields.pop("csrfmiddlewaretoken", None)
        forms.append(Form(page=page, action=target or page, fields=fields, method=method))
    return forms


def read_form(client: Any, page: str, *, action: str | None = None) -> Form:
    """The page's POST form: the first one besides sign-out, or the one posting to ``action``."""
    forms = [form for form in read_forms(client, page) if action is None or form.action == action]
    assert forms, f"{page} has no POST form{f' posting to {action}' if action else ''}"
    return forms[0]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(SQL),
        st.sampled_from(UNICODE),
        st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "é", "😀", "<b>", "' "]),
                  st.integers(min_value=256, max_value=20_000)),
        st.text(max_size=40),
    )


def _hostile_for(item: Field) -> st.SearchStrategy[Any]:
    if item.kind == "date-part":
        position = int(item.name[-1])
        return st.sampled_from(IMPOSSIBLE_DATES).map(lambda parts: parts[position]) | hostile_text()
    if item.kind == "number":
        return st.sampled_from(NUMBERS) | hostile_text()
    if item.kind in ("select", "radio", "checkbox"):
        return st.sampled_from(item.options or [""]) | st.sampled_from(["-1", "999999999", "' OR 1=1 --", "", *ODD_IDS])
    if item.kind == "file":
        return st.just("")
    return hostile_text()


def hostile_data(form: Form, *, fixed: dict[str, Any] | None = None, skip: set[str] | None = None) -> Any:
    """A strategy of POST data for ``form``: each field its ordinary value or something hostile."""
    fixed, skip = fixed or {}, skip or set()
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name, item in form.fields.items():
        if name in skip or item.kind == "file":
            continue
        if name in fixed:
            parts[name] = st.just(fixed[name])
        elif item.kind == "hidden":
            parts[name] = st.just(item.value)
        else:
            parts[name] = st.one_of(st.just(item.value), _hostile_for(item))
    return st.fixed_dictionaries(parts)


# An error summary, a banner saying what happened, or the "check your answers" page that a valid
# first POST of an irreversible step leads to (nothing is done until it is confirmed).
CLEAR_MESSAGE = ("nhsuk-error-summary", "nhsuk-notification-banner", "data-check-answers")
_KEPT = re.compile(r"^[^\x00-\x1f\u202a-\u202e\ufeff]{1,200}$")


def assert_survives(client: Any, form: Form, data: dict[str, Any], *, allowed: tuple[int, ...] = ()) -> Any:
    """POST ``data`` to ``form``: never a server error; saved (redirect) or a clear message; escaped.

    ``allowed``: other statuses that are a right answer here (e.g. 404 for a choice naming
    something the user may not see).
    """
    response = client.post(form.action, data)
    where = f"POST {form.action} with {_short(data)}"
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, f"{where}: server error {response.status_code}"
    if response.status_code in (HTTPStatus.FOUND, HTTPStatus.SEE_OTHER) or response.status_code in allowed:
        return response
    assert response.status_code == HTTPStatus.OK, f"{where}: answered {response.status_code}"
    body = response.content.decode(errors="replace")
    assert any(mark in body for mark in CLEAR_MESSAGE), f"{where}: the page shows no error summary or message"
    for name, value in data.items():
        if not isinstance(value, str):
            continue
        if MARKER in value and html.escape(value) != value:
            assert value not in body, f"{where}: {name} shown back unescaped"
        kind = form.fields[name].kind if name in form.fields else ""
        if "nhsuk-error-summary" in body and kind in ("text", "textarea", "email") and _KEPT.match(value.strip()):
            assert html.escape(value.strip()) in body or html.escape(value) in body, (
                f"{where}: what was typed in {name} ({value!r}) is not shown back"
            )
    return response


def _short(data: dict[str, Any]) -> str:
    return repr({name: (value[:60] + f"...({len(value)})" if isinstance(value, str) and len(value) > 60 else value)
                 for name, value in data.items()})
