"""Role-aware navigation and home-page panels.

The core cannot import the apps, so each app registers its navigation links and its to-do
panels here when it loads. The home page shows every panel whose predicate accepts the user;
each panel is a template plus a function that builds its context from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from preceptorship import access

Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: Predicate
    order: int = 100

    def href(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    allowed: Predicate
    context: Callable[[HttpRequest], dict[str, Any]] = field(default=lambda request: {})
    order: int = 100


_nav: list[NavItem] = []
_panels: list[Panel] = []


def register_nav(label: str, url_name: str, allowed: Predicate, order: int = 100) -> None:
    if not any(item.url_name == url_name for item in _nav):
        _nav.append(NavItem(label, url_name, allowed, order))


def register_panel(panel: Panel) -> None:
    if not any(existing.template == panel.template for existing in _panels):
        _panels.append(panel)


def nav_for(user: Any) -> list[NavItem]:
    return sorted((item for item in _nav if item.allowed(user)), key=lambda item: item.order)


def panels_for(user: Any) -> list[Panel]:
    return sorted((panel for panel in _panels if panel.allowed(user)), key=lambda panel: panel.order)


register_nav("Home", "home", lambda user: True, order=0)
register_nav("Admin", "admin:index", access.is_administrator, order=1000)
