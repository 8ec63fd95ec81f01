"""Build the demo: a fictional ICS with every role and each journey shown mid-way.

Safe to run twice. The builders are in ``bench.demo``.
"""

from __future__ import annotations

import contextlib
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from bench.demo import directory as demo_directory
from bench.demo import enrolments, equality, offer, passports, practice, progression, self_assessment, supervision
from bench.demo import preceptors as demo_preceptors
from bench.demo import standards as demo_standards
from preceptorship.management.options import today_option

# After the directory, each part through its ``build(directory=..., today=...)``, in this order:
# each builds on what the one before made.
PARTS = [progression, self_assessment, passports, supervision, enrolments, practice, offer, demo_preceptors,
         demo_standards, equality]


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, people, programmes and progression cases."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default="preceptorship-demo", help="Password for every demo login.")
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD",
            help="Build the demo as of this date (London): every date and time it records, as if the clock said so.",
        )

    def handle(self, *args, password: str, today: str | None, **options) -> None:
        # The demo's e-mails stay in memory: each is in its recipient's notifications, and printing
        # thousands of them (development's console backend) would bury the logins below.
        with self._clock(today), override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            directory = self._build(password)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /sign-in/ with any of these:"))
        width = max(len(who) for who, _, _ in directory.logins)
        for who, email, _ in directory.logins:
            self.stdout.write(f"  {who.ljust(width)}  {email}")
        self.stdout.write(f"Password for every demo login: {password}")

    def _clock(self, today: str | None) -> contextlib.AbstractContextManager:
        """The real clock, or (``--today``) the same time of day on another date: the services the
        builders call stamp records with the clock, so moving the date alone would not do."""
        day = today_option(today)
        if day is None:
            return contextlib.nullcontext()
        try:
            import time_machine
        except ImportError:  # a production install has no development tools
            raise CommandError("--today needs the development requirements (requirements-dev.txt).") from None
        now = timezone.localtime()
        return time_machine.travel(datetime.datetime.combine(day, now.time(), tzinfo=now.tzinfo), tick=True)

    def _build(self, password: str) -> demo_directory.Directory:
        today = timezone.localdate()
        directory = demo_directory.build(password=password, today=today)
        for part in PARTS:
            part.build(directory=directory, today=today)
        return directory
