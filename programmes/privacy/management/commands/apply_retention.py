"""``manage.py apply_retention [--dry-run]``: apply the retention schedule now, or say what it would do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preceptorship.models import User
from programmes.privacy import schedule
from programmes.privacy.services import retention_run
from programmes.privacy.services.retention import LABELS, REPORTED


class Command(BaseCommand):
    help = "Anonymise or delete what the retention schedule says is past its date (docs/data-protection.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would be anonymised or deleted (counts and ids); change nothing.")
        parser.add_argument("--by", metavar="EMAIL", default="",
                            help="The e-mail address of the person running it, recorded with the run.")

    def handle(self, *args: Any, dry_run: bool = False, by: str = "", **options: Any) -> None:
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
            if actor is None:
                raise CommandError(f"No active account has the e-mail address {by!r}: nothing was done.")
        run = retention_run(dry_run=dry_run, actor=actor,
                            trigger="apply_retention command" + (" (dry run)" if dry_run else ""))
        if run is None:
            raise CommandError("Another retention run is going on: nothing was done. Try again when it has finished.")
        periods = schedule.periods()
        self.stdout.write(f"{'Dry run: nothing changed. ' if dry_run else ''}Retention as of {run.as_of:%d %B %Y}"
                          f" (run {run.pk}).")
        for kind, period_kind in REPORTED.items():
            ids = run.ids.get(kind, [])
            verb = "would be" if dry_run else "were"
            self.stdout.write(f"{kind}: {len(ids)} {verb} acted on ({LABELS[kind]}; kept {periods[period_kind]} "
                              f"after {schedule.KINDS[period_kind]})")
            if ids:
                self.stdout.write(f"  ids: {', '.join(str(pk) for pk in ids)}")
        self.stdout.write(f"Total: {run.total}")
