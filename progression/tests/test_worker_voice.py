"""The worker's voice: before submission the practitioner reads the table and adds their comments or
says they agree (or the line manager records why they could not); the Head of Service and the
Operational Director read that statement; the Operational Director's decision page starts with the
Head of Service's recommendation and reasons; a return can point at the competencies concerned,
which the line manager sees highlighted on the case page.
"""

from __future__ import annotations

import datetime
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from preceptorship.errors import TransitionError
from preceptorship.models import AuditEntry, Notification
from progression import services
from progression.models import Competency, CompetencyAssessment, Decision, ProgressionCase
from progression.tests.factories import agree, mark_required, small_framework

pytestmark = pytest.mark.django_db
Stage = ProgressionCase.Stage
Statement = ProgressionCase.Statement


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ready(cast: Any) -> ProgressionCase:
    """Evidenced and reached, waiting only for the practitioner's statement."""
    case = cast.open_case()
    mark_required(case, cast.manager, statement=False)
    return ProgressionCase.objects.get(pk=case.pk)


def _recommended(cast: Any) -> ProgressionCase:
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    return services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True,
                                                comment="Leads the team's duty rota with confidence.")


def test_the_manager_cannot_submit_until_the_practitioner_has_given_their_statement(cast):
    case = _ready(cast)
    with pytest.raises(ValidationError, match="The practitioner has not yet read the table"):
        services.progression_case_submit(actor=cast.manager, case=case)
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT
    # Once the table is complete the practitioner is asked.
    assert Notification.objects.filter(recipient=cast.practitioner, kind="progression_case_statement_wanted").exists()
    case = agree(case)
    assert services.progression_case_submit(actor=cast.manager, case=case).stage == Stage.SUBMITTED


def test_the_statement_is_recorded_with_its_date_in_the_history_and_the_audit(cast):
    case = services.progression_case_statement(actor=cast.practitioner, case=_ready(cast), agrees=False,
                                               comment="K2 was reached before the date shown.")
    assert case.statement == Statement.COMMENTED and case.statement_by == cast.practitioner
    assert case.statement_at is not None and case.statement_text == "K2 was reached before the date shown."
    decision = Decision.objects.get(case=case, decision=Decision.Kind.STATEMENT)
    assert decision.actor == cast.practitioner and "K2 was reached before the date shown." in decision.comment
    assert AuditEntry.objects.filter(action="progression_case.statement", actor=cast.practitioner).exists()


def test_not_agreeing_needs_comments_and_only_the_practitioner_gives_the_statement(cast):
    case = _ready(cast)
    with pytest.raises(ValidationError) as refused:
        services.progression_case_statement(actor=cast.practitioner, case=case, agrees=False, comment=" ")
    assert "comment" in refused.value.message_dict
    with pytest.raises(TransitionError):
        services.progression_case_statement(actor=cast.manager, case=case, agrees=True)
    assert not ProgressionCase.objects.get(pk=case.pk).statement


def test_the_manager_records_why_the_practitioner_could_not_and_can_then_submit(cast):
    case = _ready(cast)
    with pytest.raises(ValidationError) as refused:
        services.progression_case_statement_unable(actor=cast.manager, case=case, reason="")
    assert "reason" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.progression_case_statement_unable(actor=cast.practitioner, case=case, reason="Away.")
    case = services.progression_case_statement_unable(actor=cast.manager, case=case,
                                                      reason="Long-term sickness absence since March.")
    assert case.statement == Statement.UNABLE and case.statement_by == cast.manager
    assert services.progression_case_submit(actor=cast.manager, case=case).stage == Stage.SUBMITTED


def test_a_mark_after_the_statement_asks_the_practitioner_again(cast):
    case = agree(_ready(cast))
    k1 = Competency.objects.get(section__framework=case.framework, code="K1")
    services.competency_mark(actor=cast.manager, case=case, competency=k1, status="exceeded", reached_on=None,
                             comment="Now leads the panel.")
    assert not ProgressionCase.objects.get(pk=case.pk).statement
    with pytest.raises(ValidationError, match="The practitioner has not yet read the table"):
        services.progression_case_submit(actor=cast.manager, case=ProgressionCase.objects.get(pk=case.pk))


def test_the_practitioner_gives_their_statement_on_its_page(cast):
    case = _ready(cast)
    client = _client(cast.practitioner)
    url = reverse("progression:case-statement", args=[case.pk])
    assert url in client.get(case.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK and "Seen in supervision." in page.content.decode()
    refused = client.post(url, {"revision": case.revision, "agrees": "no", "comment": ""})
    assert "comment" in refused.context["form"].errors
    assert not ProgressionCase.objects.get(pk=case.pk).statement
    done = client.post(url, {"revision": case.revision, "agrees": "no", "comment": "I also chaired the panel."},
                       follow=True)
    assert "Your statement is saved." in done.content.decode()
    assert ProgressionCase.objects.get(pk=case.pk).statement == Statement.COMMENTED
    assert _client(cast.manager).get(url).status_code == HTTPStatus.FORBIDDEN


def test_the_manager_sees_what_is_missing_and_where_to_record_an_absence(cast):
    case = _ready(cast)
    client = _client(cast.manager)
    body = client.get(case.get_absolute_url()).content.decode()
    unable = reverse("progression:case-statement-unable", args=[case.pk])
    assert "The practitioner's statement: they have not yet read the table" in body and unable in body
    assert "Submit the case</button>" not in body
    empty = client.post(unable, {"revision": case.revision, "reason": ""})
    assert empty.context["form"].errors["reason"] == ["Say why the practitioner could not give their statement."]
    client.post(unable, {"revision": case.revision, "reason": "On long-term leave."})
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Could not give a statement" in body and "On long-term leave." in body
    assert "Submit the case</button>" in body


def _add_evidence(case: ProgressionCase, actor: Any) -> Any:
    return services.evidence_add(actor=actor, case=case, title="A later home visit",
                                 example_date=datetime.date(2024, 3, 1), description="Seen on a joint visit.",
                                 competencies=[Competency.objects.get(section__framework=case.framework, code="K1")])


def _statement_wanted(cast: Any) -> int:
    return Notification.objects.filter(recipient=cast.practitioner, kind="progression_case_statement_wanted").count()


def test_evidence_added_after_the_statement_asks_for_it_again(cast):
    """Like a new mark or a return: the practitioner agreed with a table that has since changed, so
    their statement is out of date; the case cannot be submitted until they give it again."""
    case = agree(_ready(cast))
    asked = _statement_wanted(cast)
    _add_evidence(case, cast.manager)
    case = ProgressionCase.objects.get(pk=case.pk)
    assert not case.statement
    assert _statement_wanted(cast) == asked + 1
    entry = AuditEntry.objects.filter(action="progression_case.evidence_add").latest("pk")
    assert entry.after == {"statement": "out of date"}
    with pytest.raises(ValidationError, match="or the table changed after they did"):
        services.progression_case_submit(actor=cast.manager, case=case)
    # The history keeps the statement that no longer stands.
    assert Decision.objects.filter(case=case, decision=Decision.Kind.STATEMENT).count() == 1
    case = agree(case)
    assert services.progression_case_submit(actor=cast.manager, case=case).stage == Stage.SUBMITTED


def test_the_evidence_pages_say_the_statement_will_go_out_of_date(cast):
    case = _ready(cast)
    add = reverse("progression:evidence-add", args=[case.pk])
    assert "data-statement-out-of-date" not in _client(cast.manager).get(add).content.decode()
    agree(case)
    assert "data-statement-out-of-date" in _client(cast.manager).get(add).content.decode()


def test_evidence_removed_after_the_statement_asks_for_it_again(cast):
    case = _ready(cast)
    extra = _add_evidence(case, cast.manager)
    case = agree(ProgressionCase.objects.get(pk=case.pk))
    services.evidence_delete(actor=cast.manager, evidence=extra)
    assert not ProgressionCase.objects.get(pk=case.pk).statement
    entry = AuditEntry.objects.filter(action="progression_case.evidence_delete").latest("pk")
    assert entry.after == {"statement": "out of date"}


def test_the_practitioners_own_evidence_also_puts_their_statement_out_of_date_without_telling_them(cast):
    case = agree(_ready(cast))
    asked = _statement_wanted(cast)
    _add_evidence(case, cast.practitioner)
    assert not ProgressionCase.objects.get(pk=case.pk).statement
    assert _statement_wanted(cast) == asked


def test_evidence_added_before_any_statement_changes_nothing_about_it(cast):
    case = cast.open_case()
    _add_evidence(case, cast.manager)
    assert not AuditEntry.objects.filter(action="progression_case.evidence_add").latest("pk").after
    assert _statement_wanted(cast) == 0


def test_the_head_of_service_and_the_director_read_the_statement(cast):
    case = cast.open_case()
    mark_required(case, cast.manager, statement=False)
    case = services.progression_case_statement(actor=cast.practitioner, case=ProgressionCase.objects.get(pk=case.pk),
                                               agrees=False, comment="My audit work is not yet in the table.")
    case = services.progression_case_submit(actor=cast.manager, case=case)
    url = reverse("progression:case-decide", args=[case.pk])
    assert "My audit work is not yet in the table." in _client(cast.hos).get(url).content.decode()
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True, comment="Ready.")
    assert "My audit work is not yet in the table." in _client(cast.director).get(url).content.decode()


def test_the_directors_page_starts_with_the_head_of_services_recommendation(cast):
    case = _recommended(cast)
    body = _client(cast.director).get(reverse("progression:case-decide", args=[case.pk])).content.decode()
    recommendation = body.index("The Head of Service's recommendation")
    assert body.index("duty rota with confidence.") > recommendation
    assert f"Recommended by {cast.hos.get_full_name()}" in body
    assert recommendation < body.index("Your decision") and recommendation < body.index("Read the whole case first")


def test_a_return_points_at_the_competencies_concerned_for_the_manager(cast):
    case = _recommended(cast)
    k2 = Competency.objects.get(section__framework=case.framework, code="K2")
    url = reverse("progression:case-decide", args=[case.pk])
    client = _client(cast.director)
    data = {"revision": case.revision, "decision": "return", "comment": "K2 needs a recent example.",
            "competencies": [str(k2.pk)]}
    check = client.post(url, data)
    assert "Competencies concerned" in check.content.decode() and not CompetencyAssessment.objects.filter(
        flagged_on_return=True).exists()
    client.post(url, {**data, "confirm": "yes"})
    case = ProgressionCase.objects.get(pk=case.pk)
    assert case.stage == Stage.DRAFT and not case.statement
    assert list(case.assessments.filter(flagged_on_return=True).values_list("competency__code", flat=True)) == ["K2"]
    assert "Competencies concerned: K2" in Decision.objects.get(case=case, decision=Decision.Kind.RETURNED).comment
    body = _client(cast.manager).get(case.get_absolute_url()).content.decode()
    assert "The competencies concerned, highlighted in the table:" in body
    assert body.count("Pointed at in the return") == 1
    # Resubmitted, the pointers are cleared.
    case = services.progression_case_submit(actor=cast.manager, case=agree(case))
    assert not case.assessments.filter(flagged_on_return=True).exists()


def _revealed_under_return(body: str) -> str:
    """The part of the decision page shown only while "Return to the line manager" is chosen."""
    return_radio = re.search(r'<input[^>]+value="return"[^>]*data-aria-controls="([^"]+)"', body)
    assert return_radio, "the return answer controls no conditional reveal"
    start = body.index(f'id="{return_radio.group(1)}"')
    return body[start:body.index('<button', start)]


def test_the_competencies_are_revealed_under_the_return_answer_only(cast):
    """Head of Service and Operational Director alike: the tick-boxes sit in the reveal under "return"
    (hidden by the design system's script until it is chosen, shown without it), and nowhere else."""
    case = _recommended(cast)
    director_page = _client(cast.director).get(reverse("progression:case-decide", args=[case.pk])).content.decode()
    revealed = _revealed_under_return(director_page)
    assert "nhsuk-radios__conditional--hidden" in director_page
    assert director_page.count('name="competencies"') == revealed.count('name="competencies"') == 4
    assert "Competencies concerned (optional)</legend>" in revealed and "(optional) (optional)" not in revealed
    case = cast.open_case(small_framework())
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    hos_page = _client(cast.hos).get(reverse("progression:case-decide", args=[case.pk])).content.decode()
    assert hos_page.count('name="competencies"') == _revealed_under_return(hos_page).count('name="competencies"') == 4


def test_competencies_are_pointed_at_only_on_a_return(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    k1 = Competency.objects.get(section__framework=case.framework, code="K1")
    response = _client(cast.hos).post(reverse("progression:case-decide", args=[case.pk]), {
        "revision": case.revision, "decision": "recommend", "comment": "", "competencies": [str(k1.pk)]})
    assert response.context["form"].errors["competencies"] == ["Choose competencies only when you return the case."]
    with pytest.raises(ValidationError):
        services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True, competencies=[k1])
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.SUBMITTED
