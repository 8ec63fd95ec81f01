"""Give audit entries written before entries named an organisation and a person theirs.

Run once after migrating to preceptorship 0008; running it again is harmless.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preceptorship import audit


class Command(BaseCommand):
    help = "Fill the organisation and person of audit entries written before the audit log had them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="Entries read and written at once.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        filled = audit.fill_scopes(batch_size=options["batch_size"])
        self.stdout.write(f"Filled {filled} audit entries.")
