"""The progression case through its services: evidence, marks, the sign-off chain, letters, packs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from preceptorship.models import Notification
from progression import services
from progression.models import Competency, CompetencyMark, Decision, EvidencePack, ProgressionCase
from progression.services import StaleCaseError, TransitionError
from progression.tests.factories import agree, evidence_required, mark_required, small_framework

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
Stage = ProgressionCase.Stage


def _submitted(cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    return services.progression_case_submit(actor=cast.manager, case=case)


def _signed_off(cast):
    case = _submitted(cast)
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    return services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")


def test_opening_a_case_makes_one_row_per_competency_and_tells_the_practitioner(cast):
    case = cast.open_case()
    assert case.assessments.count() == 4 and case.stage == Stage.DRAFT
    assert Notification.objects.filter(recipient=cast.practitioner, kind="progression_case_opened").exists()
    assert case.decisions.get().decision == Decision.Kind.OPENED


def test_practitioner_opens_own_case_for_the_manager_to_take_up(cast):
    case = services.progression_case_open(
        actor=cast.practitioner, practitioner=cast.practitioner, framework=small_framework(),
        target_role="Advanced Practitioner, Range 7", head_of_service=cast.hos, organisation=cast.organisation,
        team=cast.team,
    )
    assert case.line_manager is None
    assert Notification.objects.filter(recipient=cast.manager, kind="progression_case_take_up").exists()
    with pytest.raises(TransitionError):
        services.progression_case_take_up(actor=cast.colleague, case=case)
    case = services.progression_case_take_up(actor=cast.manager, case=case)
    assert case.line_manager == cast.manager


def test_a_case_needs_a_published_framework(cast):
    with pytest.raises(ValidationError):
        cast.open_case(small_framework(status="draft"))


def test_submission_lists_what_is_missing(cast):
    case = cast.open_case()
    with pytest.raises(ValidationError) as error:
        services.progression_case_submit(actor=cast.manager, case=case)
    assert "K1 (Key)" in error.value.messages[0] and "K2 (Key)" in error.value.messages[0]
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.DRAFT


def test_marks_are_kept_with_who_and_when(cast):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    services.competency_mark(actor=cast.manager, case=case, competency=competency, status="developing",
                             reached_on=None, comment="")
    evidence_required(case, cast.manager)
    services.competency_mark(actor=cast.manager, case=case, competency=competency, status="reached",
                             reached_on=datetime.date(2024, 5, 1), comment="Led the complex case review.")
    marks = list(CompetencyMark.objects.filter(assessment__case=case).order_by("id"))
    assert [m.status for m in marks] == ["developing", "reached"]
    assert all(m.marked_by == cast.manager for m in marks)


def test_only_the_manager_marks_and_a_met_mark_needs_a_comment(cast):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    with pytest.raises(ValidationError):
        services.competency_mark(actor=cast.manager, case=case, competency=competency, status="reached",
                                 reached_on=None, comment=" ")
    with pytest.raises(PermissionDenied):
        services.competency_mark(actor=cast.practitioner, case=case, competency=competency, status="reached",
                                 reached_on=None, comment="Me")
    with pytest.raises(TransitionError):
        services.competency_mark(actor=cast.colleague, case=case, competency=competency, status="reached",
                                 reached_on=None, comment="Not mine")


def test_practitioner_adds_evidence_with_a_file(cast):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    evidence = services.evidence_add(
        actor=cast.practitioner, case=case, title="Safeguarding enquiry", example_date=datetime.date(2024, 3, 1),
        description="Chaired the strategy meeting.", competencies=[competency],
        upload=SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
    )
    assert evidence.content_type == "application/pdf" and evidence.original_filename == "notes.pdf"
    assert "notes" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    assert evidence.file.read() == PDF


@pytest.mark.parametrize(("name", "content", "message"), [
    ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "content"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "content"),
    ("run.exe", b"MZ\x90\x00", "must be a"),
])
def test_disguised_or_disallowed_files_are_refused(cast, name, content, message):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    with pytest.raises(ValidationError, match=message):
        services.evidence_add(actor=cast.practitioner, case=case, title="x", example_date=datetime.date(2024, 3, 1),
                              description="x", competencies=[competency],
                              upload=SimpleUploadedFile(name, content))
    assert not case.evidence.exists()


def test_too_big_a_file_and_a_future_date_are_refused(cast, settings):
    settings.UPLOAD_MAX_BYTES = 100
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    with pytest.raises(ValidationError, match="MB or smaller"):
        services.evidence_add(actor=cast.practitioner, case=case, title="x", example_date=datetime.date(2024, 3, 1),
                              description="x", competencies=[competency],
                              upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 200))
    with pytest.raises(ValidationError, match="future"):
        services.evidence_add(actor=cast.practitioner, case=case, title="x",
                              example_date=timezone.localdate() + datetime.timedelta(days=1), description="x",
                              competencies=[competency])


def test_the_whole_chain_to_the_letter(cast):
    case = _submitted(cast)
    assert Notification.objects.filter(recipient=cast.hos, kind="progression_case_submitted").exists()
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False,
                                                comment="Add an example for K2.")
    assert case.stage == Stage.DRAFT and case.return_reasons == "Add an example for K2."
    case = services.progression_case_submit(actor=cast.manager, case=agree(case))
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    assert Notification.objects.filter(recipient=cast.director, kind="progression_case_recommended").exists()
    case = services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")
    assert case.is_locked
    assert Notification.objects.filter(recipient=cast.hr, kind="progression_case_signed_off").exists()
    case = services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-1234",
                                               effective_date=datetime.date(2025, 4, 1))
    case = services.progression_case_record_told(actor=cast.manager, case=case, told_on=timezone.localdate(),
                                                 told_by=cast.manager)
    case = services.progression_case_confirm(actor=cast.hr, case=case)
    assert case.stage == Stage.CONFIRMED
    pdf = case.letter_file.read()
    assert pdf.startswith(b"%PDF")
    kinds = list(case.decisions.values_list("decision", flat=True))
    assert kinds == ["opened", "statement", "submitted", "returned", "statement", "submitted", "recommended",
                     "signed_off", "hr_recorded", "worker_told", "confirmed"]
    assert all(d.actor_id for d in case.decisions.all())


def test_returning_or_declining_needs_reasons(cast):
    case = _submitted(cast)
    with pytest.raises(ValidationError):
        services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="  ")
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    with pytest.raises(ValidationError):
        services.progression_case_od_decide(actor=cast.director, case=case, decision="decline", comment="")
    case = services.progression_case_od_decide(actor=cast.director, case=case, decision="decline",
                                               comment="Not enough leadership evidence yet.")
    assert case.stage == Stage.DECLINED and case.is_locked


def test_steps_belong_to_their_role_and_never_to_the_practitioner(cast):
    case = _submitted(cast)
    with pytest.raises(TransitionError):
        services.progression_case_hos_decide(actor=cast.director, case=case, recommend=True)
    with pytest.raises(TransitionError):
        services.progression_case_od_decide(actor=cast.director, case=case, decision="sign_off")
    with pytest.raises(TransitionError):
        services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="X",
                                            effective_date=datetime.date(2025, 1, 1))


def test_a_decision_on_a_page_loaded_before_the_last_step_is_refused(cast):
    case = _submitted(cast)
    loaded_at = case.revision
    services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True, expected_revision=loaded_at)
    with pytest.raises(StaleCaseError, match="changed since you loaded the page"):
        services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="Wait",
                                             expected_revision=loaded_at)
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.RECOMMENDED


def test_decisions_are_append_only(cast):
    decision = cast.open_case().decisions.get()
    with pytest.raises(ValueError):
        decision.save()
    with pytest.raises(ValueError):
        decision.delete()


def test_redeployment_must_be_in_the_organisation(cast, other_organisation):
    from preceptorship.tests.factories import TeamFactory

    case = _signed_off(cast)
    with pytest.raises(ValidationError):
        services.progression_case_hr_record(actor=cast.hr, case=case, hr_reference="PAY-1",
                                            effective_date=datetime.date(2025, 4, 1),
                                            redeployed_to=TeamFactory(organisation=other_organisation))


def test_letter_template_placeholders_are_checked(cast):
    with pytest.raises(ValidationError, match="Unknown placeholders"):
        services.letter_template_save(actor=cast.hr, organisation=cast.organisation, heading="Letter",
                                      body="Dear {{ practitioner_name }}, {{ salary }}")
    with pytest.raises(ValidationError, match="nothing else may use braces"):
        services.letter_template_save(actor=cast.hr, organisation=cast.organisation, heading="Letter",
                                      body="{% load static %}")
    services.letter_template_save(actor=cast.hr, organisation=cast.organisation, heading="Your new role",
                                  body="Dear {{ practitioner_name }},\n\nWelcome to {{ target_role }}.")
    from progression.letters import letter_text

    case = _signed_off(cast)
    heading, paragraphs = letter_text(case)
    assert heading == "Your new role"
    assert paragraphs[0] == f"Dear {cast.practitioner.get_full_name()},"


def test_evidence_pack_is_built_with_progress(cast, django_capture_on_commit_callbacks):
    case = _submitted(cast)
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.evidence_pack_request(actor=cast.hos, case=case)
    pack = EvidencePack.objects.get(pk=pack.pk)
    assert pack.status == EvidencePack.Status.READY and pack.progress == 100
    assert pack.file.read().startswith(b"%PDF")
    # A second run of the same task finds the pack already claimed and does nothing.
    assert services.evidence_pack_build(pack_id=pack.pk).status == EvidencePack.Status.READY


def test_a_step_taken_clears_what_the_case_asked_of_that_person(cast):
    case = _submitted(cast)
    asked = Notification.objects.filter(recipient=cast.hos, read_at=None, key__contains=f"progression.case:{case.pk}:")
    assert asked.exists()
    case = services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=True)
    assert not asked.exists()  # the Head of Service's to-do is done
    waiting = Notification.objects.filter(recipient=cast.director, read_at=None,
                                          key__contains=f"progression.case:{case.pk}:")
    assert waiting.exists()  # the next person's is not
