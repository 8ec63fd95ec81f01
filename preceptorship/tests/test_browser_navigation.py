"""Every page a demo role can reach from its home page, checked in the browser.

For each role (one demo person holding it) the test signs in and checks:

1. the home page and every link of the header (navigation and account links) at desktop width
   and at 320 px: styled, no browser errors, no sideways scroll at 320 px, zero axe violations;
2. every link in the home page's panels and in the main content of those header pages (one level
   deeper) at desktop width: it answers 200 and the page is axe-clean; a file (PDF, CSV) must be
   a real one of its kind.

Pages are found by reading the links on the pages themselves, so the pages the apps add to a
role's navigation or home panels are checked without changing this file. Every role's home page
is checked; other pages once per URL name and width for the whole walk (a list's tenth row is the
same page as its first, and the notifications page is the same page for every role), so the walk
stays quick as the data and the roles grow.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from bench.demo.directory import PEOPLE
from preceptorship.models import Membership
from preceptorship.tests.browser import (
    DESKTOP,
    NARROW,
    Demo,
    check_page,
    forget_browser_errors,
    goto,
    nav_links,
    screenshot,
    sign_in,
    url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Role = Membership.Role


def _one_login_per_role() -> dict[str, str]:
    """Role -> the first demo person holding it (the administrator is a superuser, not a member)."""
    logins = {Role.ADMINISTRATOR.value: "admin"}
    for key, *_, roles, _description in PEOPLE:
        for _org, _team, role in roles:
            logins.setdefault(role.value, key)
    return logins


ROLE_LOGINS = _one_login_per_role()
# Django's own admin markup is third-party: it must load, but it is not held to the NHS.UK checks.
THIRD_PARTY_NAMESPACES = {"admin"}
# Links that act rather than show: never followed by the walk.
NOT_PAGES = {"logout"}
FILES = {"application/pdf": b"%PDF-", "text/csv": b"", "application/json": b""}


def _route(href: str) -> str | None:
    """The URL name ("namespace:name") of a same-site link, or None for anchors and other sites."""
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise AssertionError(f"the link {href!r} goes to no page of the site") from None
    return match.view_name


def _main_links(page: Any, scope: str) -> list[tuple[str, str]]:
    links = page.eval_on_selector_all(
        f"{scope} a[href]",
        "links => links.map(a => [a.textContent.trim().replace(/\\s+/g, ' '), a.getAttribute('href')])",
    )
    return [(label, href) for label, href in links]


def _check_file(page: Any, live_server: Any, href: str, label: str) -> bool:
    """Fetch ``href`` with the page's cookies; True when it is HTML to render, else check the file."""
    response = page.context.request.get(url(live_server, href))
    assert response.status == 200, f"{label!r} ({href}) answered {response.status}"
    kind = response.headers.get("content-type", "").split(";")[0]
    if kind == "text/html":
        return True
    assert kind in FILES, f"{label!r} ({href}) is a {kind!r} file"
    assert response.body().startswith(FILES[kind]), f"{label!r} ({href}) is not a real {kind} file"
    return False


def _visit(page: Any, live_server: Any, href: str, label: str, shot: str) -> None:
    goto(page, url(live_server, href))
    if (_route(href) or "").split(":")[0] in THIRD_PARTY_NAMESPACES:
        forget_browser_errors(page)
        return
    try:
        check_page(page)
    except AssertionError as error:
        # Screenshots only of the pages that fail: a full-page capture costs as much as axe.
        raise AssertionError(f"{label!r} ({href}), see {screenshot(page, shot)}:\n{error}") from None


def _walk(role: str, page: Any, demo: Demo, live_server: Any, checked: set[tuple[str, str]]) -> None:
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, demo.email(ROLE_LOGINS[role]), demo.password)
    header = [link for link in dict.fromkeys(nav_links(page)) if _route(link[1]) not in NOT_PAGES]
    hrefs = [href for _, href in header]
    assert {"/", "/notifications/", "/profile/"} <= set(hrefs), f"navigation: {header}"
    assert ("/admin/" in hrefs) == (role == Role.ADMINISTRATOR), f"navigation: {header}"

    # Level one: home (every role's own) and the header's pages, at both widths.
    deeper = _main_links(page, "main")
    for width, viewport in (("desktop", DESKTOP), ("320px", NARROW)):
        page.set_viewport_size(viewport)
        _visit(page, live_server, "/", "home", f"{role}-{width}-home")
        for label, href in header:
            name = _route(href)
            if (name, width) in checked:
                continue
            checked.add((name, width))
            _visit(page, live_server, href, label, f"{role}-{width}-{label}")
            if width == "desktop" and name.split(":")[0] not in THIRD_PARTY_NAMESPACES:
                deeper += _main_links(page, "main")
    page.set_viewport_size(DESKTOP)

    # Level two: each kind of page linked from the home panels and the header's pages, once.
    for label, href in deeper:
        name = _route(href)
        if name is None or name in NOT_PAGES or (name, "desktop") in checked:
            continue
        checked.add((name, "desktop"))
        if _check_file(page, live_server, href, label):
            _visit(page, live_server, href, label, f"{role}-deeper-{name}")


def test_every_page_each_role_reaches_from_home_is_accessible(page: Any, demo: Demo, live_server: Any) -> None:
    """One walk for all the roles (one seeding of the demo), every role's problems reported together."""
    checked: set[tuple[str, str]] = set()
    problems = []
    for role in sorted(ROLE_LOGINS):
        try:
            _walk(role, page, demo, live_server, checked)
        except AssertionError as error:
            problems.append(f"[{role}] {error}")
    assert not problems, f"{len(problems)} role(s) reach a page with a problem:\n\n" + "\n\n".join(problems)
    assert len(checked) > 2 * len(ROLE_LOGINS), f"the walk checked only {sorted(checked)}"
    print(f"checked {len(checked)} pages and widths besides {len(ROLE_LOGINS)} home pages at two widths")
