"""Helpers for the letter, pack and certificate tests: a case along the chain and PDFs read back."""

from __future__ import annotations

import datetime
import io
from typing import Any

from pypdf import PdfReader

from preceptorship.models import Organisation
from progression import services
from progression.models import ProgressionCase
from progression.tests.factories import small_framework

Stage = ProgressionCase.Stage
NHS_BLUE_FILL = b"0 0.368627 0.721569 rg"  # #005eb8 as WeasyPrint writes a fill colour


def pdf_text(pdf: bytes) -> str:
    """Every page's text, pages joined by a form feed."""
    return "\f".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def uses_nhs_blue(pdf: bytes) -> bool:
    """True when any page paints in NHS blue: the logo, and the NHS letterhead's colour."""
    return any(NHS_BLUE_FILL in page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages)


def make_nhs(cast: Any) -> None:
    Organisation.objects.filter(pk=cast.organisation.pk).update(kind=Organisation.Kind.NHS_TRUST)
    cast.organisation.refresh_from_db()


def signed_off_case(cast: Any) -> ProgressionCase:
    """A case signed off by ``cast.director`` through the service, on a Range 6 to Range 7 framework."""
    framework = small_framework(owner=cast.organisation)
    framework.from_level, framework.to_level = "Range 6", "Range 7"
    framework.save(update_fields=["from_level", "to_level"])
    case = cast.open_case(framework)
    # Straight to the Operational Director: submission and recommendation are tested elsewhere.
    ProgressionCase.objects.filter(pk=case.pk).update(stage=Stage.RECOMMENDED)
    case.refresh_from_db()
    return services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")


def told_case(cast: Any) -> ProgressionCase:
    """Signed off, the HR process recorded and the worker told: the letter is next."""
    case = services.progression_case_hr_record(actor=cast.hr, case=signed_off_case(cast), hr_reference="PAY-41",
                                               effective_date=datetime.date(2025, 4, 1))
    return services.progression_case_record_told(actor=cast.manager, case=case, told_on=datetime.date(2025, 3, 20),
                                                 told_by=cast.manager)
