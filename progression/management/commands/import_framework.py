from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from preceptorship.models import Organisation
from progression import frameworks_io, services


class Command(BaseCommand):
    help = ("Import frameworks from a JSON file (a list of frameworks) or a CSV file "
            "(section, code, statement, guidance).")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file")
        parser.add_argument("--owner", help="Slug of the owning organisation (shared when left out).")
        parser.add_argument("--publish", action="store_true", help="Publish straight away instead of a draft.")
        parser.add_argument("--name", help="CSV only: the framework's name.")
        parser.add_argument("--slug", help="CSV only: the framework's short name.")
        parser.add_argument("--source", default="", help="CSV only: who published it.")
        parser.add_argument("--profession", action="append", default=[], help="CSV only: a profession slug.")
        parser.add_argument("--from-level", default="")
        parser.add_argument("--to-level", default="")
        parser.add_argument("--required-section", action="append", default=[],
                            help="CSV only: a section required for sign-off (repeatable).")

    def handle(self, *args, file: str, owner: str | None, publish: bool, **options) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        meta = {
            "name": options["name"] or "", "slug": options["slug"] or "", "source": options["source"],
            "professions": options["profession"], "from_level": options["from_level"],
            "to_level": options["to_level"], "required_sections": options["required_section"],
        }
        result = frameworks_io.parse_file(path.name, text, meta=meta)
        if not result.ok:
            raise CommandError("Nothing was imported:\n" + "\n".join(result.errors or ["The file is empty."]))
        organisation = None
        if owner:
            organisation = Organisation.objects.filter(slug=owner).first()
            if organisation is None:
                raise CommandError(f"No organisation has the short name {owner!r}.")
        from django.db import transaction

        try:
            with transaction.atomic():
                created = [
                    services.framework_import(actor=None, data=data, owner=organisation, publish=publish)
                    for data in result.frameworks
                ]
        except ValidationError as error:
            raise CommandError("Nothing was imported: " + "; ".join(error.messages)) from None
        for framework in created:
            self.stdout.write(f"Imported {framework} ({framework.get_status_display().lower()}).")
