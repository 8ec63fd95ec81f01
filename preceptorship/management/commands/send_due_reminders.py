"""Run the reminder sweep by hand or from cron; prints a JSON count per kind and a total."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from preceptorship.management.options import today_option
from preceptorship.reminders import sweep


class Command(BaseCommand):
    help = "Record and send every reminder due today (the same sweep celery beat runs hourly)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Count what is due without recording or sending.")

    def handle(self, *args, today: str | None, dry_run: bool, **options) -> None:
        day = today_option(today)
        self.stdout.write(json.dumps(sweep(today=day, dry_run=dry_run), sort_keys=True))
