"""A line manager's authority over progression cases is their team and the people they manage,
never the whole organisation; a practitioner has at most one open case per framework."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import TeamFactory, person
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import line_managers, services
from progression.models import Framework, ProgressionCase
from progression.services import TransitionError
from progression.tests.factories import small_framework

pytestmark = pytest.mark.django_db

Role = Membership.Role
Stage = ProgressionCase.Stage


@pytest.fixture
def other_team(organisation):
    return TeamFactory(organisation=organisation, name="South locality")


@pytest.fixture
def stranger(organisation, other_team):
    """A practitioner of the same organisation, in another team."""
    return person(organisation, Role.PRACTITIONER, team=other_team, email="stranger@example.org",
                  first_name="Sandra", last_name="Stranger")


def _open(cast, *, actor, practitioner, team, framework=None):
    return services.progression_case_open(
        actor=actor, practitioner=practitioner, framework=framework or small_framework(),
        target_role="Advanced Practitioner, Range 7", head_of_service=cast.hos, organisation=cast.organisation,
        team=team,
    )


def test_line_manager_cannot_open_a_case_for_a_practitioner_of_another_team(cast, stranger, other_team):
    with pytest.raises(PermissionDenied, match="in your team or someone you line manage"):
        _open(cast, actor=cast.manager, practitioner=stranger, team=other_team)
    with pytest.raises(PermissionDenied):
        _open(cast, actor=cast.manager, practitioner=stranger, team=cast.team)  # naming their own team
    assert not ProgressionCase.objects.filter(practitioner=stranger).exists()


def test_line_manager_opens_a_case_for_a_preceptee_they_manage_in_another_team(cast, stranger, other_team):
    EnrolmentFactory(programme=ProgrammeFactory(organisation=cast.organisation), preceptee=stranger,
                     team=other_team, line_manager=cast.manager)
    case = _open(cast, actor=cast.manager, practitioner=stranger, team=other_team)
    assert case.line_manager == cast.manager


def test_a_finished_enrolment_gives_no_authority(cast, stranger, other_team):
    EnrolmentFactory(programme=ProgrammeFactory(organisation=cast.organisation), preceptee=stranger,
                     team=other_team, line_manager=cast.manager, withdrawn=True)
    with pytest.raises(PermissionDenied):
        _open(cast, actor=cast.manager, practitioner=stranger, team=other_team)


def test_line_manager_without_a_team_only_manages_the_people_they_manage(cast, stranger, other_team):
    roaming = person(cast.organisation, Role.LINE_MANAGER, email="roaming@example.org")
    with pytest.raises(PermissionDenied):
        _open(cast, actor=roaming, practitioner=cast.practitioner, team=cast.team)
    assert selectors_list(roaming) == []
    EnrolmentFactory(programme=ProgrammeFactory(organisation=cast.organisation), preceptee=stranger,
                     team=other_team, line_manager=roaming)
    assert selectors_list(roaming) == [stranger.pk]
    assert _open(cast, actor=roaming, practitioner=stranger, team=other_team).line_manager == roaming


def selectors_list(user):
    return sorted(line_managers.managed_practitioners(user).values_list("pk", flat=True))


def test_a_second_open_case_for_the_same_practitioner_and_framework_is_refused(cast):
    framework = small_framework()
    first = _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team, framework=framework)
    with pytest.raises(ValidationError, match="already has an open progression case on this framework"):
        _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team, framework=framework)
    # Nor by the practitioner opening their own.
    with pytest.raises(ValidationError, match="already has an open progression case"):
        _open(cast, actor=cast.practitioner, practitioner=cast.practitioner, team=cast.team, framework=framework)
    # Another framework is another case.
    _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team)
    # Once the first is finished, a new one may be opened.
    ProgressionCase.objects.filter(pk=first.pk).update(stage=Stage.DECLINED)
    _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team, framework=framework)


def test_an_open_case_on_an_earlier_version_of_the_framework_counts(cast):
    framework = small_framework()
    _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team, framework=framework)
    newer = small_framework()
    Framework.objects.filter(pk=newer.pk).update(slug=framework.slug, version=2)
    newer.refresh_from_db()
    with pytest.raises(ValidationError, match="already has an open progression case"):
        _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team, framework=newer)


def test_the_database_refuses_a_second_open_case(cast):
    case = _open(cast, actor=cast.manager, practitioner=cast.practitioner, team=cast.team)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressionCase.objects.create(
            practitioner=case.practitioner, organisation=case.organisation, framework=case.framework,
            target_role="Again", line_manager=cast.manager, head_of_service=cast.hos, opened_by=cast.manager,
        )
    ProgressionCase.objects.create(
        practitioner=case.practitioner, organisation=case.organisation, framework=case.framework,
        target_role="Long ago", line_manager=cast.manager, head_of_service=cast.hos, opened_by=cast.manager,
        stage=Stage.CONFIRMED,
    )


# Through the pages.


def test_the_open_form_lists_the_team_and_no_one_else(client, cast, stranger):
    client.force_login(cast.manager)
    response = client.get(reverse("progression:case-open"))
    assert response.status_code == HTTPStatus.OK
    choices = {pk for pk, _ in response.context["form"].fields["practitioner"].choices if pk}
    assert {int(str(pk)) for pk in choices} == {cast.practitioner.pk, cast.colleague.pk}
    assert "Stranger" not in response.content.decode()


def test_posting_a_practitioner_of_another_team_opens_nothing(client, cast, stranger):
    framework = small_framework()
    client.force_login(cast.manager)
    response = client.post(reverse("progression:case-open"), {
        "practitioner": stranger.pk, "framework": framework.pk, "target_role": "Advanced Practitioner, Range 7",
        "head_of_service": cast.hos.pk,
    })
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["practitioner"]
    assert not ProgressionCase.objects.filter(practitioner=stranger).exists()


def test_a_second_open_case_through_the_page_is_refused_with_a_message(client, cast):
    framework = small_framework()
    data = {"practitioner": cast.practitioner.pk, "framework": framework.pk,
            "target_role": "Advanced Practitioner, Range 7", "head_of_service": cast.hos.pk}
    client.force_login(cast.manager)
    assert client.post(reverse("progression:case-open"), data).status_code == HTTPStatus.FOUND
    response = client.post(reverse("progression:case-open"), data)
    assert response.status_code == HTTPStatus.OK
    assert "already has an open progression case on this framework" in response.content.decode()
    assert ProgressionCase.objects.filter(practitioner=cast.practitioner).count() == 1


def test_the_eligibility_of_another_team_stays_out_of_reach(client, cast, stranger, other_team):
    """Their manager's case shows their eligibility to that manager; another team's manager gets 404."""
    their_manager = person(cast.organisation, Role.LINE_MANAGER, team=other_team, email="south@example.org")
    case = _open(cast, actor=their_manager, practitioner=stranger, team=other_team)
    client.force_login(their_manager)
    assert "Since first registration" in client.get(case.get_absolute_url()).content.decode()
    client.force_login(cast.manager)
    assert client.get(case.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


# Taking up a case the practitioner opened.


def _opened_by(practitioner, cast, team):
    return services.progression_case_open(
        actor=practitioner, practitioner=practitioner, framework=small_framework(),
        target_role="Advanced Practitioner, Range 7", head_of_service=cast.hos, organisation=cast.organisation,
        team=team,
    )


def test_a_line_manager_without_a_team_cannot_take_up_a_case_of_a_team(client, cast):
    roaming = person(cast.organisation, Role.LINE_MANAGER, email="roaming@example.org")
    case = _opened_by(cast.practitioner, cast, cast.team)
    with pytest.raises(TransitionError):
        services.progression_case_take_up(actor=roaming, case=case)
    client.force_login(roaming)
    assert client.get(case.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert services.progression_case_take_up(actor=cast.manager, case=case).line_manager == cast.manager


def test_a_line_manager_who_manages_the_practitioner_takes_up_their_case(cast, stranger, other_team):
    roaming = person(cast.organisation, Role.LINE_MANAGER, email="roaming@example.org")
    EnrolmentFactory(programme=ProgrammeFactory(organisation=cast.organisation), preceptee=stranger,
                     team=other_team, line_manager=roaming)
    case = _opened_by(stranger, cast, other_team)
    with pytest.raises(TransitionError):
        services.progression_case_take_up(actor=cast.manager, case=case)
    assert services.progression_case_take_up(actor=roaming, case=case).line_manager == roaming
