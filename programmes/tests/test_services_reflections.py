"""Reflections through the services: drafts, the reflective models' prompts, sharing by choice,
feedback only on what is shared, and nobody but the author changes one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from preceptorship import access
from preceptorship.models import AuditEntry, Notification
from programmes import selectors, services
from programmes.models import Reflection
from programmes.services import TransitionError
from programmes.tests.factories_practice import GoalFactory, ReflectionFactory, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organisation, other_organisation):
    return make_cast(organisation, other_organisation)


def save(cast, **changes):
    values = {"actor": cast.preceptee, "enrolment": cast.enrolment, "title": "A difficult discharge",
              "model": "gibbs", "answers": {"description": "What happened", "feelings": "Anxious"}, "finish": True}
    return services.reflection_save(**{**values, **changes})


def test_a_draft_keeps_whatever_was_written_and_only_the_models_prompts(cast):
    draft = save(cast, title="", answers={"feelings": "Tired", "not_a_prompt": "dropped"}, finish=False)
    assert draft.status == Reflection.Status.DRAFT and draft.title == "Untitled reflection"
    assert draft.answers == {"description": "", "feelings": "Tired", "evaluation": "", "analysis": "",
                             "conclusion": "", "action_plan": ""}
    driscoll = save(cast, reflection=draft, model="driscoll", answers={"so_what": "It matters"}, finish=False)
    assert set(driscoll.answers) == {"what", "so_what", "now_what"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": " "}, "title"),
    ({"answers": {"description": " "}}, "answers"),
    ({"model": "freud"}, "model"),
])
def test_finishing_needs_a_title_some_writing_and_a_known_model(cast, changes, field):
    with pytest.raises(ValidationError) as caught:
        save(cast, **changes)
    assert field in caught.value.message_dict


def test_goals_linked_must_be_of_the_same_enrolment(cast):
    mine = GoalFactory(enrolment=cast.enrolment)
    reflection = save(cast, goals=[mine])
    assert list(reflection.goals.all()) == [mine]
    with pytest.raises(ValidationError):
        save(cast, goals=[GoalFactory()])


def test_only_the_author_changes_or_shares(cast):
    reflection = ReflectionFactory(enrolment=cast.enrolment)
    with pytest.raises(TransitionError):
        save(cast, actor=cast.mentor, reflection=reflection)
    with pytest.raises(TransitionError):
        services.reflection_share(actor=cast.mentor, reflection=reflection, with_mentor=True, with_line_manager=False)


def test_sharing_is_a_choice_the_mentor_is_told_and_it_can_be_undone(cast):
    reflection = save(cast)
    assert not access.can(cast.mentor, reflection)
    services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=True, with_line_manager=False)
    assert access.can(cast.mentor, reflection) and not access.can(cast.line_manager, reflection)
    assert Notification.objects.filter(recipient=cast.mentor, kind="reflection_shared").count() == 1
    services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=True, with_line_manager=True)
    assert access.can(cast.line_manager, reflection)
    services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=False, with_line_manager=False)
    assert not access.can(cast.mentor, reflection) and Reflection.objects.get().shared_at is None
    for viewer in (cast.lead, cast.administrator, cast.head_of_service, cast.outsider):
        assert not access.can(viewer, reflection)


def test_drafts_are_never_shared_and_the_line_manager_only_with_the_mentor(cast):
    draft = save(cast, finish=False)
    with pytest.raises(TransitionError, match="Finish the reflection"):
        services.reflection_share(actor=cast.preceptee, reflection=draft, with_mentor=True, with_line_manager=False)
    finished = save(cast)
    with pytest.raises(ValidationError) as caught:
        services.reflection_share(actor=cast.preceptee, reflection=finished, with_mentor=False, with_line_manager=True)
    assert "with_line_manager" in caught.value.message_dict


def test_feedback_only_on_a_shared_reflection_and_the_author_is_told(cast):
    private = ReflectionFactory(enrolment=cast.enrolment)
    with pytest.raises(TransitionError):
        services.reflection_add_feedback(actor=cast.mentor, reflection=private, text="Nice")
    shared = ReflectionFactory(enrolment=cast.enrolment, shared_with_mentor=True)
    with pytest.raises(ValidationError):
        services.reflection_add_feedback(actor=cast.mentor, reflection=shared, text="  ")
    services.reflection_add_feedback(actor=cast.mentor, reflection=shared, text="Good insight")
    assert shared.feedback.get().author == cast.mentor
    assert Notification.objects.filter(recipient=cast.preceptee, kind="reflection_feedback").exists()


def test_the_audit_log_never_holds_what_a_reflection_says(cast):
    save(cast, answers={"description": "Very private words"})
    assert not [entry for entry in AuditEntry.objects.all() if "Very private words" in str(entry.after)]


def test_the_line_manager_is_told_once_when_a_reflection_is_shared_with_them_and_the_day_first_shared_stays(cast):
    reflection = save(cast)
    services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=True, with_line_manager=False)
    first = Reflection.objects.get().shared_at
    assert not Notification.objects.filter(recipient=cast.line_manager).exists()
    for _ in range(2):
        services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=True,
                                  with_line_manager=True)
    told = Notification.objects.filter(recipient=cast.line_manager, kind="reflection_shared")
    assert told.count() == 1 and told.get().url == reflection.get_absolute_url()
    assert Reflection.objects.get().shared_at == first
    assert Notification.objects.filter(recipient=cast.mentor, kind="reflection_shared").count() == 1


def test_a_reflection_shared_with_the_line_manager_waits_for_their_feedback_on_their_home(cast):
    reflection = save(cast)
    services.reflection_share(actor=cast.preceptee, reflection=reflection, with_mentor=True, with_line_manager=True)
    services.reflection_add_feedback(actor=cast.mentor, reflection=reflection, text="Well argued.")
    assert not selectors.shared_reflections_awaiting_feedback(cast.mentor).exists()
    assert list(selectors.shared_reflections_awaiting_feedback(cast.line_manager)) == [reflection]
    client = Client()
    client.force_login(cast.line_manager)
    home = client.get("/").content.decode()
    assert "Shared reflections awaiting your feedback" in home and reflection.get_absolute_url() in home
    services.reflection_add_feedback(actor=cast.line_manager, reflection=reflection, text="Thank you.")
    assert not selectors.shared_reflections_awaiting_feedback(cast.line_manager).exists()
