"""Structured editing of a draft framework: add, change, remove and reorder sections and
competencies, with messages beside the fields; published versions and versions with cases are never
changed; the CSV text stays as the other way of editing."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from preceptorship.models import AuditEntry
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from progression import services
from progression.models import Competency, Framework, Section
from progression.services import TransitionError
from progression.tests.factories import small_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast):
    return small_framework(owner=cast.organisation, status=Framework.Status.DRAFT)


def _sections(framework):
    return list(Section.objects.filter(framework=framework).order_by("order", "pk").values_list("title", flat=True))


def _codes(section):
    return list(Competency.objects.filter(section=section).order_by("order", "pk").values_list("code", flat=True))


def test_sections_are_added_changed_moved_and_removed(cast, draft):
    added = services.framework_section_save(actor=cast.lead, framework=draft, title="  Range 7 extras ",
                                            required_for_sign_off=True)
    assert _sections(draft) == ["Entry", "Key", "Range 7 extras"] and added.required_for_sign_off
    services.framework_content_move(actor=cast.lead, framework=draft, kind="section", pk=added.pk, direction="up")
    assert _sections(draft) == ["Entry", "Range 7 extras", "Key"]
    services.framework_section_save(actor=cast.lead, framework=draft, section=added, title="Range 7 leadership",
                                    required_for_sign_off=False)
    added.refresh_from_db()
    assert added.title == "Range 7 leadership" and not added.required_for_sign_off
    services.framework_section_delete(actor=cast.lead, framework=draft, section=added)
    assert _sections(draft) == ["Entry", "Key"]
    actions = list(AuditEntry.objects.filter(object_id=str(draft.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["framework.section_add", "framework.section_move", "framework.section_change",
                       "framework.section_delete"]


def test_competencies_are_added_changed_moved_between_sections_and_removed(cast, draft):
    entry, key = Section.objects.filter(framework=draft).order_by("order")
    new = services.framework_competency_save(actor=cast.lead, framework=draft, section=entry, code="E3",
                                             statement="Plans their own learning.", guidance="Supervision notes.")
    assert _codes(entry) == ["E1", "E2", "E3"] and new.guidance == "Supervision notes."
    services.framework_content_move(actor=cast.lead, framework=draft, kind="competency", pk=new.pk, direction="up")
    services.framework_content_move(actor=cast.lead, framework=draft, kind="competency", pk=new.pk, direction="up")
    assert _codes(entry) == ["E3", "E1", "E2"]
    services.framework_competency_save(actor=cast.lead, framework=draft, section=key, competency=new, code="K3",
                                       statement="Plans their own learning.")
    assert _codes(entry) == ["E1", "E2"] and _codes(key) == ["K1", "K2", "K3"]
    services.framework_competency_delete(actor=cast.lead, framework=draft, competency=new)
    assert _codes(key) == ["K1", "K2"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": " "}, "code", "Enter the code"),
    ({"code": "X" * 31}, "code", "30 characters or fewer"),
    ({"code": "K1"}, "code", "already used in this framework"),
    ({"statement": ""}, "statement", "Enter the statement"),
])
def test_a_competency_is_checked_field_by_field(cast, draft, changes, field, message):
    entry = Section.objects.get(framework=draft, title="Entry")
    values = {"code": "E9", "statement": "Does it.", **changes}
    with pytest.raises(ValidationError) as error:
        services.framework_competency_save(actor=cast.lead, framework=draft, section=entry, **values)
    assert message in " ".join(error.value.message_dict[field])
    assert _codes(entry) == ["E1", "E2"]


def test_a_section_title_must_be_given_and_not_used_twice(cast, draft):
    for title, message in (("", "Enter the section's title"), ("key", "already a section called")):
        with pytest.raises(ValidationError) as error:
            services.framework_section_save(actor=cast.lead, framework=draft, title=title, required_for_sign_off=False)
        assert message in error.value.message_dict["title"][0]


def test_a_competency_cannot_go_into_another_frameworks_section(cast, draft):
    elsewhere = Section.objects.filter(framework=small_framework(owner=cast.organisation, status="draft")).first()
    with pytest.raises(ValidationError) as error:
        services.framework_competency_save(actor=cast.lead, framework=draft, section=elsewhere, code="Z1",
                                           statement="Does it.")
    assert "section" in error.value.message_dict


def test_published_versions_are_never_changed_in_place(cast):
    published = small_framework(owner=cast.organisation)
    section = published.sections.first()
    competency = Competency.objects.filter(section=section).first()
    attempts = [
        lambda: services.framework_section_save(actor=cast.lead, framework=published, title="New",
                                                required_for_sign_off=False),
        lambda: services.framework_section_delete(actor=cast.lead, framework=published, section=section),
        lambda: services.framework_competency_save(actor=cast.lead, framework=published, section=section, code="N1",
                                                   statement="New."),
        lambda: services.framework_competency_delete(actor=cast.lead, framework=published, competency=competency),
        lambda: services.framework_content_move(actor=cast.lead, framework=published, kind="section", pk=section.pk,
                                                direction="down"),
    ]
    for attempt in attempts:
        with pytest.raises(TransitionError, match="make a new version"):
            attempt()
    assert _sections(published) == ["Entry", "Key"] and _codes(section) == ["E1", "E2"]


def test_moving_past_either_end_is_refused(cast, draft):
    first = Section.objects.get(framework=draft, title="Entry")
    with pytest.raises(TransitionError, match="already first"):
        services.framework_content_move(actor=cast.lead, framework=draft, kind="section", pk=first.pk, direction="up")
    last = Competency.objects.get(section=first, code="E2")
    with pytest.raises(TransitionError, match="already last"):
        services.framework_content_move(actor=cast.lead, framework=draft, kind="competency", pk=last.pk,
                                        direction="down")


def test_a_draft_with_an_empty_section_is_not_published(cast, draft):
    services.framework_section_save(actor=cast.lead, framework=draft, title="Still to write",
                                    required_for_sign_off=False)
    with pytest.raises(TransitionError, match="“Still to write”"):
        services.framework_publish(actor=cast.lead, framework=draft)


# Over HTTP ---------------------------------------------------------------------------------------


def test_the_lead_edits_a_draft_through_the_pages(client, cast, draft):
    client.force_login(cast.lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Add a section" in page and "Edit details or content as CSV" in page and "Move down" in page
    response = client.post(reverse("progression:framework-section-add", args=[draft.pk]),
                           {"title": "Range 7 key competencies", "required_for_sign_off": "on"})
    section = Section.objects.get(framework=draft, title="Range 7 key competencies")
    assert response.status_code == HTTPStatus.FOUND and response.url.endswith(f"#section-{section.pk}")
    assert section.required_for_sign_off
    add = reverse("progression:framework-competency-add", args=[draft.pk, section.pk])
    assert client.get(add).context["form"].initial["section"] == section.pk
    response = client.post(add, {"section": section.pk, "code": "R7-1", "statement": "Leads complex work.",
                                 "guidance": ""})
    competency = Competency.objects.get(section=section, code="R7-1")
    assert response.url.endswith(f"#competency-{competency.pk}")
    # Moving puts the new section first; the page shows the order.
    client.post(reverse("progression:framework-move", args=[draft.pk]),
                {"kind": "section", "item": section.pk, "direction": "up"})
    client.post(reverse("progression:framework-move", args=[draft.pk]),
                {"kind": "section", "item": section.pk, "direction": "up"})
    assert _sections(draft) == ["Range 7 key competencies", "Entry", "Key"]
    edit = reverse("progression:framework-competency-edit", args=[draft.pk, competency.pk])
    refused = client.post(edit, {"section": section.pk, "code": "E1", "statement": "Leads complex work, changed."})
    body = refused.content.decode()
    assert refused.status_code == HTTPStatus.OK and "nhsuk-error-summary" in body
    assert "already used in this framework" in body and "Leads complex work, changed." in body
    delete = reverse("progression:framework-competency-delete", args=[draft.pk, competency.pk])
    assert "This cannot be undone" in client.get(delete).content.decode()
    client.post(delete)
    delete_section = reverse("progression:framework-section-delete", args=[draft.pk, section.pk])
    assert "its 0 competencies" in client.get(delete_section).content.decode()
    client.post(delete_section)
    assert _sections(draft) == ["Entry", "Key"]


def test_the_pages_refuse_a_published_version_and_bad_moves(client, cast, draft):
    client.force_login(cast.lead)
    published = small_framework(owner=cast.organisation)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Add a section" not in page and "Move down" not in page
    response = client.get(reverse("progression:framework-section-add", args=[published.pk]))
    assert response.status_code == HTTPStatus.FOUND and response.url == published.get_absolute_url()
    move = reverse("progression:framework-move", args=[draft.pk])
    for data in ({}, {"kind": "section", "item": "x", "direction": "up"},
                 {"kind": "goal", "item": "1", "direction": "up"},
                 {"kind": "section", "item": "999999", "direction": "sideways"}):
        assert client.post(move, data).status_code == HTTPStatus.FOUND
    assert _sections(draft) == ["Entry", "Key"]
    other = small_framework(owner=cast.organisation, status="draft")
    foreign = Section.objects.filter(framework=other).first()
    assert client.get(reverse("progression:framework-section-edit",
                              args=[draft.pk, foreign.pk])).status_code == HTTPStatus.NOT_FOUND


def test_the_csv_text_still_edits_the_whole_draft(client, cast, draft):
    client.force_login(cast.lead)
    response = client.post(reverse("progression:framework-edit", args=[draft.pk]), {
        "name": draft.name, "source": "", "from_level": "", "to_level": "",
        "content": "section,code,statement,guidance\nOnly,O1,Does one thing.,\n", "required_sections": "Only",
    })
    assert response.status_code == HTTPStatus.FOUND
    assert _sections(draft) == ["Only"]


def test_framework_page_queries_do_not_grow_with_the_content(client, cast, draft):
    client.force_login(cast.lead)
    key = Section.objects.get(framework=draft, title="Key")
    client.get(draft.get_absolute_url())

    def add_ten() -> None:
        for n in range(10):
            services.framework_competency_save(actor=cast.lead, framework=draft, section=key, code=f"K{n + 10}",
                                               statement="More.")

    # session, user, memberships, the framework (with owner), its professions, sections, competencies,
    # unread notifications (header): the same with 4 competencies or 14.
    _, response = assert_same_queries_at_two_sizes(lambda: client.get(draft.get_absolute_url()), add_ten)
    page = response.content.decode()
    assert page.count('class="nhsuk-summary-list__row" id="competency-') == 14
