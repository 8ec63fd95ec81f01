"""The completion certificate: the programme's own wording (the levels it moves between), a signature
block naming who confirmed completion, and the organisation's letterhead with the NHS logo only for an
NHS organisation. Read back from the PDF the preceptee downloads."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from preceptorship.models import Membership, Organisation
from preceptorship.tests.factories import person
from programmes import services
from programmes.models import Enrolment
from programmes.schedule import add_months
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
EARLY = "The last review is booked for the completion meeting."
NHS_BLUE_FILL = b"0 0.368627 0.721569 rg"  # #005eb8 as WeasyPrint writes a fill colour


def _completed(organisation: Organisation) -> Enrolment:
    today = timezone.localdate()
    enrolment = EnrolmentFactory(programme__organisation=organisation,
                                 start_date=add_months(today, -18) + datetime.timedelta(days=10))
    services.completion_confirm(actor=enrolment.mentor, enrolment=enrolment, confirmed=True, early_reason=EARLY)
    services.completion_confirm(actor=enrolment.line_manager, enrolment=enrolment, confirmed=True, early_reason=EARLY)
    lead = person(organisation, Role.PROGRAMME_LEAD)
    return services.completion_record_outcome(actor=lead, enrolment=enrolment, outcome="Progressed to Level 2",
                                              completed_on=today, pay_step_on=today)


def _download(enrolment: Enrolment) -> bytes:
    client = Client()
    client.force_login(enrolment.preceptee)
    response = client.get(reverse("programmes:certificate", args=[enrolment.pk]))
    assert response.status_code == HTTPStatus.OK and response["Content-Type"] == "application/pdf"
    return response.content


def _text(pdf: bytes) -> str:
    return "\f".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _blue(pdf: bytes) -> bool:
    return any(NHS_BLUE_FILL in page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages)


def _html(enrolment: Enrolment) -> str:
    return render_to_string("pdf/certificate.html", {"enrolment": enrolment, "programme": enrolment.programme})


def test_the_certificate_says_the_levels_and_has_a_signature_block(organisation: Organisation) -> None:
    enrolment = Enrolment.objects.get(pk=_completed(organisation).pk)
    text = _text(_download(enrolment))
    assert "preceptorship programme" in text and enrolment.programme.name in text
    assert "moves from Level 1 to Level 2" in " ".join(text.split())
    assert "Signatures" in text
    assert enrolment.mentor.get_full_name() in text and enrolment.line_manager.get_full_name() in text
    assert "Mentor" in text and "Line manager" in text and f"For {organisation.name}" in text


def test_a_councils_certificate_has_no_nhs_logo(organisation: Organisation) -> None:
    enrolment = _completed(organisation)
    assert organisation.kind == Organisation.Kind.LOCAL_AUTHORITY
    assert "data-nhs-logo" not in _html(enrolment)
    pdf = _download(enrolment)
    assert organisation.name in _text(pdf) and not _blue(pdf)


@pytest.mark.parametrize("kind", [Organisation.Kind.NHS_TRUST, Organisation.Kind.PRIMARY_CARE])
def test_an_nhs_organisations_certificate_has_the_nhs_logo(organisation: Organisation, kind: str) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(kind=kind)
    enrolment = Enrolment.objects.select_related("programme__organisation").get(pk=_completed(organisation).pk)
    assert "data-nhs-logo" in _html(enrolment)
    assert _blue(_download(enrolment))


def test_an_independent_providers_certificate_has_no_nhs_logo(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(kind=Organisation.Kind.INDEPENDENT)
    enrolment = Enrolment.objects.select_related("programme__organisation").get(pk=_completed(organisation).pk)
    assert "data-nhs-logo" not in _html(enrolment)
    assert not _blue(_download(enrolment))


def test_a_programme_without_levels_says_no_levels(organisation: Organisation) -> None:
    enrolment = _completed(organisation)
    enrolment.programme.entry_level = enrolment.programme.exit_level = ""
    enrolment.programme.save(update_fields=["entry_level", "exit_level"])
    html = _html(Enrolment.objects.get(pk=enrolment.pk))
    assert "data-levels" not in html and "Progressed to Level 2" in html
