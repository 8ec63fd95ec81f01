"""Hostile framework files through the import page: numbers too big for any column, values of the
wrong type, nesting deep enough to exhaust the parser, a short name with quotes, NUL characters,
text too long for its column. Each is refused with a clear message on the page (at the preview or at
the confirmation); never a server error, and nothing is saved."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from progression.models import Framework

pytestmark = pytest.mark.django_db


def _framework(**changes: Any) -> dict[str, Any]:
    framework = {"name": "Hostile passport", "version": 1, "sections": [
        {"title": "Care", "competencies": [{"code": "C1", "statement": "Gives person-centred care."}]}]}
    framework.update(changes)
    return framework


def _section(**changes: Any) -> dict[str, Any]:
    return _framework(sections=[{"title": "Care", "competencies": [
        {"code": "C1", "statement": "Gives person-centred care.", **changes}]}])


DEEP = 10_000
HOSTILE = [
    pytest.param(json.dumps(_framework(version=99999999999999999999)), "the version must be a whole number",
                 id="version-beyond-64-bits"),
    pytest.param(json.dumps(_framework(version=2**31)), "the version must be a whole number", id="version-beyond-column"),
    pytest.param(json.dumps(_framework()).replace('"version": 1', '"version": 1e400'),
                 "the version must be a whole number", id="version-infinite"),
    pytest.param(json.dumps(_framework()).replace('"version": 1', '"version": NaN'),
                 "NaN is not a number JSON allows", id="version-nan"),
    pytest.param(json.dumps(_framework(version=1.5)), "the version must be a whole number", id="version-fraction"),
    pytest.param(json.dumps(_framework(version=True)), "the version must be a whole number", id="version-true"),
    pytest.param(json.dumps(_framework()).replace('"version": 1', '"version": ' + "9" * 5000),
                 "number", id="number-of-5000-digits"),
    pytest.param(json.dumps(_framework(sections=5)), "the sections must be a list", id="sections-a-number"),
    pytest.param(json.dumps(_framework(sections={"title": "Care"})), "the sections must be a list",
                 id="sections-an-object"),
    pytest.param(json.dumps(_framework(sections=[{"title": "Care", "competencies": 5}])),
                 "the competencies must be a list", id="competencies-a-number"),
    pytest.param(json.dumps(_framework(professions=5)), "the professions must be a list", id="professions-a-number"),
    pytest.param(json.dumps(_framework(name={"first": "A"})), "the name must be text", id="name-an-object"),
    pytest.param(json.dumps(_framework(sections=[{"title": ["Care"], "competencies": []}])), "must be text",
                 id="section-title-a-list"),
    pytest.param(json.dumps(_section(statement=["Gives care."])), "the statement must be text",
                 id="statement-a-list"),
    pytest.param(json.dumps(_section(code={"x": 1})), "the code must be text", id="code-an-object"),
    pytest.param(json.dumps(_framework(sections=[{"title": "Care", "required_for_sign_off": "no",
                                                  "competencies": [{"code": "C1", "statement": "S."}]}])),
                 "must be true or false", id="required-a-string"),
    pytest.param("[" * DEEP + "]" * DEEP, "nested too deeply", id="deeply-nested-lists"),
    pytest.param('{"name": "Hostile passport", "sections": ' + "[" * DEEP + "]" * DEEP + "}", "nested too deeply",
                 id="deeply-nested-sections"),
    pytest.param(json.dumps(_framework(slug="x\"y'z")), "the short name", id="slug-with-quotes"),
    pytest.param(json.dumps(_framework(slug="a" * 101)), "the short name", id="slug-too-long"),
    pytest.param(json.dumps(_framework(name="Hostile passport\x00")), "NUL", id="nul-in-name"),
    pytest.param(json.dumps(_section(statement="Gives\x00 care.")), "NUL", id="nul-in-statement"),
    pytest.param(json.dumps(_framework(name="Hostile passport " + "x" * 300)), "longer than 200",
                 id="name-too-long"),
    pytest.param(json.dumps(_framework(source="s" * 301)), "longer than 300", id="source-too-long"),
    pytest.param(json.dumps(_framework(from_level="l" * 101)), "longer than 100", id="level-too-long"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_a_hostile_json_framework_is_refused_with_a_message(cast: Any, text: str, message: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.lead)
    url = reverse("progression:framework-import")
    response = client.post(url, {"file": SimpleUploadedFile("hostile.json", text.encode())})
    assert response.status_code == HTTPStatus.OK
    if response.context.get("confirm") is not None:  # the preview saw nothing wrong: confirm it
        confirm = response.context["confirm"]
        response = client.post(url, {"confirm": "1", **{k: confirm[k].value() for k in ("filename", "name", "text")}})
        assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not Framework.objects.filter(name__startswith="Hostile passport").exists()


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("section,code,statement,guidance\nCare,C1,Gives\x00 care.,\n", "NUL", id="nul"),
    pytest.param("section,code,statement,guidance\nCare,C1," + "x" * 200_000 + ",\n", "too long", id="huge-field"),
])
def test_a_hostile_csv_framework_is_refused_with_a_message(cast: Any, text: str, message: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.lead)
    response = client.post(reverse("progression:framework-import"),
                           {"file": SimpleUploadedFile("hostile.csv", text.encode()), "name": "Hostile passport"})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not Framework.objects.filter(name__startswith="Hostile passport").exists()


def test_a_well_formed_framework_still_imports(cast: Any) -> None:
    client = Client()
    client.force_login(cast.lead)
    url = reverse("progression:framework-import")
    text = json.dumps(_framework(slug="hostile-passport", version="2", professions=["occupational-therapy"],
                                 source="Council", from_level="Range 6", to_level="Range 7"))
    preview = client.post(url, {"file": SimpleUploadedFile("fine.json", text.encode())})
    confirm = preview.context["confirm"]
    client.post(url, {"confirm": "1", **{k: confirm[k].value() for k in ("filename", "name", "text")}})
    framework = Framework.objects.get(slug="hostile-passport")
    assert framework.version == 2 and framework.status == "draft"
