"""Self-assessment: a framework version marked for it by whoever manages it; the practitioner rates
each competency themselves; their line manager settles each disagreement with an outcome and a reason;
submission waits for both, and says what is missing.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given

from preceptorship.errors import TransitionError
from preceptorship.models import AuditEntry
from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_form
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from progression import services
from progression.models import Competency, CompetencyAssessment, CompetencyMark, Framework, ProgressionCase
from progression.tests.factories import CompetencyFactory, agree, mark_required, small_framework

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _self_assessed(cast: Any) -> Framework:
    framework = small_framework(owner=cast.organisation)
    return services.framework_set_self_assessment(actor=cast.lead, framework=framework, self_assessed=True)


def _competencies(case: ProgressionCase) -> list[Competency]:
    return list(Competency.objects.filter(section__framework=case.framework).order_by("section__order", "order"))


def _rate_all(case: ProgressionCase, status: str = "reached") -> None:
    services.self_assessment_save(actor=case.practitioner, case=case,
                                  ratings={c.pk: status for c in _competencies(case)})


def test_the_programme_lead_marks_a_published_version_for_self_assessment_and_it_is_audited(cast):
    framework = _self_assessed(cast)
    assert Framework.objects.get(pk=framework.pk).self_assessed
    entry = AuditEntry.objects.get(action="framework.self_assessment")
    assert entry.before == {"self_assessed": False} and entry.after == {"self_assessed": True}
    with pytest.raises(TransitionError):
        services.framework_set_self_assessment(actor=cast.manager, framework=framework, self_assessed=False)


def test_submission_is_refused_until_every_competency_is_rated_and_lists_what_is_missing(cast):
    case = cast.open_case(_self_assessed(cast))
    mark_required(case, cast.manager)
    with pytest.raises(ValidationError) as refused:
        services.progression_case_submit(actor=cast.manager, case=case)
    message = refused.value.messages[0]
    for competency in _competencies(case):
        assert f"{competency.code} ({competency.section.title}): not yet rated by the practitioner" in message
    assert "not yet reached" not in message


def test_a_disagreement_blocks_submission_until_settled_and_the_outcome_is_kept(cast):
    case = cast.open_case(_self_assessed(cast))
    mark_required(case, cast.manager)
    entry, *_ = _competencies(case)  # an entry competency: the manager left it "not yet"
    _rate_all(case)
    with pytest.raises(ValidationError, match=f"{entry.code} .*rates it “reached” and the manager “not yet”"):
        services.progression_case_submit(actor=cast.manager, case=case)
    assert [row.competency for row in services.disagreements(case)] == [c for c in _competencies(case)
                                                                         if c.section.title == "Entry"]
    # The manager's rating stands for one; a new rating for the other (no evidence needed below "reached").
    first, second = services.disagreements(case)
    services.disagreement_settle(actor=cast.manager, case=case, competency=first.competency, outcome="manager",
                                 reason="Not yet seen in practice.")
    settled = services.disagreement_settle(actor=cast.manager, case=case, competency=second.competency,
                                           outcome="new", new_status="developing", reason="Seen once, with help.")
    assert settled.status == "developing" and settled.is_settled
    assert CompetencyMark.objects.filter(assessment=settled, status="developing",
                                         comment__contains="Seen once").exists()
    assert AuditEntry.objects.filter(action="progression_case.settle").count() == 2
    # The new rating changed the table: the practitioner reads it and agrees again.
    case = agree(ProgressionCase.objects.get(pk=case.pk))
    assert services.progression_case_submit(actor=cast.manager, case=case).stage == Stage.SUBMITTED


def test_a_rating_changed_after_settlement_opens_the_disagreement_again(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "developing"})
    row = services.disagreement_settle(actor=cast.manager, case=case, competency=competency, outcome="manager",
                                       reason="Agreed in supervision.")
    assert not row.needs_settling
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "exceeded"})
    assert CompetencyAssessment.objects.get(case=case, competency=competency).needs_settling


def test_a_settlement_to_reached_needs_the_evidence_and_a_reason(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "reached"})
    with pytest.raises(ValidationError, match="needs 1 piece of dated evidence"):
        services.disagreement_settle(actor=cast.manager, case=case, competency=competency, outcome="worker",
                                     reason="Agreed.")
    with pytest.raises(ValidationError):
        services.disagreement_settle(actor=cast.manager, case=case, competency=competency, outcome="manager",
                                     reason="  ")


def test_only_the_practitioner_rates_and_only_the_line_manager_settles(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    with pytest.raises((TransitionError, Exception)):
        services.self_assessment_save(actor=cast.manager, case=case, ratings={competency.pk: "reached"})
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "developing"})
    with pytest.raises(Exception):
        services.disagreement_settle(actor=cast.practitioner, case=case, competency=competency, outcome="worker",
                                     reason="I say so.")
    with pytest.raises(TransitionError):
        services.disagreement_settle(actor=cast.hos, case=case, competency=competency, outcome="worker",
                                     reason="I say so.")
    assert AuditEntry.objects.filter(action="progression_case.self_rate").count() == 1


def test_a_framework_not_self_assessed_has_no_self_rating_pages(cast):
    case = cast.open_case()
    with pytest.raises(TransitionError):
        services.self_assessment_save(actor=cast.practitioner, case=case, ratings={})
    client = _client(cast.practitioner)
    assert client.get(reverse("progression:case-self-assessment", args=[case.pk])).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("progression:case-disagreements", args=[case.pk])).status_code == HTTPStatus.NOT_FOUND


def test_the_worker_rates_through_the_page_and_the_manager_settles_through_the_page(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    practitioner = _client(cast.practitioner)
    url = reverse("progression:case-self-assessment", args=[case.pk])
    page = practitioner.get(url)
    assert competency.statement in page.content.decode()
    response = practitioner.post(url, {f"rating_{competency.pk}": "developing"})
    assert response.status_code == HTTPStatus.FOUND
    assert CompetencyAssessment.objects.get(case=case, competency=competency).self_status == "developing"

    manager = _client(cast.manager)
    listing = manager.get(reverse("progression:case-disagreements", args=[case.pk])).content.decode()
    assert "Developing" in listing and "To settle" in listing
    settle = reverse("progression:case-disagreement-settle", args=[case.pk, competency.pk])
    refused = manager.post(settle, {"outcome": "manager", "reason": ""})
    assert refused.status_code == HTTPStatus.OK and "Give the reason for the outcome" in refused.content.decode()
    assert manager.post(settle, {"outcome": "manager", "reason": "Agreed in supervision."}).status_code == 302
    assert CompetencyAssessment.objects.get(case=case, competency=competency).is_settled
    # The worker reads the outcome but cannot settle.
    assert practitioner.get(settle).status_code == HTTPStatus.FORBIDDEN
    assert "Agreed in supervision." in practitioner.get(
        reverse("progression:case-disagreements", args=[case.pk])).content.decode()


def test_the_programme_lead_turns_self_assessment_on_through_the_page(cast):
    framework = small_framework(owner=cast.organisation)
    url = reverse("progression:framework-self-assessment", args=[framework.pk])
    assert _client(cast.lead).post(url, {"self_assessed": "yes"}).status_code == HTTPStatus.FOUND
    assert Framework.objects.get(pk=framework.pk).self_assessed
    assert _client(cast.manager).get(url).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)


def test_the_disagreements_page_takes_the_same_queries_however_many_disagreements(cast):
    case = cast.open_case(_self_assessed(cast))
    client = _client(cast.manager)
    url = reverse("progression:case-disagreements", args=[case.pk])
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={_competencies(case)[0].pk: "developing"})

    def grow() -> None:
        section = _competencies(case)[0].section
        for n in range(3):
            competency = CompetencyFactory(section=section, code=f"X{n}")
            CompetencyAssessment.objects.create(case=case, competency=competency)
        services.self_assessment_save(actor=cast.practitioner, case=case,
                                      ratings={c.pk: "developing" for c in _competencies(case)})
        services.disagreement_settle(actor=cast.manager, case=case, competency=_competencies(case)[1],
                                     outcome="manager", reason="Agreed.")

    assert_same_queries_at_two_sizes(lambda: client.get(url), grow)


def _survives(user: Any, url: str) -> None:
    client = _client(user)
    form = read_form(client, url)

    @HOSTILE_SETTINGS
    @given(data=hostile_data(form))
    def check(data: dict[str, Any]) -> None:
        assert_survives(client, form, data)

    check()


def test_the_self_assessment_and_settle_forms_survive_hostile_input(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "developing"})
    _survives(cast.practitioner, reverse("progression:case-self-assessment", args=[case.pk]))
    # The hostile ratings may have left none that differs from the manager's: disagree again.
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "developing"})
    _survives(cast.manager, reverse("progression:case-disagreement-settle", args=[case.pk, competency.pk]))
    _survives(cast.lead, reverse("progression:framework-self-assessment", args=[case.framework.pk]))


def test_a_settlement_that_changes_the_managers_mark_asks_for_the_practitioners_statement_again(cast):
    case = cast.open_case(_self_assessed(cast))
    competency = _competencies(case)[0]
    services.self_assessment_save(actor=cast.practitioner, case=case, ratings={competency.pk: "developing"})
    services.progression_case_statement(actor=cast.practitioner, case=case, agrees=True)
    services.disagreement_settle(actor=cast.manager, case=case, competency=competency, outcome="worker",
                                 reason="Developing: agreed in supervision.")
    assert ProgressionCase.objects.get(pk=case.pk).statement == ""
