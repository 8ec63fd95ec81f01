"""The confirmation letter: previewed before it is produced, signed by the Operational Director who
signed off (name and job title), stating the pay range, on the organisation's own letterhead with the
NHS logo only for an NHS organisation; and a redeployment recorded by the Head of Service or the
Operational Director, to a team where the practitioner's profession works."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from preceptorship.models import AuditEntry, Membership, Notification
from preceptorship.tests.factories import TeamFactory, person, profession
from progression import services
from progression.letters import letter_context, render_letter_pdf
from progression.models import Decision, ProgressionCase
from progression.services import redeployment
from progression.tests.letter_helpers import make_nhs, pdf_text, signed_off_case, told_case, uses_nhs_blue

pytestmark = pytest.mark.django_db
Role = Membership.Role
Stage = ProgressionCase.Stage
DIRECTOR_TITLE = "Director of Adult Social Care"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _titled(cast: Any) -> None:
    cast.director.job_title = DIRECTOR_TITLE
    cast.director.save(update_fields=["job_title"])


def _state(case: ProgressionCase) -> tuple[Any, ...]:
    case = ProgressionCase.objects.get(pk=case.pk)
    return (case.stage, case.revision, bool(case.letter_file), case.letter_generated_at, Decision.objects.count(),
            AuditEntry.objects.count(), Notification.objects.count())


def test_the_produced_letter_is_signed_by_the_director_with_the_pay_range_and_organisation(cast: Any) -> None:
    _titled(cast)
    case = told_case(cast)
    case = services.progression_case_confirm(actor=cast.hr, case=case)
    with case.letter_file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert cast.director.get_full_name() in text and DIRECTOR_TITLE in text
    assert "Range 7" in text and "Home Council" in text
    assert cast.manager.get_full_name() not in text.split("Yours sincerely")[-1]  # not the manager's signature


def test_a_director_without_a_job_title_signs_as_operational_director(cast: Any) -> None:
    text = pdf_text(render_letter_pdf(told_case(cast)))
    assert cast.director.get_full_name() in text and "Operational Director" in text


def test_a_councils_letter_has_no_nhs_logo_and_a_trusts_has_it(cast: Any) -> None:
    case = told_case(cast)
    council_html = render_to_string("pdf/letter.html", {"case": case, "letter": letter_context(case),
                                                        "organisation": case.organisation})
    assert "data-nhs-logo" not in council_html and "Home Council" in council_html
    assert not uses_nhs_blue(render_letter_pdf(case))

    make_nhs(cast)
    case = ProgressionCase.objects.get(pk=case.pk)
    trust_html = render_to_string("pdf/letter.html", {"case": case, "letter": letter_context(case),
                                                      "organisation": case.organisation})
    assert "data-nhs-logo" in trust_html
    assert uses_nhs_blue(render_letter_pdf(case))


def test_the_check_page_shows_the_letter_and_links_its_preview(cast: Any) -> None:
    _titled(cast)
    case = told_case(cast)
    body = _client(cast.hr).post(reverse("progression:case-confirm", args=[case.pk]),
                                 {"revision": case.revision}).content.decode()
    assert "data-preview" in body and "Congratulations on this achievement." in body
    assert cast.director.get_full_name() in body and DIRECTOR_TITLE in body and "Range 7" in body
    assert reverse("progression:case-letter-preview", args=[case.pk]) in body


def test_the_preview_is_the_letter_and_changes_nothing(cast: Any) -> None:
    _titled(cast)
    case = told_case(cast)
    before = _state(case)
    response = _client(cast.hr).get(reverse("progression:case-letter-preview", args=[case.pk]))
    assert response.status_code == HTTPStatus.OK and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    assert cast.director.get_full_name() in text and DIRECTOR_TITLE in text and "Range 7" in text
    assert _state(case) == before


def test_the_preview_is_only_for_who_produces_the_letter_while_it_can_be(cast: Any, outsider: Any) -> None:
    case = told_case(cast)
    url = reverse("progression:case-letter-preview", args=[case.pk])
    assert _client(cast.manager).get(url).status_code == HTTPStatus.OK
    assert _client(cast.practitioner).get(url).status_code == HTTPStatus.FORBIDDEN
    assert _client(cast.director).get(url).status_code == HTTPStatus.FORBIDDEN
    assert _client(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    services.progression_case_confirm(actor=cast.hr, case=case)
    assert _client(cast.hr).get(url).status_code == HTTPStatus.FORBIDDEN


# Redeployment ------------------------------------------------------------------------------------


@pytest.fixture
def teams(cast: Any) -> dict[str, Any]:
    """A social work team (where the practitioner's profession works) and a physiotherapy team."""
    social_work = TeamFactory(organisation=cast.organisation, name="Hospital Discharge Team")
    person(cast.organisation, Role.PRACTITIONER, team=social_work, profession=profession("social-work"))
    physio = TeamFactory(organisation=cast.organisation, name="Physiotherapy Outpatients")
    person(cast.organisation, Role.PRACTITIONER, team=physio, profession=profession("physiotherapy"))
    return {"social_work": social_work, "physio": physio}


def test_the_head_of_service_records_a_redeployment_checked_first(cast: Any, teams: dict[str, Any]) -> None:
    case = signed_off_case(cast)
    client, url = _client(cast.hos), reverse("progression:case-redeploy", args=[case.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["team"].queryset) == [teams["social_work"]]  # the profession's teams only
    answers = {"revision": case.revision, "team": teams["social_work"].pk, "reason": "Discharge team is short."}
    before = _state(case)
    body = client.post(url, answers).content.decode()
    assert "Check before you record the redeployment" in body and "Hospital Discharge Team" in body
    assert f"{cast.manager.get_full_name()}, Line manager" in body and f"{cast.hr.get_full_name()}, HR" in body
    assert _state(case) == before

    client.post(url, {**answers, "confirm": "yes"})
    case.refresh_from_db()
    assert case.redeployed_to == teams["social_work"] and case.stage == Stage.SIGNED_OFF
    assert AuditEntry.objects.filter(action="progression_case.redeploy", object_id=str(case.pk)).exists()
    told = set(Notification.objects.filter(kind="progression_case_redeployed").values_list("recipient_id", flat=True))
    assert told == {cast.manager.pk, cast.hr.pk}

    # HR's record keeps it, and the letter says so.
    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-2",
                                               effective_date=case.stage_changed_at.date(),
                                               redeployed_to=case.redeployed_to)
    assert "Hospital Discharge Team" in " ".join(letter_context(case).paragraphs)


def test_the_operational_director_may_record_it_too(cast: Any, teams: dict[str, Any]) -> None:
    case = signed_off_case(cast)
    redeployment.progression_case_redeploy(actor=cast.director, case=case, team=teams["social_work"],
                                           reason="Business need")
    assert ProgressionCase.objects.get(pk=case.pk).redeployed_to == teams["social_work"]


def test_a_team_of_another_profession_is_refused(cast: Any, teams: dict[str, Any]) -> None:
    case = signed_off_case(cast)
    response = _client(cast.hos).post(reverse("progression:case-redeploy", args=[case.pk]), {
        "revision": case.revision, "team": teams["physio"].pk, "reason": "Business need", "confirm": "yes"})
    assert response.status_code == HTTPStatus.OK and "Select a valid choice" in response.content.decode()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        redeployment.progression_case_redeploy(actor=cast.hos, case=case, team=teams["physio"], reason="Need")
    assert "team" in error.value.message_dict
    assert ProgressionCase.objects.get(pk=case.pk).redeployed_to is None


def test_only_the_head_of_service_or_director_after_sign_off(cast: Any, teams: dict[str, Any],
                                                             outsider: Any) -> None:
    case = signed_off_case(cast)
    url = reverse("progression:case-redeploy", args=[case.pk])
    assert _client(cast.hos).get(url).status_code == HTTPStatus.OK
    for user in (cast.hr, cast.manager, cast.practitioner):
        assert _client(user).get(url).status_code == HTTPStatus.FORBIDDEN
    assert _client(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    told = told_case_from(cast, case)
    assert _client(cast.hos).get(reverse("progression:case-redeploy", args=[told.pk])).status_code == (
        HTTPStatus.FORBIDDEN)


def told_case_from(cast: Any, case: ProgressionCase) -> ProgressionCase:
    import datetime

    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-3",
                                               effective_date=datetime.date(2025, 4, 1))
    return services.progression_case_record_told(actor=cast.manager, case=case, told_on=datetime.date(2025, 3, 20),
                                                 told_by=cast.manager)


def test_the_case_page_offers_the_redeployment_to_the_head_of_service_only(cast: Any, teams: dict[str, Any]) -> None:
    case = signed_off_case(cast)
    url = reverse("progression:case-redeploy", args=[case.pk])
    assert url in _client(cast.hos).get(case.get_absolute_url()).content.decode()
    assert url in _client(cast.director).get(case.get_absolute_url()).content.decode()
    assert url not in _client(cast.hr).get(case.get_absolute_url()).content.decode()


def test_hrs_form_keeps_the_recorded_move_and_offers_the_professions_teams(cast: Any, teams: dict[str, Any]) -> None:
    case = signed_off_case(cast)
    case = redeployment.progression_case_redeploy(actor=cast.hos, case=case, team=teams["social_work"],
                                                  reason="Business need")
    form = _client(cast.hr).get(reverse("progression:case-hr", args=[case.pk])).context["form"]
    assert form["redeployed_to"].value() == teams["social_work"].pk
    assert list(form.fields["redeployed_to"].queryset) == [teams["social_work"]]


def test_markup_in_a_name_is_shown_as_text_in_the_preview(cast: Any) -> None:
    cast.practitioner.first_name = "<script>alert(1)</script>"
    cast.practitioner.save(update_fields=["first_name"])
    case = told_case(cast)
    body = _client(cast.hr).post(reverse("progression:case-confirm", args=[case.pk]),
                                 {"revision": case.revision}).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_template_with_its_own_closing_is_refused_and_an_old_one_is_signed_once(cast: Any) -> None:
    from django.core.exceptions import ValidationError

    from progression.models import LetterTemplate

    with pytest.raises(ValidationError) as error:
        services.letter_template_save(actor=cast.hr, organisation=cast.organisation, heading="Your new role",
                                      body="Dear {{ practitioner_name }},\n\nWell done.\n\nYours sincerely,\n\n"
                                           "{{ line_manager }}")
    assert "Leave out the closing" in error.value.message_dict["body"][0]
    # Saved before the rule: the closing and the manager's name are left out, the signer signs.
    LetterTemplate.objects.create(organisation=cast.organisation, heading="Your new role",
                                  body="Dear {{ practitioner_name }},\n\nWell done.\n\nYours sincerely,\n\n"
                                       "{{ line_manager }}")
    _titled(cast)
    text = pdf_text(render_letter_pdf(told_case(cast)))
    assert text.count("Yours sincerely") == 1 and cast.manager.get_full_name() not in text
    assert cast.director.get_full_name() in text and DIRECTOR_TITLE in text
