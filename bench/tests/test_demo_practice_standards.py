"""The council's occupational therapy preceptorship (Level 1 to Level 2) links reflections and goals to
practice standards for that step: a month-1 preceptee is offered those, not the Range 6 to Range 7
career progression statements."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.demo import directory as directory_demo
from bench.demo import enrolments as enrolments_demo
from bench.demo import practice_standards
from progression.models import Competency, Framework

pytestmark = pytest.mark.django_db


def test_a_month_one_preceptee_is_offered_their_programmes_practice_standards():
    today = timezone.localdate()
    directory = directory_demo.build(password="demo-password-1", today=today)
    enrolment = enrolments_demo.build(directory=directory, today=today)["preceptee_ot_new"]
    framework = enrolment.programme.framework
    assert framework.slug == practice_standards.SLUG and framework.status == Framework.Status.PUBLISHED
    assert (framework.from_level, framework.to_level) == ("Level 1", "Level 2")
    assert "(fictional example)" in framework.name

    client = Client()
    client.force_login(enrolment.preceptee)
    response = client.get(reverse("programmes:reflection-create", args=[enrolment.pk]), {"model": "gibbs"})
    assert response.status_code == HTTPStatus.OK
    offered = set(response.context["form"].fields["competencies"].queryset.values_list("code", flat=True))
    assert offered == {code for _section, code, _statement in practice_standards.STANDARDS}
    page = response.content.decode()
    assert "PS-R1" in page and "Range 7" not in page
    # Running the demo again finds the same standards.
    assert practice_standards.build(lead=directory.users["council_lead"], council=framework.owner) == framework
    assert Competency.objects.filter(section__framework__slug=practice_standards.SLUG).count() == len(
        practice_standards.STANDARDS)
