"""The API against its own OpenAPI description, over HTTP: schemathesis generates requests from
/api/schema/ (valid and invalid ones) and sends them to a live server with a real read and
write_staff token. No answer may be a server error or differ from the description (status code,
content type, headers, body). The examples are bounded so the whole run takes well under a minute."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from programmes.api.tests.helpers import token_for
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def live_api(live_server: Any, organisation: Any, settings: Any) -> dict[str, Any]:
    settings.API_RATE_LIMIT = 100_000  # the run itself must not meet the limit
    programme = ProgrammeFactory(organisation=organisation)
    EnrolmentFactory(programme=programme)
    EnrolmentFactory(programme=programme, completed=True)
    _, secret = token_for(organisation, "read", "write_staff", name="Schemathesis")
    return {"url": live_server.url, "headers": {"Authorization": f"Bearer {secret}"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_live_api_keeps_to_its_description(live_api: dict[str, Any], mode: GenerationMode) -> None:
    """Valid requests (which a real token makes succeed, so staff batches are saved) and invalid
    ones (which must be refused with a described 4xx), for every operation of the description."""
    schema = schemathesis.openapi.from_url(f"{live_api['url']}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    answered: list[int] = []

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_it(case: Any) -> None:
            response = case.call_and_validate(base_url=live_api["url"], headers=live_api["headers"], checks=CHECKS)
            answered.append(response.status_code)

        keeps_to_it()
    # The token worked: valid requests were answered, invalid ones refused as described.
    assert (200 in answered) if mode == GenerationMode.POSITIVE else (422 in answered)


@pytest.mark.django_db(transaction=True)
def test_the_description_and_documentation_are_served_without_a_cdn(live_api: dict[str, Any]) -> None:
    described = requests.get(f"{live_api['url']}/api/schema/", timeout=10)
    assert described.status_code == 200
    paths = described.json()["paths"]
    assert {"/api/staff/", "/api/enrolments/", "/api/completions/", "/api/progression-outcomes/"} <= set(paths)
    page = requests.get(f"{live_api['url']}/api/docs/", timeout=10)
    assert page.status_code == 200
    assert "https://" not in page.text and "/static/ninja/swagger-ui-bundle.js" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
