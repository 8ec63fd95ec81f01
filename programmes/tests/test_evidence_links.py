"""Progression evidence that links a reflection or a review meeting record: what is offered to whom,
what is refused, and what each reader of the case sees (never a private reflection's title)."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from preceptorship.models import AuditEntry
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.models import EvidenceLink, ReviewMeeting
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from programmes.tests.factories_practice import ReflectionFactory, ReviewFactory
from progression import evidence_links, letters, services
from progression.models import Competency, Evidence
from progression.tests.factories import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def world(organisation, team):
    """A progression case for a practitioner who is also a preceptee, with their records."""
    cast = Cast(organisation, team)
    enrolment = EnrolmentFactory(programme=ProgrammeFactory(organisation=organisation, name="OT preceptorship"),
                                 preceptee=cast.practitioner, line_manager=cast.manager, team=team)
    cast.enrolment = enrolment
    cast.mentor = enrolment.mentor
    cast.case = cast.open_case()
    cast.shared = ReflectionFactory(enrolment=enrolment, title="Shared: a safeguarding visit",
                                    shared_with_line_manager=True)
    cast.private = ReflectionFactory(enrolment=enrolment, title="Private: my worries")
    cast.mentor_only = ReflectionFactory(enrolment=enrolment, title="Mentor only: supervision",
                                         shared_with_mentor=True)
    cast.review = ReviewFactory(enrolment=enrolment, number=1, held_on=datetime.date(2024, 5, 2))
    cast.missed = ReviewFactory(enrolment=enrolment, number=2, status=ReviewMeeting.Status.MISSED,
                                held_on=None, reason="Sick")
    return cast


def _values(actor, case):
    return {value for _, options in evidence_links.choices(actor=actor, case=case) for value, _ in options}


def _add(world, actor, link="", title="Safeguarding visit"):
    competency = Competency.objects.filter(section__framework=world.case.framework).first()
    return services.evidence_add(actor=actor, case=world.case, title=title, example_date=datetime.date(2024, 5, 3),
                                 description="Shows risk assessment.", competencies=[competency], link=link)


def test_only_shared_reflections_and_held_reviews_are_offered(world, outsider):
    expected = {f"reflection:{world.shared.pk}", f"review:{world.review.pk}"}
    assert _values(world.practitioner, world.case) == expected
    # The manager is the enrolment's line manager, so the shared reflection is theirs to open.
    assert _values(world.manager, world.case) == expected
    # Someone else's records are never offered, even to their author on another case.
    other = ReflectionFactory(title="Colleague's reflection", shared_with_line_manager=True)
    assert f"reflection:{other.pk}" not in _values(world.practitioner, world.case)


def test_a_manager_who_cannot_open_a_record_is_not_offered_it(world, organisation, team):
    world.enrolment.line_manager = world.colleague
    world.enrolment.save(update_fields=["line_manager"])
    assert _values(world.manager, world.case) == set()


def test_adding_evidence_with_a_link_saves_it_and_records_it(world):
    evidence = _add(world, world.practitioner, link=f"reflection:{world.shared.pk}")
    assert EvidenceLink.objects.get(evidence=evidence).reflection_id == world.shared.pk
    entry = AuditEntry.objects.filter(action="progression_case.evidence_add").latest("pk")
    assert entry.after == {"link": f"reflection:{world.shared.pk}"}
    review_evidence = _add(world, world.manager, link=f"review:{world.review.pk}", title="Review")
    assert EvidenceLink.objects.get(evidence=review_evidence).review_id == world.review.pk


@pytest.mark.parametrize("which", ["private", "mentor_only", "missed", "made_up", "garbage", "other_person"])
def test_a_link_to_anything_not_offered_is_refused_and_nothing_is_saved(world, which):
    values = {
        "private": lambda: f"reflection:{world.private.pk}",
        "mentor_only": lambda: f"reflection:{world.mentor_only.pk}",
        "missed": lambda: f"review:{world.missed.pk}",
        "made_up": lambda: "reflection:999999",
        "garbage": lambda: "goal:1; DROP TABLE",
        "other_person": lambda: f"reflection:{ReflectionFactory(shared_with_line_manager=True).pk}",
    }
    with pytest.raises(ValidationError) as error:
        _add(world, world.practitioner, link=values[which]())
    assert "link" in error.value.message_dict
    assert not Evidence.objects.filter(case=world.case).exists()
    assert not EvidenceLink.objects.exists()


def test_each_reader_sees_a_linked_reflection_only_as_far_as_they_may_open_it(client, world):
    _add(world, world.practitioner, link=f"reflection:{world.shared.pk}")
    reflection_url = reverse("programmes:reflection-detail", args=[world.shared.pk])
    for reader in (world.practitioner, world.manager):
        client.force_login(reader)
        page = client.get(world.case.get_absolute_url()).content.decode()
        assert world.shared.title in page and reflection_url in page, reader.email
    for reader in (world.hos, world.director, world.hr):
        client.force_login(reader)
        page = client.get(world.case.get_absolute_url()).content.decode()
        assert "A linked reflection, written" in page and "only the practitioner and the people they share it" in page
        assert world.shared.title not in page and reflection_url not in page, reader.email
    # Unsharing later takes the title away from the manager too.
    world.shared.shared_with_line_manager = False
    world.shared.save(update_fields=["shared_with_line_manager"])
    client.force_login(world.manager)
    assert world.shared.title not in client.get(world.case.get_absolute_url()).content.decode()


def test_a_linked_review_names_its_meeting_and_links_only_for_those_who_may_open_it(client, world):
    evidence = _add(world, world.manager, link=f"review:{world.review.pk}")
    detail = reverse("progression:evidence-detail", args=[world.case.pk, evidence.pk])
    review_url = world.review.get_absolute_url()
    client.force_login(world.manager)
    page = client.get(detail).content.decode()
    assert "Review meeting 1" in page and "held 2 May 2024" in page and review_url in page
    client.force_login(world.hos)
    page = client.get(detail).content.decode()
    assert "Review meeting 1" in page and review_url not in page
    assert world.review.discussion not in page


def test_the_evidence_pack_never_names_a_linked_reflection(world):
    _add(world, world.practitioner, link=f"reflection:{world.shared.pk}")
    _add(world, world.practitioner, link=f"review:{world.review.pk}", title="Review evidence")
    pdf = PdfReader(io.BytesIO(letters.render_pack_pdf(world.case)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "A linked reflection" in text and world.shared.title not in text
    assert "Review meeting 1" in text and "/reflections/" not in text


def test_the_form_offers_the_links_and_keeps_what_was_typed_on_a_refusal(client, world):
    competency = Competency.objects.filter(section__framework=world.case.framework).first()
    url = reverse("progression:evidence-add", args=[world.case.pk])
    client.force_login(world.practitioner)
    form = client.get(url).content.decode()
    assert "Link to a reflection or review meeting" in form and world.shared.title in form
    assert world.private.title not in form and world.mentor_only.title not in form
    data = {"title": "Visit with a link", "example_date_0": "3", "example_date_1": "5", "example_date_2": "2024",
            "description": "Shows risk assessment.", "competencies": [str(competency.pk)]}
    refused = client.post(url, {**data, "link": f"reflection:{world.private.pk}"})
    assert refused.status_code == HTTPStatus.OK
    body = refused.content.decode()
    assert "nhsuk-error-summary" in body and "Visit with a link" in body and world.private.title not in body
    saved = client.post(url, {**data, "link": f"review:{world.review.pk}"})
    assert saved.status_code == HTTPStatus.FOUND
    assert EvidenceLink.objects.get(evidence__case=world.case).review_id == world.review.pk


def test_the_form_has_no_link_question_when_there_is_nothing_to_link(client, cast):
    case = cast.open_case()
    client.force_login(cast.practitioner)
    form = client.get(reverse("progression:evidence-add", args=[case.pk])).content.decode()
    assert "Link to a reflection or review meeting" not in form


@pytest.fixture
def cast(organisation, team):
    return Cast(organisation, team)


def test_case_page_queries_stay_constant_with_linked_evidence(client, world):
    def add_linked(n: int) -> None:
        _add(world, world.practitioner, link=f"reflection:{world.shared.pk}", title=f"Reflection evidence {n}")
        _add(world, world.practitioner, link=f"review:{world.review.pk}", title=f"Review evidence {n}")

    add_linked(0)
    client.force_login(world.hos)
    # The case page's queries, plus one each for the reflections and the review meetings among the
    # links the reader may open: the same with one pair of linked records or six.
    _, response = assert_same_queries_at_two_sizes(
        lambda: client.get(world.case.get_absolute_url()), lambda: [add_linked(n) for n in range(1, 6)]
    )
    page = response.content.decode()
    assert page.count("A linked reflection") == 6 and page.count("Linked review meeting") == 6
