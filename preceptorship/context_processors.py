from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from preceptorship.home import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    items = []
    for item in nav_for(user):
        href = item.href()
        current = path == href if href == "/" else path.startswith(href)
        items.append({"label": item.label, "href": href, "current": current})
    # Only the most specific link is current (/programmes/enrolments/ is also under /programmes/).
    matches = [entry for entry in items if entry["current"]]
    for entry in matches:
        entry["current"] = entry is max(matches, key=lambda match: len(match["href"]))
    return {
        "nav_items": items,
        # Counted lazily so pages that never show the header pay nothing.
        "unread_count": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
