"""Tokens and requests for the API's tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from preceptorship.models import Organisation
from programmes.api import services


def token_for(organisation: Organisation, *scopes: str, name: str = "ESR feed") -> tuple[Any, str]:
    return services.api_token_create(actor=None, organisation=organisation, name=name, scopes=scopes or ["read"])


def get(client: Client, url: str, secret: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(url, params, headers=headers)


def post(client: Client, url: str, secret: str | None, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.post(url, body, content_type="application/json", headers=headers)
