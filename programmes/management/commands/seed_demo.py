"""Build the demo: a fictional ICS with every role and each journey shown mid-way.

Safe to run twice. Lives in ``programmes`` because that app sits at the top of the dependency
chain and may call the core's and ``progression``'s demo builders.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.utils import timezone

from preceptorship import demo

# Each app adds its part of the demo through a ``build(directory=..., today=...)`` function.
APP_BUILDERS = ["progression.demo", "programmes.demo", "programmes.demo_practice"]


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, people, programmes and progression cases."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default="preceptorship-demo", help="Password for every demo login.")

    def handle(self, *args, password: str, **options) -> None:
        today = timezone.localdate()
        directory = demo.build(password=password, today=today)
        for module_name in APP_BUILDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.build(directory=directory, today=today)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /sign-in/ with any of these:"))
        width = max(len(who) for who, _, _ in directory.logins)
        for who, email, _ in directory.logins:
            self.stdout.write(f"  {who.ljust(width)}  {email}")
        self.stdout.write(f"Password for every demo login: {password}")
