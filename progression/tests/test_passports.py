"""Skills passports: the worker starts a passport for their band and records each skill as achieved
(a date, an optional evidence note); their line manager verifies it or says "not yet" with a reason;
a verified skill the worker changes waits for verification again. A passport is imported from the
framework import's CSV with the kind and level columns."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given

from preceptorship.errors import TransitionError
from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import TeamFactory, person
from preceptorship.tests.hostile import HOSTILE_SETTINGS, assert_survives, hostile_data, read_form
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from progression import frameworks_io, services
from progression.models import Competency, Framework, PassportSkill, SkillsPassport
from progression.tests.factories import small_framework

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime.datetime(2026, 3, 2, 10, 0))]
Verification = PassportSkill.Verification
Role = Membership.Role
DAY = datetime.date(2026, 2, 20)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def passport_framework(level: str = "Band 3") -> Framework:
    framework = small_framework()
    Framework.objects.filter(pk=framework.pk).update(kind=Framework.Kind.SKILLS_PASSPORT, to_level=level,
                                                     name=f"Support worker skills passport, {level}")
    framework.refresh_from_db()
    return framework


def _first(passport: SkillsPassport) -> Competency:
    return Competency.objects.filter(section__framework=passport.framework).order_by("section__order", "order")[0]


def test_the_worker_records_a_skill_and_the_manager_verifies_it_and_a_change_asks_again(cast):
    passport = services.passport_start(actor=cast.practitioner, framework=passport_framework())
    assert passport.skills.count() == 4 and passport.team == cast.team
    skill = _first(passport)
    recorded = services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill,
                                              achieved_on=DAY, evidence_note="Ran the falls group with the OT.")
    assert recorded.verification == Verification.WAITING
    verified = services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill, verified=True)
    assert verified.verification == Verification.VERIFIED and verified.verified_by == cast.manager
    changed = services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill,
                                             achieved_on=DAY, evidence_note="Ran the falls group alone.")
    assert changed.verification == Verification.WAITING and changed.verified_by is None
    actions = list(AuditEntry.objects.filter(action__startswith="skills_passport").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["skills_passport.start", "skills_passport.record", "skills_passport.verify",
                       "skills_passport.record"]
    assert "verify again" in AuditEntry.objects.filter(action="skills_passport.record").order_by("pk").last().summary


def test_not_yet_needs_a_reason_and_only_the_line_manager_verifies(cast):
    passport = services.passport_start(actor=cast.practitioner, framework=passport_framework())
    skill = _first(passport)
    with pytest.raises(TransitionError, match="nothing to verify"):
        services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill, verified=True)
    services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill, achieved_on=DAY)
    with pytest.raises(ValidationError):
        services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill, verified=False)
    for someone in (cast.practitioner, cast.colleague, cast.hos):
        with pytest.raises(TransitionError):
            services.passport_skill_verify(actor=someone, passport=passport, competency=skill, verified=True)
    with pytest.raises(TransitionError):
        services.passport_skill_record(actor=cast.manager, passport=passport, competency=skill, achieved_on=DAY)
    refused = services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill,
                                             verified=False, reason="Needs observing once more.")
    assert refused.verification == Verification.NOT_YET


def test_a_future_date_is_refused_and_a_passport_is_started_once(cast):
    framework = passport_framework()
    passport = services.passport_start(actor=cast.practitioner, framework=framework)
    with pytest.raises(ValidationError):
        services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=_first(passport),
                                       achieved_on=datetime.date(2026, 3, 3))
    with pytest.raises(ValidationError):
        services.passport_start(actor=cast.practitioner, framework=framework)
    with pytest.raises(ValidationError):
        services.passport_start(actor=cast.practitioner, framework=small_framework())


def test_a_passport_is_not_a_progression_case(cast):
    with pytest.raises(ValidationError, match="skills passport"):
        cast.open_case(passport_framework())


def test_the_pages_worker_records_and_manager_verifies(cast):
    framework = passport_framework()
    worker = _client(cast.practitioner)
    assert framework.name in worker.get(reverse("progression:passport-list")).content.decode()
    started = worker.post(reverse("progression:passport-start"), {"framework": framework.pk})
    passport = SkillsPassport.objects.get(worker=cast.practitioner)
    assert started.status_code == HTTPStatus.FOUND and started["Location"] == passport.get_absolute_url()
    skill = _first(passport)
    record = reverse("progression:passport-skill", args=[passport.pk, skill.pk])
    refused = worker.post(record, {"achieved_on_0": "", "achieved_on_1": "", "achieved_on_2": ""})
    assert refused.status_code == HTTPStatus.OK and "Enter the date you achieved the skill" in refused.content.decode()
    saved = worker.post(record, {"achieved_on_0": "20", "achieved_on_1": "2", "achieved_on_2": "2026",
                                 "evidence_note": "Observed by the physiotherapist."})
    assert saved.status_code == HTTPStatus.FOUND, saved.content.decode()[:3000]

    manager = _client(cast.manager)
    listing = manager.get(reverse("progression:passport-list")).content.decode()
    assert cast.practitioner.get_full_name() in listing and "1 to verify" in listing
    verify = reverse("progression:passport-verify", args=[passport.pk, skill.pk])
    assert "Observed by the physiotherapist." in manager.get(verify).content.decode()
    no_reason = manager.post(verify, {"verified": "no", "reason": ""})
    assert "Say why the skill is not yet verified" in no_reason.content.decode()
    assert manager.post(verify, {"verified": "yes", "reason": ""}).status_code == HTTPStatus.FOUND
    assert PassportSkill.objects.get(passport=passport, competency=skill).verification == Verification.VERIFIED
    # The worker cannot verify, the manager cannot record; someone of another team never sees it.
    assert worker.get(verify).status_code == HTTPStatus.FORBIDDEN
    assert manager.get(record).status_code == HTTPStatus.FORBIDDEN
    stranger = person(cast.organisation, Role.LINE_MANAGER, email="elsewhere@example.org",
                      team=TeamFactory(organisation=cast.organisation))
    assert _client(stranger).get(passport.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_the_managers_list_takes_the_same_queries_however_many_passports(cast):
    frameworks = [passport_framework("Band 2"), passport_framework("Band 3")]
    client = _client(cast.manager)

    def grow() -> None:
        for n in range(3):
            worker = person(cast.organisation, Role.PRACTITIONER, team=cast.team, email=f"worker{n}@example.org")
            for framework in frameworks:
                passport = services.passport_start(actor=worker, framework=framework)
                services.passport_skill_record(actor=worker, passport=passport, competency=_first(passport),
                                               achieved_on=DAY)

    services.passport_start(actor=cast.practitioner, framework=frameworks[0])
    assert_same_queries_at_two_sizes(lambda: client.get(reverse("progression:passport-list")), grow)


def test_a_passport_imports_from_the_template_with_its_kind_and_level(cast):
    text = frameworks_io.passport_template_csv()
    parsed = frameworks_io.parse_csv(text, meta={"name": "Support worker skills passport, Band 3",
                                                 "slug": "sw-passport-band-3"})
    assert parsed.ok, parsed.errors
    framework = services.framework_import(actor=cast.lead, data=parsed.frameworks[0], owner=cast.organisation)
    assert framework.kind == Framework.Kind.SKILLS_PASSPORT and framework.to_level == "Band 3"
    mixed = text + '"Communication","B3-COM-9","Example","","skills passport","Band 4"\n'
    problems = frameworks_io.parse_csv(mixed, meta={"name": "Mixed"}).errors
    assert any("level is 'Band 4' but row 2 says 'Band 3'" in problem for problem in problems)
    wrong = frameworks_io.parse_csv(text.replace("skills passport", "rota"), meta={"name": "Wrong"}).errors
    assert any("the kind must be" in problem.lower() for problem in wrong)
    response = _client(cast.lead).get(reverse("progression:passport-template"))
    assert response.status_code == HTTPStatus.OK and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "section,code,statement,guidance,kind,level"
    assert _client(cast.practitioner).get(reverse("progression:passport-template")).status_code == 403


def _survives(user: Any, url: str) -> None:
    client = _client(user)
    form = read_form(client, url)

    @HOSTILE_SETTINGS
    @given(data=hostile_data(form))
    def check(data: dict[str, Any]) -> None:
        assert_survives(client, form, data)

    check()


def test_the_passport_forms_survive_hostile_input(cast):
    framework = passport_framework()
    _survives(cast.practitioner, reverse("progression:passport-start"))
    # The hostile run may have started it with the ordinary choice.
    passport = (SkillsPassport.objects.filter(worker=cast.practitioner).first()
                or services.passport_start(actor=cast.practitioner, framework=framework))
    skill = _first(passport)
    _survives(cast.practitioner, reverse("progression:passport-skill", args=[passport.pk, skill.pk]))
    services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill, achieved_on=DAY)
    _survives(cast.manager, reverse("progression:passport-verify", args=[passport.pk, skill.pk]))


def test_a_json_passport_names_its_kind_and_level():
    parsed = frameworks_io.parse_json(
        '{"name": "Passport", "kind": "skills passport", "level": "Band 2", '
        '"sections": [{"title": "Care", "competencies": [{"code": "B2-1", "statement": "Helps."}]}]}')
    assert parsed.ok, parsed.errors
    assert (parsed.frameworks[0]["kind"], parsed.frameworks[0]["to_level"]) == ("skills_passport", "Band 2")


def test_the_line_manager_is_told_of_a_skill_waiting_and_the_worker_of_the_verification(cast):
    from preceptorship.models import Notification

    elsewhere = person(cast.organisation, Role.LINE_MANAGER, team=TeamFactory(organisation=cast.organisation),
                       email="other-manager@example.org")
    passport = services.passport_start(actor=cast.practitioner, framework=passport_framework())
    skill = _first(passport)
    services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill, achieved_on=DAY)
    waiting = Notification.objects.filter(kind="skills_passport_waiting")
    assert list(waiting.values_list("recipient", flat=True)) == [cast.manager.pk]
    assert skill.code in waiting.get().subject and waiting.get().url == passport.get_absolute_url()
    assert not Notification.objects.filter(recipient=elsewhere).exists()

    services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill, verified=False,
                                   reason="Needs observing once more.")
    assert waiting.get().read_at is not None  # the manager's to-do is done
    told = Notification.objects.get(recipient=cast.practitioner, kind="skills_passport_verified")
    assert "not yet verified" in told.subject and told.body == "Needs observing once more."

    # A change after "not yet" asks the manager again, with a new notification.
    services.passport_skill_record(actor=cast.practitioner, passport=passport, competency=skill, achieved_on=DAY,
                                   evidence_note="Observed by the ward sister.")
    assert waiting.count() == 2 and "again" in waiting.order_by("pk").last().subject
    services.passport_skill_verify(actor=cast.manager, passport=passport, competency=skill, verified=True)
    assert Notification.objects.filter(recipient=cast.practitioner, kind="skills_passport_verified",
                                       subject__contains="has verified").count() == 1


def test_the_header_links_to_the_skills_passport_for_a_support_worker_and_their_manager(cast):
    link = f'class="nhsuk-header__navigation-link" href="{reverse("progression:passport-list")}">Skills passport<'
    for someone in (cast.practitioner, cast.manager, cast.colleague, cast.hos):
        assert link not in _client(someone).get(reverse("home")).content.decode()
    cast.practitioner.band = "Band 3"  # a support worker: who passports are for
    cast.practitioner.save(update_fields=["band"])
    assert link in _client(cast.practitioner).get(reverse("home")).content.decode()
    assert link not in _client(cast.manager).get(reverse("home")).content.decode()  # nobody to verify yet
    services.passport_start(actor=cast.practitioner, framework=passport_framework())
    for someone in (cast.practitioner, cast.manager):
        assert link in _client(someone).get(reverse("home")).content.decode()
    for someone in (cast.colleague, cast.hos):
        assert link not in _client(someone).get(reverse("home")).content.decode()
    # A line manager of another team of the organisation: a passport there, but not theirs to verify.
    elsewhere = person(cast.organisation, Membership.Role.LINE_MANAGER, team=TeamFactory(organisation=cast.organisation),
                       email="elsewhere@example.org")
    assert link not in _client(elsewhere).get(reverse("home")).content.decode()
