"""Evidence before "reached": a framework says how many dated pieces of evidence each competency
needs (one unless it says otherwise; set while it is a draft), marking a competency reached or
exceeded with fewer is refused beside the field, and a case is submitted only once the required
sections are evidenced, with what is missing listed competency by competency. "Submit" is on the
case page only when the case can be submitted.
"""

from __future__ import annotations

import datetime
import json
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.errors import TransitionError
from progression import services
from progression.models import Competency, CompetencyMark, Framework, ProgressionCase
from progression.tests.factories import mark_required, small_framework

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _k1(case: ProgressionCase) -> Competency:
    return Competency.objects.get(section__framework=case.framework, code="K1")


def _evidence(cast: Any, case: ProgressionCase, competencies: list[Competency], title: str = "An example") -> Any:
    return services.evidence_add(actor=cast.practitioner, case=case, title=title,
                                 example_date=datetime.date(2024, 2, 1), description="What happened.",
                                 competencies=competencies)


def _mark(cast: Any, case: ProgressionCase, competency: Competency, status: str = "reached") -> Any:
    return services.competency_mark(actor=cast.manager, case=case, competency=competency, status=status,
                                     reached_on=None, comment="Seen in practice.")


def test_a_framework_needs_one_piece_of_evidence_unless_it_says_otherwise(cast):
    assert small_framework().evidence_per_competency == 1


def test_marking_reached_without_evidence_is_refused_beside_the_status_and_nothing_is_marked(cast):
    case = cast.open_case()
    for status in ("reached", "exceeded"):
        with pytest.raises(ValidationError) as refused:
            _mark(cast, case, _k1(case), status)
        assert refused.value.message_dict["status"] == [
            f"K1 needs 1 piece of dated evidence before it can be marked {status}; it has 0. Add the evidence first."]
    assert not CompetencyMark.objects.exists()
    assert case.assessments.get(competency=_k1(case)).status == "not_yet"
    # Developing needs no evidence.
    assert _mark(cast, case, _k1(case), "developing").status == "developing"


def test_a_framework_asking_for_two_pieces_refuses_one_and_accepts_two(cast):
    framework = small_framework()
    Framework.objects.filter(pk=framework.pk).update(evidence_per_competency=2)
    case = cast.open_case(Framework.objects.get(pk=framework.pk))
    _evidence(cast, case, [_k1(case)])
    with pytest.raises(ValidationError, match="needs 2 pieces of dated evidence .* it has 1"):
        _mark(cast, case, _k1(case))
    _evidence(cast, case, [_k1(case)], "A second example")
    assert _mark(cast, case, _k1(case)).status == "reached"


def test_the_mark_page_says_why_beside_the_field(cast):
    case = cast.open_case()
    url = reverse("progression:case-competency", args=[case.pk, _k1(case).pk])
    response = _client(cast.manager).post(url, {"status": "reached", "comment": "Led the review."})
    assert response.status_code == HTTPStatus.OK
    assert "needs 1 piece of dated evidence" in response.context["form"].errors["status"][0]
    assert "Led the review." in response.content.decode()
    assert not CompetencyMark.objects.exists()


def test_submission_is_refused_listing_what_is_missing_competency_by_competency(cast):
    case = cast.open_case()
    k1, k2 = Competency.objects.filter(section__framework=case.framework, section__title="Key").order_by("order")
    _evidence(cast, case, [k1])
    _mark(cast, case, k1)
    with pytest.raises(ValidationError) as refused:
        services.progression_case_submit(actor=cast.manager, case=case)
    message = refused.value.messages[0]
    assert "K1" not in message
    assert "K2 (Key): not yet reached (it is “not yet”) and 0 of 1 piece of dated evidence" in message
    assert "The practitioner has not yet read the table" in message
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT


def test_evidence_deleted_after_marking_stops_the_submission(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    for item in case.evidence.all():
        services.evidence_delete(actor=cast.manager, evidence=item)
    with pytest.raises(ValidationError, match=r"K1 \(Key\): 0 of 1 piece of dated evidence"):
        services.progression_case_submit(actor=cast.manager, case=ProgressionCase.objects.get(pk=case.pk))


def test_the_submit_button_is_there_only_when_the_case_can_be_submitted(cast):
    case = cast.open_case()
    client = _client(cast.manager)
    submit = reverse("progression:case-submit", args=[case.pk])
    body = client.get(case.get_absolute_url()).content.decode()
    assert submit not in body and "Submit the case</button>" not in body
    assert "The case cannot be submitted yet. Still missing:" in body
    assert "K1 (Key): not yet reached" in body and "K2 (Key): not yet reached" in body
    mark_required(case, cast.manager)
    body = client.get(case.get_absolute_url()).content.decode()
    assert submit in body and "Submit the case</button>" in body and "Still missing" not in body
    # Nobody else sees it.
    assert submit not in _client(cast.hos).get(case.get_absolute_url()).content.decode()


def test_a_draft_framework_says_how_many_pieces_on_its_edit_page(cast):
    draft = small_framework(owner=cast.organisation, status=Framework.Status.DRAFT)
    client = _client(cast.lead)
    url = reverse("progression:framework-edit", args=[draft.pk])
    data = {"name": draft.name, "source": "", "from_level": "", "to_level": "",
            "content": "section,code,statement,guidance\nOnly,O1,Does one thing.,\n", "required_sections": "Only"}
    refused = client.post(url, {**data, "evidence_per_competency": "21"})
    assert refused.context["form"].errors["evidence_per_competency"] == ["Enter 20 or fewer."]
    assert Framework.objects.get(pk=draft.pk).evidence_per_competency == 1
    assert client.post(url, {**data, "evidence_per_competency": "3"}).status_code == HTTPStatus.FOUND
    assert Framework.objects.get(pk=draft.pk).evidence_per_competency == 3
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "3 dated pieces before it can be marked reached" in page


def test_a_published_framework_keeps_its_number_and_a_new_version_copies_it(cast):
    framework = small_framework(owner=cast.organisation)
    with pytest.raises(TransitionError):
        services.framework_update(actor=cast.lead, framework=framework, data={"evidence_per_competency": 4})
    Framework.objects.filter(pk=framework.pk).update(evidence_per_competency=2)
    draft = services.framework_new_version(actor=cast.lead, framework=Framework.objects.get(pk=framework.pk))
    assert draft.evidence_per_competency == 2


def test_the_service_refuses_a_number_out_of_range_beside_the_field(cast):
    draft = small_framework(owner=cast.organisation, status=Framework.Status.DRAFT)
    data = {"name": draft.name, "sections": [{"title": "Only", "competencies": [{"code": "O1", "statement": "x"}]}]}
    with pytest.raises(ValidationError) as refused:
        services.framework_update(actor=cast.lead, framework=draft, data={**data, "evidence_per_competency": -1})
    assert "evidence_per_competency" in refused.value.message_dict


def test_a_framework_file_carries_the_number_and_a_wrong_one_is_refused(cast):
    from progression import frameworks_io

    body = {"name": "Imported", "evidence_per_competency": 2,
            "sections": [{"title": "Only", "competencies": [{"code": "O1", "statement": "Does one thing."}]}]}
    parsed = frameworks_io.parse_json(json.dumps(body))
    assert not parsed.errors
    framework = services.framework_import(actor=cast.lead, data=parsed.frameworks[0], owner=cast.organisation)
    assert framework.evidence_per_competency == 2
    assert frameworks_io.export_data([framework])[0]["evidence_per_competency"] == 2
    refused = frameworks_io.parse_json(json.dumps({**body, "evidence_per_competency": "two"}))
    assert refused.errors == ["Framework 1: evidence_per_competency must be a whole number from 0 to 20."]
