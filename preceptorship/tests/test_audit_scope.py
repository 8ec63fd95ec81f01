"""Every audit entry says which organisation it belongs to and which person it is about, filled by
preceptorship/audit.py from the record the service changed; the back-fill gives older entries theirs."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from preceptorship import audit, services
from preceptorship.models import AuditEntry, Membership, StaffImport
from preceptorship.tests.factories import UserFactory, person
from programmes import services as programme_services
from programmes.models import Evaluation, ProtectedTime
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import GoalFactory, NeedsAssessmentFactory, ReflectionFactory, ReviewFactory
from progression import services as progression_services
from progression.tests.factories import Cast, small_framework

Role = Membership.Role

# Every kind of record a service audits, and whether its entries name a person.
AUDITED_KINDS = {
    "preceptorship.user": True,
    "preceptorship.membership": True,
    "preceptorship.organisation": False,
    "preceptorship.team": False,
    "preceptorship.staffimport": False,
    "progression.progressioncase": True,
    "progression.framework": False,
    "progression.lettertemplate": False,
    "progression.delegation": True,
    "programmes.programme": False,
    "programmes.enrolment": True,
    "programmes.reviewmeeting": True,
    "programmes.goal": True,
    "programmes.reflection": True,
    "programmes.protectedtime": True,
    "programmes.needsassessment": True,
    "programmes.evaluation": True,
}


def test_every_audited_kind_has_a_known_scope() -> None:
    # Other apps (sign-in providers, say) register their own kinds too.
    assert set(AUDITED_KINDS) <= set(audit.registered_types())


@pytest.mark.django_db
def test_enrolment_records_belong_to_the_programme_organisation_and_the_preceptee(organisation, other_organisation):
    # A preceptee employed by another organisation of the ICS, on this organisation's programme.
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation),
                                 organisation=other_organisation)
    records = [
        enrolment,
        ReviewFactory(enrolment=enrolment),
        GoalFactory(enrolment=enrolment),
        ReflectionFactory(enrolment=enrolment, author=enrolment.preceptee),
        ProtectedTime.objects.create(enrolment=enrolment, on=enrolment.start_date, hours=Decimal("1.0"),
                                     activity=ProtectedTime.Activity.choices[0][0]),
        NeedsAssessmentFactory(enrolment=enrolment),
        Evaluation(enrolment=enrolment, pk=1),
    ]
    for record in records:
        entry = audit.entry(actor=None, action="test", obj=record, summary="")
        assert (entry.organisation_id, entry.subject_id) == (organisation.pk, enrolment.preceptee_id), record


@pytest.mark.django_db
def test_services_fill_the_organisation_and_the_person(organisation, team, today):
    cast = Cast(organisation, team)
    case = cast.open_case()
    opened = AuditEntry.objects.get(action="progression_case.open")
    assert (opened.organisation_id, opened.subject_id) == (organisation.pk, cast.practitioner.pk)

    framework = case.framework
    framework_entry = audit.entry(actor=None, action="test", obj=framework, summary="")
    assert (framework_entry.organisation_id, framework_entry.subject_id) == (framework.owner_id, None)
    owned = small_framework(owner=organisation)
    assert audit.scope_of(owned) == (organisation.pk, None)

    delegate = person(organisation, Role.HEAD_OF_SERVICE)
    progression_services.delegation_create(
        actor=cast.hos, delegate=delegate, starts_on=today + datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
    )
    delegated = AuditEntry.objects.get(action="delegation.create")
    assert (delegated.organisation_id, delegated.subject_id) == (organisation.pk, cast.hos.pk)

    progression_services.letter_template_save(actor=cast.hr, organisation=organisation, heading="Your new role",
                                              body="Dear colleague")
    letter = AuditEntry.objects.get(action="letter_template.save")
    assert (letter.organisation_id, letter.subject_id) == (organisation.pk, None)

    administrator = UserFactory(is_superuser=True)
    newcomer = UserFactory()
    services.membership_grant(actor=administrator, user=newcomer, organisation=organisation, role=Role.MENTOR)
    granted = AuditEntry.objects.get(action="membership.grant")
    assert (granted.organisation_id, granted.subject_id) == (organisation.pk, newcomer.pk)

    services.user_profile_update(actor=newcomer, user=newcomer, data={"job_title": "Occupational therapist"})
    profile = AuditEntry.objects.get(action="user.profile_update")
    assert (profile.organisation_id, profile.subject_id) == (None, newcomer.pk)

    staff_import = StaffImport(pk=5, uploaded_by=administrator)
    assert audit.scope_of(staff_import) == (None, None)


@pytest.mark.django_db
def test_programme_services_fill_the_scope(organisation):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    programme_services.protected_time_log(actor=enrolment.preceptee, enrolment=enrolment, on=enrolment.start_date,
                                          hours=Decimal("1.5"), activity=ProtectedTime.Activity.choices[0][0])
    logged = AuditEntry.objects.get(action="protected_time.log")
    assert (logged.organisation_id, logged.subject_id) == (organisation.pk, enrolment.preceptee_id)


@pytest.mark.django_db
def test_a_service_may_name_the_organisation_and_person_itself(organisation):
    someone = UserFactory()
    entry = audit.record(actor=None, action="test.explicit", obj=someone, summary="", organisation=organisation,
                         subject=someone.pk)
    assert (entry.organisation_id, entry.subject_id) == (organisation.pk, someone.pk)


@pytest.mark.django_db
def test_summaries_never_hold_reflection_or_needs_assessment_text(organisation):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    secret = "Private words about my week"
    programme_services.reflection_save(
        actor=enrolment.preceptee, enrolment=enrolment, title=f"{secret} title", model="gibbs",
        answers={"description": secret}, finish=True,
    )
    programme_services.needs_assessment_save(actor=enrolment.preceptee, enrolment=enrolment, submit=True,
                                             strengths=secret, reasonable_adjustments=secret)
    for entry in AuditEntry.objects.filter(action__in=["reflection.save", "needs_assessment.save"]):
        assert secret not in entry.summary
        assert secret not in str(entry.before) and secret not in str(entry.after)
    assert AuditEntry.objects.filter(action__in=["reflection.save", "needs_assessment.save"]).count() == 2


@pytest.mark.django_db
def test_the_back_fill_gives_older_entries_their_scope_once(organisation):
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation))
    membership = Membership.objects.create(user=UserFactory(), organisation=organisation, role=Role.MENTOR)
    older = [
        AuditEntry.objects.create(action="enrolment.create", object_type="programmes.enrolment",
                                  object_id=str(enrolment.pk), summary="Enrolled"),
        AuditEntry.objects.create(action="membership.revoke", object_type="preceptorship.membership",
                                  object_id="999999", summary="Taken away",
                                  before={"user": membership.user_id, "organisation": organisation.pk}),
        AuditEntry.objects.create(action="programme.delete", object_type="programmes.programme",
                                  object_id="888888", summary="Deleted"),
        AuditEntry.objects.create(action="odd", object_type="nowhere.thing", object_id="x", summary="Unknown kind"),
    ]
    out = io.StringIO()
    call_command("audit_fill_scope", "--batch-size", "1", stdout=out)
    assert "Filled 2 audit entries." in out.getvalue()
    filled = {e.pk: (e.organisation_id, e.subject_id) for e in AuditEntry.objects.filter(pk__in=[e.pk for e in older])}
    assert filled[older[0].pk] == (organisation.pk, enrolment.preceptee_id)
    assert filled[older[1].pk] == (organisation.pk, membership.user_id)
    assert filled[older[2].pk] == (None, None)
    assert filled[older[3].pk] == (None, None)
    out = io.StringIO()
    call_command("audit_fill_scope", stdout=out)
    assert "Filled 0 audit entries." in out.getvalue()
