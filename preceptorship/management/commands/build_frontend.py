"""Copy the NHS.UK design system from node_modules into static/vendor/nhsuk.

The package's compiled CSS points its icons at /assets/ and loads a web font from an NHS CDN.
Here the icon paths are pointed at our static URL and the @font-face rules are dropped, so
pages fall back to Arial and make no request outside the site (the CSP forbids them anyway).

The package's source-map comments are dropped too: the maps describe the package's Sass and
sources, which are not copied (and the CSS no longer matches its map once rewritten), and
``collectstatic`` with the manifest storage stops on a comment that names a missing map.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
# "/*# sourceMappingURL=... */" in CSS, "//# sourceMappingURL=..." in JS (Django's manifest
# storage follows both forms).
SOURCE_MAP = re.compile(r"(?:/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def without_source_map(text: str) -> str:
    return SOURCE_MAP.sub("", text).rstrip() + "\n"


class Command(BaseCommand):
    help = "Copy the NHS.UK frontend files from node_modules into static/vendor/nhsuk."

    def handle(self, *args, **options) -> None:
        source = Path(settings.BASE_DIR) / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
        if not source.is_dir():
            raise CommandError(f"{source} is missing: run `npm ci` first.")
        target = Path(settings.BASE_DIR) / "static" / "vendor" / "nhsuk"
        target.mkdir(parents=True, exist_ok=True)
        static_url = settings.STATIC_URL.rstrip("/")
        css = (source / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
        css = FONT_FACE.sub("", css).replace("url(/assets/", f"url({static_url}/vendor/nhsuk/assets/")
        (target / "nhsuk-frontend.min.css").write_text(without_source_map(css), encoding="utf-8")
        js = (source / "nhsuk-frontend.min.js").read_text(encoding="utf-8")
        (target / "nhsuk-frontend.min.js").write_text(without_source_map(js), encoding="utf-8")
        shutil.copytree(source / "assets", target / "assets", dirs_exist_ok=True)
        self.stdout.write(f"NHS.UK frontend copied to {target}")
