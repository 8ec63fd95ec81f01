"""The admin shows programme configuration and never the private records of preceptees."""

from http import HTTPStatus

import pytest
from django.contrib import admin

from preceptorship.tests.factories import UserFactory
from programmes.models import Enrolment, Evaluation, Goal, NeedsAssessment, Programme, Reflection


def test_private_records_have_no_admin_screen():
    for model in (Reflection, NeedsAssessment, Goal, Evaluation):
        assert not admin.site.is_registered(model), model.__name__


def test_programme_and_enrolment_are_administered():
    assert admin.site.is_registered(Programme)
    assert admin.site.is_registered(Enrolment)


@pytest.mark.django_db
def test_administrator_sees_the_changelists_and_enrolments_are_read_only(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/programmes/programme/").status_code == HTTPStatus.OK
    assert client.get("/admin/programmes/enrolment/").status_code == HTTPStatus.OK
    assert client.get("/admin/programmes/enrolment/add/").status_code == HTTPStatus.FORBIDDEN
