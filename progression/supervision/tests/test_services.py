"""Recording supervision notes and learning objectives through the services: who may, what is
checked, what the audit log keeps (that something changed, never what was said)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preceptorship.models import AuditEntry
from preceptorship.tests.queries import queries_of
from programmes.models import EvidenceLink
from progression import evidence_links
from progression import services as progression_services
from progression.models import ProgressionCase
from progression.supervision import services
from progression.supervision.models import LearningObjective, SupervisionEvidenceLink, SupervisionNote

pytestmark = pytest.mark.django_db
Status = LearningObjective.Status


def _note(case, actor, today, text="Talked through the complex safeguarding case and the MDT chairing."):
    return services.supervision_note_record(actor=actor, case=case, kind=SupervisionNote.Kind.COACHING,
                                            held_on=today - datetime.timedelta(days=2), discussion=text)


def test_the_line_manager_records_a_note_and_the_audit_log_keeps_no_words(cast, case, today):
    note = _note(case, cast.manager, today, text="Very private discussion words")
    assert note.written_by == cast.manager and note.case == case
    entry = AuditEntry.objects.get(action="supervision.note_record")
    assert entry.subject_id == cast.practitioner.pk and entry.organisation_id == cast.organisation.pk
    assert "private discussion" not in f"{entry.summary} {entry.before} {entry.after}"


def test_the_practitioner_records_a_note_too(cast, case, today):
    assert _note(case, cast.practitioner, today).written_by == cast.practitioner


@pytest.mark.parametrize("who", ["hos", "director", "hr", "colleague", "lead"])
def test_nobody_else_records_a_note(cast, case, today, who):
    with pytest.raises(PermissionDenied):
        _note(case, getattr(cast, who), today)
    assert not SupervisionNote.objects.exists()


def test_a_note_is_checked(cast, case, today):
    with pytest.raises(ValidationError) as raised:
        services.supervision_note_record(actor=cast.manager, case=case, kind="made-up",
                                         held_on=today + datetime.timedelta(days=1), discussion="   ")
    assert set(raised.value.message_dict) == {"kind", "held_on", "discussion"}


def test_no_note_once_the_case_is_submitted(cast, case, today):
    ProgressionCase.objects.filter(pk=case.pk).update(stage=ProgressionCase.Stage.SUBMITTED)
    with pytest.raises(PermissionDenied):
        _note(case, cast.manager, today)


def test_only_the_writer_changes_a_note(cast, case, today):
    note = _note(case, cast.manager, today)
    with pytest.raises(PermissionDenied):
        services.supervision_note_update(actor=cast.practitioner, note=note, kind=note.kind, held_on=note.held_on,
                                         discussion="Rewritten")
    services.supervision_note_update(actor=cast.manager, note=note, kind=SupervisionNote.Kind.SUPERVISION,
                                     held_on=note.held_on, discussion="Corrected words")
    note.refresh_from_db()
    assert note.discussion == "Corrected words" and note.kind == SupervisionNote.Kind.SUPERVISION
    entry = AuditEntry.objects.get(action="supervision.note_update")
    assert entry.after["discussion_changed"] is True and "Corrected" not in str(entry.after)


def test_objectives_are_added_and_updated_by_either_person(cast, case, today):
    note = _note(case, cast.manager, today)
    objective = services.learning_objective_add(actor=cast.manager, note=note, text="Chair a strategy meeting",
                                                target_date=today + datetime.timedelta(days=60))
    assert objective.status == Status.NOT_STARTED
    services.learning_objective_update(actor=cast.practitioner, objective=objective, text=objective.text,
                                       target_date=objective.target_date, status=Status.MET)
    objective.refresh_from_db()
    assert objective.status == Status.MET
    entry = AuditEntry.objects.get(action="supervision.objective_update")
    assert entry.before["status"] == Status.NOT_STARTED and entry.after["status"] == Status.MET
    with pytest.raises(PermissionDenied):
        services.learning_objective_update(actor=cast.hos, objective=objective, text="x",
                                           target_date=objective.target_date, status=Status.MET)


def test_an_objective_is_checked(cast, case, today):
    note = _note(case, cast.manager, today)
    with pytest.raises(ValidationError) as raised:
        services.learning_objective_add(actor=cast.manager, note=note, text="", status="nope",
                                        target_date=note.held_on - datetime.timedelta(days=1))
    assert set(raised.value.message_dict) == {"text", "target_date", "status"}


def test_a_note_is_linked_as_dated_evidence_and_shown_by_kind_and_date_to_the_chain(cast, case, today):
    note = _note(case, cast.manager, today)
    value = f"supervision:{note.pk}"
    offered = [option for _, options in evidence_links.choices(actor=cast.practitioner, case=case)
               for option, _ in options]
    assert value in offered
    competency = case.framework.sections.first().competencies.first()
    evidence = progression_services.evidence_add(
        actor=cast.practitioner, case=case, title="Coaching on chairing", example_date=note.held_on,
        description="Agreed in coaching.", competencies=[competency], link=value)
    assert SupervisionEvidenceLink.objects.filter(evidence=evidence, note=note).exists()
    [mine] = evidence_links.linked_items(viewer=cast.manager, evidence=[evidence])[0].links
    assert mine.url == note.get_absolute_url() and mine.on == note.held_on
    [theirs] = evidence_links.linked_items(viewer=cast.hos, evidence=[evidence])[0].links
    assert theirs.url == "" and theirs.kind == "supervision note" and theirs.on == note.held_on


def test_another_case_note_cannot_be_linked(cast, case, today, organisation, team):
    other = progression_services.progression_case_open(
        actor=cast.manager, practitioner=cast.colleague, framework=case.framework, target_role="AP",
        head_of_service=cast.hos, organisation=organisation, team=team)
    note = _note(other, cast.manager, today)
    with pytest.raises(ValidationError):
        evidence_links.resolve(actor=cast.manager, case=case, value=f"supervision:{note.pk}")


def test_the_case_page_asks_the_link_sources_only_about_evidence_that_links_to_something(client, cast, case, today):
    competency = case.framework.sections.first().competencies.first()

    def add(title: str, link: str = "") -> None:
        progression_services.evidence_add(actor=cast.practitioner, case=case, title=title, example_date=today,
                                          description="Shown.", competencies=[competency], link=link)

    add("Plain example")
    client.force_login(cast.manager)
    link_tables = (SupervisionEvidenceLink._meta.db_table, EvidenceLink._meta.db_table)
    sql, page = queries_of(lambda: client.get(case.get_absolute_url()).content.decode())
    assert "Plain example" in page and "app-evidence-link" not in page
    asked = [query for query in sql if any(f'FROM "{table}"' in query for table in link_tables)
             and 'FROM "progression_evidence"' not in query]  # not the evidence's own
    assert asked == []  # the evidence's own query tells that nothing links

    note = _note(case, cast.manager, today)
    add("Coaching on chairing", link=f"supervision:{note.pk}")
    sql, page = queries_of(lambda: client.get(case.get_absolute_url()).content.decode())
    assert page.count("app-evidence-link") == 1 and note.get_absolute_url() in page
    asked = [query for query in sql if any(f'FROM "{table}"' in query for table in link_tables)
             and 'FROM "progression_evidence"' not in query]
    assert len(asked) == 2  # each source, once
