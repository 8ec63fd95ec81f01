"""Copy the NHS.UK design system from node_modules into static/vendor/nhsuk.

The package's compiled CSS points its icons at /assets/ and loads a web font from an NHS CDN.
Here the icon paths are pointed at our static URL and the @font-face rules are dropped, so
pages fall back to Arial and make no request outside the site (the CSP forbids them anyway).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")


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
        (target / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
        shutil.copy2(source / "nhsuk-frontend.min.js", target / "nhsuk-frontend.min.js")
        shutil.copytree(source / "assets", target / "assets", dirs_exist_ok=True)
        self.stdout.write(f"NHS.UK frontend copied to {target}")
