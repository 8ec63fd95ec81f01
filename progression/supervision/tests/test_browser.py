"""In a real browser: the line manager opens the case's supervision notes from the case page, reads a
note, records a new one (after a refused date) with a learning objective; the practitioner updates
the objective. Every page is checked (axe, styles, console) at desktop width and at 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from preceptorship.tests.browser import DEMO_PASSWORD, check_both, goto, sign_in, sign_out, url
from progression.models import ProgressionCase
from progression.supervision.models import LearningObjective, SupervisionNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    from bench.demo import directory as directory_demo
    from bench.demo import progression as progression_demo
    from bench.demo import supervision as demo

    today = timezone.localdate()
    directory = directory_demo.build(password=DEMO_PASSWORD, today=today)
    progression_demo.build(directory=directory, today=today)
    demo.build(directory=directory, today=today)
    yield directory.users


def _date(page: Any, day: Any) -> None:
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))


def test_supervision_notes_recorded_and_objective_updated(page: Any, live_server: Any,
                                                          people: dict[str, Any]) -> None:
    case = ProgressionCase.objects.get(practitioner=people["practitioner_sw"])
    today = timezone.localdate()
    sign_in(page, live_server, case.line_manager.email, DEMO_PASSWORD)
    goto(page, url(live_server, case.get_absolute_url()))
    page.get_by_role("link", name="supervision notes on this case").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision notes")
    check_both(page, "supervision-case-notes")

    page.get_by_role("link", name="Coaching for Performance", exact=False).first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Learning objectives")).to_be_visible()
    check_both(page, "supervision-note")

    goto(page, url(live_server, f"/progression/supervision/cases/{case.pk}/new/"))
    check_both(page, "supervision-note-add")
    page.get_by_label("Supervision", exact=True).check()
    _date(page, today.replace(year=today.year + 1))
    page.get_by_label("What was discussed").fill("Planned the research row: a small audit of reviews.")
    page.get_by_role("button", name="Save the note").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("today or in the past")
    expect(page.get_by_label("What was discussed")).to_have_value("Planned the research row: a small audit of reviews.")
    check_both(page, "supervision-note-add-refused")
    _date(page, today)
    page.get_by_role("button", name="Save the note").click()
    page.wait_for_load_state()
    note = SupervisionNote.objects.get(discussion__startswith="Planned the research row")

    page.get_by_role("link", name="Add a learning objective").click()
    page.wait_for_load_state()
    check_both(page, "supervision-objective-add")
    page.get_by_label("Learning objective").fill("Audit ten review records against the standard")
    _date(page, today.replace(year=today.year + 1))
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save the objective").click()
    page.wait_for_load_state()
    objective = LearningObjective.objects.get(note=note)
    assert objective.status == LearningObjective.Status.IN_PROGRESS
    sign_out(page)

    sign_in(page, live_server, case.practitioner.email, DEMO_PASSWORD)
    goto(page, url(live_server, f"/progression/supervision/objectives/{objective.pk}/"))
    check_both(page, "supervision-objective-edit")
    page.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save the objective").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The learning objective is saved.")).to_be_visible()
    objective.refresh_from_db()
    assert objective.status == LearningObjective.Status.MET
