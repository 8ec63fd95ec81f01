"""Build an Integrated Care System at scale for the benchmark (see docs/performance.md)."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from bench import scale
from preceptorship.management.options import today_option


class Command(BaseCommand):
    help = (
        "Create a realistic ICS with bulk inserts: organisations, preceptees (1 mentor per 10), enrolments in "
        "every state with reviews, goals and reflections, and progression cases at every stage with evidence. "
        "Refuses to run into a database that already holds scale data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisations", type=int, default=20, help="Organisations in the ICS (default 20).")
        parser.add_argument("--preceptees", type=int, default=5000, help="Preceptees across them (default 5000).")
        parser.add_argument("--seed", type=int, default=8, help="Random seed: the same seed builds the same data.")
        parser.add_argument("--today", help="Build the data as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per INSERT (default 2000).")
        parser.add_argument(
            "--password",
            help="One password for every generated account (hashed once). Without it nobody can sign in.",
        )

    def handle(self, *args, organisations: int, preceptees: int, seed: int, today: str | None, batch_size: int,
               password: str | None, **options) -> None:
        day = today_option(today)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        log = self.stdout.write if options["verbosity"] > 1 else (lambda message: None)
        try:
            rows = scale.build(organisations=organisations, preceptees=preceptees, today=day, seed=seed,
                               batch_size=batch_size, password=password, log=log)
        except scale.ScaleDataExists as error:
            raise CommandError(str(error)) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(json.dumps({"seconds": round(seconds, 1), "rows": sum(rows.values()),
                                          "rows by model": rows, "summary": scale.counts()}, indent=2, default=str))
