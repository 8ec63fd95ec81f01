from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from progression import frameworks_io
from progression.models import Framework
from progression.selectors import framework_with_content


class Command(BaseCommand):
    help = "Export frameworks as JSON (a list of frameworks) or CSV (section, code, statement, guidance)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("slug", nargs="?")
        parser.add_argument("--all", action="store_true", help="Every published framework.")
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        parser.add_argument("--framework-version", dest="framework_version", type=int,
                            help="A given version (default: the published one, else the latest).")

    def handle(self, *args, slug: str | None, all: bool, format: str, framework_version: int | None,
               **options) -> None:
        if bool(slug) == bool(all):
            raise CommandError("Name one framework's short name, or --all.")
        queryset = framework_with_content(Framework.objects.all()).order_by("name", "version")
        if all:
            frameworks = list(queryset.filter(status=Framework.Status.PUBLISHED))
        else:
            matches = queryset.filter(slug=slug)
            if framework_version:
                matches = matches.filter(version=framework_version)
            published = [f for f in matches if f.status == Framework.Status.PUBLISHED]
            chosen = published or sorted(matches, key=lambda f: f.version)[-1:]
            if not chosen:
                raise CommandError(f"No framework has the short name {slug!r}.")
            frameworks = chosen
        if format == "json":
            self.stdout.write(frameworks_io.export_json(frameworks), ending="")
        else:
            self.stdout.write(frameworks_io.export_csv(frameworks, with_framework=all), ending="")
