"""A programme's practice framework must suit it: a framework that names professions names every
profession of the programme, and one that records the level it starts from starts from the
programme's entry level. The form lists each framework with what it suits and refuses an unsuitable
choice beside the field; the service refuses it too."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.models import Membership, Profession
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Programme, Transition
from progression.models import Framework
from progression.tests.factories import FrameworkFactory

Role = Membership.Role
pytestmark = pytest.mark.django_db


def _profession(slug: str) -> Profession:
    return Profession.objects.get(slug=slug)


def _framework(name: str, professions: list[str], from_level: str = "", **extra: Any) -> Framework:
    framework = FrameworkFactory(name=name, from_level=from_level, **extra)
    framework.professions.set([_profession(slug) for slug in professions])
    return framework


@pytest.fixture
def frameworks() -> dict[str, Framework]:
    return {
        "ot": _framework("OT standards", ["occupational-therapy"], "Level 1"),
        "ot_band": _framework("OT band standards", ["occupational-therapy"], "Band 5"),
        "sw": _framework("Social work standards", ["social-work"], "Level 1"),
        "any": _framework("Shared standards", []),
        "passport": _framework("Support worker passport", [], kind=Framework.Kind.SKILLS_PASSPORT),
    }


def _fields(organisation, framework: Framework | None, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "OT preceptorship", "organisation": organisation, "transitions": [Transition.NEWLY_REGISTERED],
        "length_months": 12, "review_interval_months": 3, "protected_hours_per_month": Decimal("4"),
        "mentor_capacity": 2, "entry_level": "Level 1", "exit_level": "Level 2", "framework": framework,
    } | overrides


def test_the_service_refuses_a_framework_of_another_profession_or_level(organisation, frameworks):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    ot = [_profession("occupational-therapy")]
    for name, says in (("sw", "is for social work, not occupational therapy"),
                       ("ot_band", "starts from Band 5"), ("passport", "is a skills passport")):
        with pytest.raises(ValidationError) as refused:
            services.programme_create(actor=lead, professions=ot, **_fields(organisation, frameworks[name]))
        assert says in refused.value.message_dict["framework"][0]
    # A multi-professional programme needs a framework for all its professions.
    both = ot + [_profession("social-work")]
    with pytest.raises(ValidationError, match="not social work"):
        services.programme_create(actor=lead, professions=both, **_fields(organisation, frameworks["ot"]))
    programme = services.programme_create(actor=lead, professions=both, **_fields(organisation, frameworks["any"]))
    programme = services.programme_update(actor=lead, programme=programme, professions=ot, framework=frameworks["ot"])
    assert programme.framework == frameworks["ot"]
    with pytest.raises(ValidationError, match="entry level"):
        services.programme_update(actor=lead, programme=programme, entry_level="Band 5")


def test_the_form_lists_what_each_framework_suits_and_refuses_an_unsuitable_one_beside_it(organisation,
                                                                                         frameworks):
    client = Client()
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    url = reverse("programmes:programme-create")
    page = client.get(url).content.decode()
    assert "OT standards (occupational therapy; from Level 1)" in page
    assert "Shared standards (any profession)" in page
    assert "Support worker passport" not in page
    data = {
        "name": "OT preceptorship", "organisation": organisation.pk,
        "professions": [_profession("occupational-therapy").pk], "transitions": [Transition.NEWLY_REGISTERED],
        "length_months": "12", "review_interval_months": "3", "entry_level": "Level 1", "exit_level": "Level 2",
        "protected_hours_per_month": "4", "framework": frameworks["sw"].pk, "mentor_capacity": "2",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'id="id_framework-error"' in body and "is for social work, not occupational therapy" in body
    assert 'value="OT preceptorship"' in body
    assert not Programme.objects.exists()
    response = client.post(url, data | {"framework": frameworks["ot"].pk})
    assert response.status_code == HTTPStatus.FOUND
    assert Programme.objects.get().framework == frameworks["ot"]
