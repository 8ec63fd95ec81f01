"""The audit log page: administrators read every entry, programme leads their organisation's,
everyone else is told there is no such page; the filters narrow it, the downloads hold the same
entries and are themselves recorded."""

from __future__ import annotations

import csv
import datetime
import io
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import UserFactory, person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes

Role = Membership.Role
URL = reverse("audit:list")


def _entry(organisation, *, actor=None, subject=None, action="enrolment.pause", summary="Paused",
           object_type="programmes.enrolment", at=None, before=None, after=None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor, subject=subject, organisation=organisation, action=action, summary=summary,
        object_type=object_type, object_id="7", at=at or timezone.now(), before=before or {}, after=after or {},
    )


@pytest.fixture
def lead(organisation):
    return person(organisation, Role.PROGRAMME_LEAD, first_name="Lena", last_name="Lead")


@pytest.fixture
def administrator(organisation):
    return person(organisation, Role.ADMINISTRATOR)


@pytest.fixture
def entries(organisation, other_organisation, lead):
    mentor = person(organisation, Role.MENTOR, first_name="Morag", last_name="Mentorson")
    preceptee = person(organisation, Role.PRACTITIONER, first_name="Priya", last_name="Preceptee")
    return {
        "own": _entry(organisation, actor=lead, subject=preceptee, summary="Own organisation's pause",
                      before={"status": "active", "mentor": lead.pk}, after={"status": "paused", "mentor": mentor.pk}),
        "other": _entry(other_organisation, summary="Other organisation's secret change"),
        "nowhere": _entry(None, summary="A shared framework published", action="framework.publish",
                          object_type="progression.framework"),
    }


def _texts(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_lead_reads_only_their_organisations_entries(client, lead, entries):
    client.force_login(lead)
    page = _texts(client.get(URL))
    assert "Own organisation&#x27;s pause" in page
    assert "Other organisation" not in page
    assert "A shared framework published" not in page
    # Before and after read as words and names, not ids.
    assert "Status: active" in page and "paused" in page
    assert "Lena Lead" in page and "Morag Mentorson" in page
    assert "About Priya Preceptee" in page


@pytest.mark.django_db
def test_administrator_reads_every_entry(client, administrator, entries):
    client.force_login(administrator)
    page = _texts(client.get(URL))
    for entry in entries.values():
        assert entry.summary.replace("'", "&#x27;") in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ICS_LEAD, Role.PRACTITIONER, Role.HEAD_OF_SERVICE, Role.HR])
def test_everyone_else_is_told_there_is_no_such_page(client, organisation, entries, role):
    client.force_login(person(organisation, role))
    assert client.get(URL).status_code == HTTPStatus.NOT_FOUND
    assert client.get(URL, {"format": "csv"}).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_the_navigation_links_to_it_for_leads_and_administrators_only(client, organisation, lead, administrator):
    for user, shown in ((lead, True), (administrator, True), (person(organisation, Role.ICS_LEAD), False)):
        client.force_login(user)
        assert (f'href="{URL}"' in _texts(client.get(reverse("home")))) is shown


@pytest.mark.django_db
def test_the_filters_narrow_the_list(client, organisation, administrator, lead):
    someone = UserFactory(first_name="Sam", last_name="Subject")
    today = timezone.localdate()
    _entry(organisation, actor=lead, action="review.record", summary="Review by the lead",
           object_type="programmes.reviewmeeting")
    _entry(organisation, subject=someone, action="goal.create", summary="Goal about Sam", object_type="programmes.goal")
    old = timezone.now() - datetime.timedelta(days=40)
    _entry(organisation, action="programme.update", summary="An old change", object_type="programmes.programme",
           at=old)
    client.force_login(administrator)

    def shown(**query) -> set[str]:
        page = _texts(client.get(URL, query))
        return {s for s in ("Review by the lead", "Goal about Sam", "An old change") if s in page}

    assert shown(actor="lena") == {"Review by the lead"}
    assert shown(actor="system") == {"Goal about Sam", "An old change"}
    assert shown(action="review") == {"Review by the lead"}
    assert shown(kind="programmes.goal") == {"Goal about Sam"}
    assert shown(subject="sam subj") == {"Goal about Sam"}
    week_ago = today - datetime.timedelta(days=7)
    assert shown(date_from_0=week_ago.day, date_from_1=week_ago.month, date_from_2=week_ago.year) == {
        "Review by the lead", "Goal about Sam"}
    old_day = timezone.localdate(old)
    assert shown(date_to_0=old_day.day, date_to_1=old_day.month, date_to_2=old_day.year) == {"An old change"}


@pytest.mark.django_db
def test_a_bad_filter_is_explained_beside_it_and_kept(client, administrator, organisation):
    _entry(organisation, summary="Anything")
    client.force_login(administrator)
    response = client.get(URL, {"date_from_0": "9", "date_from_1": "6", "date_from_2": "2026",
                                "date_to_0": "1", "date_to_1": "6", "date_to_2": "2026", "actor": "ann\x00"})
    page = _texts(response)
    assert response.status_code == HTTPStatus.OK
    assert "The last day must be the same as or after the first day" in page
    assert "nhsuk-error-summary" in page
    assert "Anything" not in page
    # A download with bad filters is never the whole log.
    response = client.get(URL, {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026", "format": "csv"})
    assert response.status_code == HTTPStatus.OK
    assert "Enter a real date" in _texts(response)
    assert not AuditEntry.objects.filter(action="audit_log.download").exists()


@pytest.mark.django_db
def test_the_csv_holds_the_filtered_rows_and_is_recorded(client, lead, organisation, entries):
    _entry(organisation, actor=lead, action="programme.update", summary="=HYPERLINK(\"http://x\",\"y\")",
           object_type="programmes.programme")
    client.force_login(lead)
    response = client.get(URL, {"action": "enrolment", "format": "csv"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["When", "Who", "Their e-mail address", "Action"]
    assert [row[9] for row in rows[1:]] == ["Own organisation's pause"]
    assert "Status: active → paused" in rows[1][10]
    download = AuditEntry.objects.get(action="audit_log.download")
    assert download.actor == lead
    assert download.organisation == organisation
    assert download.after == {"format": "csv", "rows": 1, "filters": {"action": "enrolment"}}

    everything = client.get(URL, {"format": "csv"})
    text = b"".join(everything.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # never a live formula
    assert "Other organisation" not in text


@pytest.mark.django_db
def test_the_excel_file_holds_the_filtered_rows_and_is_recorded(client, administrator, entries):
    client.force_login(administrator)
    response = client.get(URL, {"kind": "progression.framework", "format": "xlsx"})
    assert response.status_code == HTTPStatus.OK
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][9] == "Summary"
    assert [row[9] for row in values[1:]] == ["A shared framework published"]
    download = AuditEntry.objects.get(action="audit_log.download")
    assert download.after["format"] == "xlsx" and download.after["rows"] == 1
    # The download itself is listed on the page afterwards.
    assert "Downloaded 1 audit entry as XLSX" in _texts(client.get(URL))


@pytest.mark.django_db
def test_the_page_takes_the_same_queries_at_two_sizes(client, organisation, lead):
    preceptee = person(organisation, Role.PRACTITIONER)

    def grow(count: int) -> None:
        for n in range(count):
            _entry(organisation, actor=lead, subject=preceptee, summary=f"Change {n}",
                   before={"mentor": lead.pk}, after={"mentor": preceptee.pk})

    grow(3)
    client.force_login(lead)
    # Session and user, the lead's roles, the count, the page of entries with their people and
    # organisation, and the names of the people their changes name.
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(URL), lambda: grow(60))
    assert small.status_code == large.status_code == HTTPStatus.OK
    assert "Next" in _texts(large)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"actor": "lena", "action": "review", "kind": "programmes.goal",
                                         "subject": "sam", "date_from_0": "1", "date_from_1": "6",
                                         "date_from_2": "2026", "date_to_0": "9", "date_to_1": "6", "date_to_2": "2026"}])
def test_the_filter_form_is_written_as_the_pack_writes_it(data) -> None:
    from preceptorship.auditlog.filters import AuditEntryFilter
    from preceptorship.tests.test_forms_html import assert_same_markup

    filterset = AuditEntryFilter(data, queryset=AuditEntry.objects.all())
    assert filterset.form.is_valid() or data is None
    assert_same_markup(filterset.form)


@pytest.mark.django_db
def test_a_lead_never_reads_entries_about_records_kept_from_them(client, organisation, lead, administrator):
    """Reflections, needs assessments, goals, protected time, evaluations and progression cases of
    the lead's own organisation: only administrators read their entries."""
    private = ["programmes.reflection", "programmes.needsassessment", "programmes.goal", "programmes.protectedtime",
               "programmes.evaluation", "progression.progressioncase", "progression.delegation"]
    for kind in private:
        _entry(organisation, object_type=kind, action="x.save", summary=f"Private {kind}")
    _entry(organisation, object_type="programmes.reviewmeeting", action="review.record", summary="Review recorded")
    client.force_login(lead)
    page = _texts(client.get(URL))
    assert "Review recorded" in page
    assert not [kind for kind in private if f"Private {kind}" in page]
    assert 'value="programmes.reflection"' not in page  # nor offered as a kind to filter by
    csv_text = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "Private" not in csv_text and "Review recorded" in csv_text
    client.force_login(administrator)
    page = _texts(client.get(URL))
    assert all(f"Private {kind}" in page for kind in private)
