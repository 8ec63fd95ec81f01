"""The supervision pages over HTTP: the case page's link, recording a note with its objective, a
refused form keeping what was typed, and a notes list whose queries do not grow with the notes."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from progression.supervision.models import LearningObjective, SupervisionNote

pytestmark = pytest.mark.django_db


def test_the_case_page_links_the_notes_for_the_case_people_only(client, cast, case):
    notes_url = reverse("supervision:case-notes", args=[case.pk])
    for who, shown in ((cast.practitioner, True), (cast.manager, True), (cast.hos, False), (cast.hr, False)):
        client.force_login(who)
        page = client.get(case.get_absolute_url()).content.decode()
        assert (notes_url in page) is shown, who


def test_the_manager_records_a_note_and_an_objective(client, cast, case, today):
    client.force_login(cast.manager)
    held = today - datetime.timedelta(days=1)
    answer = client.post(reverse("supervision:note-add", args=[case.pk]), {
        "kind": "coaching", "held_on_0": held.day, "held_on_1": held.month, "held_on_2": held.year,
        "discussion": "Went through the R7 leadership row."})
    note = SupervisionNote.objects.get()
    assert answer.status_code == HTTPStatus.FOUND and answer["Location"] == note.get_absolute_url()
    target = today + datetime.timedelta(days=90)
    client.post(reverse("supervision:objective-add", args=[note.pk]), {
        "text": "Deliver supervision to an ASYE worker", "target_date_0": target.day, "target_date_1": target.month,
        "target_date_2": target.year, "status": "in_progress"})
    objective = LearningObjective.objects.get()
    assert objective.note == note and objective.status == "in_progress"
    client.force_login(cast.practitioner)
    page = client.get(reverse("supervision:case-notes", args=[case.pk])).content.decode()
    assert "Went through the R7 leadership row." in page and "Deliver supervision to an ASYE worker" in page


def test_a_refused_note_keeps_what_was_typed_with_the_message_beside_the_field(client, cast, case, today):
    client.force_login(cast.practitioner)
    future = today + datetime.timedelta(days=3)
    answer = client.post(reverse("supervision:note-add", args=[case.pk]), {
        "kind": "supervision", "held_on_0": future.day, "held_on_1": future.month, "held_on_2": future.year,
        "discussion": "Typed words kept"})
    page = answer.content.decode()
    assert answer.status_code == HTTPStatus.OK and not SupervisionNote.objects.exists()
    assert "The date of the session must be today or in the past." in page and "Typed words kept" in page
    assert "nhsuk-error-summary" in page


def test_the_notes_list_takes_the_same_queries_whatever_the_number_of_notes(client, cast, case, today):
    client.force_login(cast.manager)
    url = reverse("supervision:case-notes", args=[case.pk])

    def add(count: int) -> None:
        for n in range(count):
            note = SupervisionNote.objects.create(case=case, held_on=today - datetime.timedelta(days=n + 1),
                                                  discussion=f"Session {n}", written_by=cast.manager)
            LearningObjective.objects.create(note=note, text=f"Objective {n}", target_date=today)

    add(1)
    # Session and user, memberships, the case, the notes with their writers, their objectives,
    # the layout's own reads: the same at one note and at six.
    first, second = assert_same_queries_at_two_sizes(lambda: client.get(url), lambda: add(5))
    assert first.status_code == second.status_code == HTTPStatus.OK
    assert second.content.decode().count("Objective ") == 6
