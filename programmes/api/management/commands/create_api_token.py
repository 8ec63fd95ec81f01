"""python manage.py create_api_token --organisation <slug> --scope read [--scope write_staff] [--name ...]"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from preceptorship.models import Organisation
from programmes.api import services
from programmes.api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for an organisation and print it (once: only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--scope", action="append", required=True, choices=ApiToken.Scope.values,
                            help="read, write_staff; repeat for both.")
        parser.add_argument("--name", default="", help='What uses it, for example "ESR nightly feed".')
        parser.add_argument("--expires", type=datetime.date.fromisoformat, default=None,
                            help="The last day it works (YYYY-MM-DD); never expires without it.")

    def handle(self, *args: Any, organisation: str, scope: list[str], name: str,
               expires: datetime.date | None, **options: Any) -> None:
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"No organisation has the short name {organisation!r}.")
        expires_at = None
        if expires is not None:
            expires_at = timezone.make_aware(datetime.datetime.combine(expires + datetime.timedelta(days=1),
                                                                       datetime.time()))
        try:
            token, secret = services.api_token_create(
                actor=None, organisation=found, name=name or f"{found.name} integration", scopes=scope,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Created {token} for {found} with {', '.join(token.scopes)}. The token (shown only now):")
        self.stdout.write(secret)
