"""A case fits its practitioner, and a case opened by mistake can be withdrawn with a reason.

Opening a case on a framework for another profession, or starting from another band or range than
the practitioner's, is refused beside the framework field and opens nothing. The line manager
withdraws a draft with a reason: the step is checked first, audited, kept in the history and shown
on the case page; the case is then read-only and leaves the lists of cases waiting.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.errors import TransitionError
from preceptorship.models import AuditEntry
from preceptorship.tests.factories import profession
from progression import selectors, services
from progression.models import Competency, Decision, Framework, ProgressionCase
from progression.tests.factories import evidence_required, shipped, small_framework

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(cast: Any, framework: Any) -> ProgressionCase:
    return services.progression_case_open(
        actor=cast.manager, practitioner=cast.practitioner, framework=framework, target_role="Range 7",
        head_of_service=cast.hos, organisation=cast.organisation, team=cast.team)


# A case fits its practitioner --------------------------------------------------------------------------


def test_a_framework_for_another_profession_is_refused_beside_the_framework(cast):
    occupational_therapy = shipped("occupational-therapist-range-6-to-7")
    with pytest.raises(ValidationError) as refused:
        _open(cast, occupational_therapy)
    assert "is for occupational therapy" in refused.value.message_dict["framework"][0]
    assert "profession is social work" in refused.value.message_dict["framework"][0]
    assert not ProgressionCase.objects.exists()


def test_a_framework_starting_from_another_band_is_refused(cast):
    cast.practitioner.band = "Range 7"
    cast.practitioner.save()
    with pytest.raises(ValidationError) as refused:
        _open(cast, shipped())
    assert refused.value.message_dict["framework"] == [
        f"Choose a framework that starts from {cast.practitioner.get_full_name()}'s current band or range "
        f"(Range 7): {shipped().name} starts from Range 6."]
    assert not ProgressionCase.objects.exists()


def test_a_framework_suits_the_practitioners_profession_and_band_whatever_the_spacing_or_case(cast):
    cast.practitioner.band = "range  6"
    cast.practitioner.save()
    assert _open(cast, shipped()).stage == Stage.DRAFT


def test_a_practitioner_without_a_profession_is_refused_a_framework_for_a_profession(cast):
    cast.practitioner.profession = None
    cast.practitioner.save()
    with pytest.raises(ValidationError, match="has no profession recorded"):
        _open(cast, shipped())


def test_a_framework_that_records_neither_profession_nor_level_suits_everyone(cast):
    cast.practitioner.profession = profession("occupational-therapy")
    cast.practitioner.band = "Band 6"
    cast.practitioner.save()
    assert _open(cast, small_framework()).stage == Stage.DRAFT


def _offered(response: Any) -> set[int]:
    return {int(str(value)) for value, _label in response.context["form"].fields["framework"].choices if value}


def test_the_open_page_offers_only_the_frameworks_that_suit_the_practitioner(cast):
    """The line manager chooses the practitioner first; then only frameworks for their profession and
    current band or range are offered (the service's own rule), and a practitioner opening their own
    case is offered the same."""
    sw, ot, anyone = shipped(), shipped("occupational-therapist-range-6-to-7"), small_framework()
    url = reverse("progression:case-open")
    first = _client(cast.manager).get(url)
    assert set(first.context["form"].fields) == {"practitioner"}
    offered = _offered(_client(cast.manager).get(url, {"practitioner": cast.practitioner.pk}))
    assert sw.pk in offered and anyone.pk in offered and ot.pk not in offered
    for framework in Framework.objects.filter(status=Framework.Status.PUBLISHED):  # one rule for both
        assert (framework.pk in offered) == (not services.framework_fit_refusal(framework, cast.practitioner))
    cast.practitioner.band = "Range 7"  # past the start of both Range 6 frameworks
    cast.practitioner.save()
    assert _offered(_client(cast.practitioner).get(url)) == {anyone.pk}


def test_choosing_a_practitioner_outside_the_team_offers_nothing(cast, other_organisation):
    from preceptorship.models import Membership
    from preceptorship.tests.factories import person

    stranger = person(other_organisation, Membership.Role.PRACTITIONER)
    response = _client(cast.manager).get(reverse("progression:case-open"), {"practitioner": stranger.pk})
    assert response.context["form"].errors["practitioner"] == ["Choose a practitioner from the list."]
    assert "framework" not in response.context["form"].fields


def test_the_open_page_says_why_beside_the_framework_and_keeps_what_was_typed(cast):
    client = _client(cast.manager)
    response = client.post(reverse("progression:case-open"), {
        "practitioner": cast.practitioner.pk, "framework": shipped("occupational-therapist-range-6-to-7").pk,
        "target_role": "Senior practitioner in the hospital team", "head_of_service": cast.hos.pk,
    })
    assert response.status_code == HTTPStatus.OK
    assert "is for occupational therapy" in response.context["form"].errors["framework"][0]
    body = response.content.decode()
    assert "nhsuk-error-summary" in body and "Senior practitioner in the hospital team" in body
    assert not ProgressionCase.objects.exists()


# Withdrawing a case opened by mistake ------------------------------------------------------------------


def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(cast):
    case = cast.open_case()
    with pytest.raises(ValidationError) as refused:
        services.progression_case_withdraw(actor=cast.manager, case=case, reason="  ")
    assert "reason" in refused.value.message_dict
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT


def test_only_the_line_manager_withdraws_and_only_a_draft(cast):
    case = cast.open_case()
    with pytest.raises(PermissionDenied):
        services.progression_case_withdraw(actor=cast.practitioner, case=case, reason="Not wanted.")
    with pytest.raises(TransitionError):
        services.progression_case_withdraw(actor=cast.hos, case=case, reason="Not wanted.")
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT


def test_a_withdrawn_case_keeps_its_reason_in_the_history_and_the_audit_and_is_read_only(cast):
    case = cast.open_case()
    case = services.progression_case_withdraw(actor=cast.manager, case=case, reason="Opened on the wrong framework.")
    assert case.stage == Stage.WITHDRAWN and case.is_locked and case.withdrawal_reason == "Opened on the wrong framework."
    decision = Decision.objects.get(case=case, decision=Decision.Kind.WITHDRAWN)
    assert decision.actor == cast.manager and decision.comment == "Opened on the wrong framework."
    entry = AuditEntry.objects.get(action="progression_case.withdrawn")
    assert entry.actor == cast.manager and entry.object_id == str(case.pk)
    competency = Competency.objects.filter(section__framework=case.framework).first()
    with pytest.raises(TransitionError):
        services.competency_mark(actor=cast.manager, case=case, competency=competency, status="developing",
                                 reached_on=None, comment="")
    with pytest.raises(TransitionError):
        evidence_required(case, cast.manager)
    with pytest.raises(TransitionError):
        services.progression_case_submit(actor=cast.manager, case=case)
    with pytest.raises(TransitionError):
        services.progression_case_withdraw(actor=cast.manager, case=case, reason="Again.")


def test_a_withdrawn_case_leaves_the_lists_waiting_and_frees_the_framework(cast):
    case = cast.open_case()
    assert case in selectors.waiting_for(cast.manager)
    services.progression_case_withdraw(actor=cast.manager, case=case, reason="Opened twice.")
    assert case not in selectors.waiting_for(cast.manager)
    assert _open(cast, case.framework).stage == Stage.DRAFT


def test_withdrawing_through_the_pages_is_checked_first_then_shown_on_the_case(cast):
    case = cast.open_case()
    client = _client(cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("progression:case-withdraw", args=[case.pk])
    assert url in page
    empty = client.post(url, {"revision": case.revision, "reason": ""})
    assert empty.context["form"].errors["reason"] == ["Say why the case is withdrawn."]
    check = client.post(url, {"revision": case.revision, "reason": "Opened for the wrong person."})
    body = check.content.decode()
    assert "Check before you withdraw the case" in body and "Opened for the wrong person." in body
    assert f"{cast.practitioner.get_full_name()}, Practitioner" in body
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT
    done = client.post(url, {"revision": case.revision, "reason": "Opened for the wrong person.", "confirm": "yes"},
                       follow=True)
    body = done.content.decode()
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.WITHDRAWN
    assert "Withdrawn by the line manager" in body and "Opened for the wrong person." in body
    assert url not in body and reverse("progression:evidence-add", args=[case.pk]) not in body
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
