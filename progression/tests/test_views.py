"""Progression pages over HTTP: the owner, a colleague and an outsider; query counts on lists."""

from __future__ import annotations

import datetime
import io
import json
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from progression import services
from progression.models import Competency, Framework, PostQualifyingAward, ProgressionCase
from progression.tests.factories import (
    CompetencyFactory,
    FrameworkFactory,
    SectionFactory,
    agree,
    evidence_required,
    mark_required,
    shipped,
    small_framework,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
Stage = ProgressionCase.Stage
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(client, user):
    client.force_login(user)
    return client


# Frameworks -------------------------------------------------------------------------------------


def test_everyone_sees_published_frameworks_and_only_the_lead_sees_drafts(client, cast, outsider):
    draft = small_framework(owner=cast.organisation, status="draft")
    _login(client, cast.practitioner)
    page = client.get(reverse("progression:framework-list")).content.decode()
    assert "Social Worker career progression, Range 6 to Range 7" in page and draft.name not in page
    assert client.get(draft.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    _login(client, cast.lead)
    assert draft.name in client.get(reverse("progression:framework-list")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == HTTPStatus.OK
    _login(client, outsider)
    assert client.get(draft.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_letter_template_link_is_offered_only_to_those_the_page_lets_in(client, cast):
    letter_url = reverse("progression:letter-template")
    for who, offered in ((cast.hr, True), (cast.lead, True), (cast.manager, False), (cast.practitioner, False)):
        _login(client, who)
        page = client.get(reverse("progression:framework-list")).content.decode()
        assert (letter_url in page) is offered, who.email
        expected = HTTPStatus.OK if offered else HTTPStatus.FORBIDDEN
        assert client.get(letter_url).status_code == expected, who.email


def test_framework_list_queries_do_not_grow(client, cast, django_assert_num_queries):
    _login(client, cast.lead)
    client.get(reverse("progression:framework-list"))
    # session, user, memberships, unread notifications (header), frameworks (with owner), their professions
    with django_assert_num_queries(6):
        client.get(reverse("progression:framework-list"))
    for _ in range(5):
        small_framework(owner=cast.organisation, status="published")
    with django_assert_num_queries(6):
        client.get(reverse("progression:framework-list"))


def test_lead_makes_edits_and_publishes_a_new_version(client, cast):
    _login(client, cast.lead)
    source = small_framework(owner=cast.organisation)
    response = client.post(reverse("progression:framework-new-version", args=[source.pk]))
    draft = Framework.objects.get(slug=source.slug, version=2)
    assert response.url == draft.get_absolute_url()
    edit = reverse("progression:framework-edit", args=[draft.pk])
    assert "section,code,statement,guidance" in client.get(edit).content.decode()
    bad = client.post(edit, {"name": "Renamed", "content": "section,code,statement,guidance\nA,,x,\n",
                             "required_sections": "Nope"})
    assert "Row 2: the code is empty" in bad.content.decode()
    assert "Renamed" in bad.content.decode()  # nothing typed is lost
    client.post(edit, {"name": "Renamed", "content": "section,code,statement,guidance\nA,A1,Does a.,\nB,B1,Does b.,\n",
                       "required_sections": "B"})
    draft.refresh_from_db()
    assert draft.name == "Renamed" and draft.sections.get(title="B").required_for_sign_off
    client.post(reverse("progression:framework-publish", args=[draft.pk]), {"confirm": "yes"})
    draft.refresh_from_db()
    source.refresh_from_db()
    assert draft.status == "published" and source.status == "retired"
    assert client.get(reverse("progression:framework-edit", args=[draft.pk])).status_code == HTTPStatus.FOUND


def test_only_the_owning_lead_may_change_a_framework(client, cast, other_organisation):
    framework = small_framework(owner=cast.organisation)
    _login(client, cast.manager)
    assert client.post(reverse("progression:framework-retire", args=[framework.pk])).status_code == 403
    _login(client, person(other_organisation, Role.PROGRAMME_LEAD))
    assert client.post(reverse("progression:framework-retire", args=[framework.pk])).status_code == 403
    _login(client, cast.lead)
    client.post(reverse("progression:framework-retire", args=[framework.pk]), {"confirm": "yes"})
    assert Framework.objects.get(pk=framework.pk).status == "retired"


def test_import_previews_and_lists_row_errors_before_saving(client, cast):
    _login(client, cast.lead)
    url = reverse("progression:framework-import")
    bad = io.BytesIO(b"section,code,statement,guidance\nA,A1,Fine.,\n,A2,No section.,\n")
    bad.name = "bad.csv"
    response = client.post(url, {"file": bad, "name": "Skills passport"})
    assert "Row 3: the section is empty" in response.content.decode()
    assert not Framework.objects.filter(name="Skills passport").exists()
    good = {"name": "Band 3 passport", "sections": [{"title": "Care", "competencies": [
        {"code": "C1", "statement": "Gives person-centred care."}]}]}
    upload = SimpleUploadedFile("passport.json", json.dumps([good]).encode())
    preview = client.post(url, {"file": upload})
    assert "Import the framework" in preview.content.decode()
    assert not Framework.objects.filter(name="Band 3 passport").exists()
    confirm = preview.context["confirm"]
    client.post(url, {"confirm": "1", **{k: confirm[k].value() for k in ("filename", "name", "text")}})
    created = Framework.objects.get(name="Band 3 passport")
    assert created.status == "draft" and created.owner == cast.organisation


def test_import_page_words_its_fields_and_messages_plainly(client, cast):
    """One "Framework name" field; a CSV without it is refused beside the field; messages start the
    sentence, say what to do, and never write "draft(s)"."""
    _login(client, cast.lead)
    url = reverse("progression:framework-import")
    page = client.get(url).content.decode()
    assert "Framework name" in page and "CSV only" not in page and "(s)" not in page
    csv_file = SimpleUploadedFile("passport.csv", b"section,code,statement,guidance\nCare,C1,Gives care.,\n")
    response = client.post(url, {"file": csv_file})
    assert response.context["form"].errors["name"] == [
        "Enter the framework name: a CSV file does not name its framework."]
    empty = SimpleUploadedFile("empty.csv", b"section,code,statement,guidance\n")
    response = client.post(url, {"file": empty, "name": "Band 3 passport"})
    assert "The framework has no sections: add at least one" in response.content.decode()
    two = [{"name": f"Passport {n}", "sections": [{"title": "Care", "competencies": [
        {"code": "C1", "statement": "Gives care."}]}]} for n in (1, 2)]
    preview = client.post(url, {"file": SimpleUploadedFile("two.json", json.dumps(two).encode())})
    assert "Import 2 frameworks" in preview.content.decode()
    confirm = preview.context["confirm"]
    done = client.post(url, {"confirm": "1", **{k: confirm[k].value() for k in ("filename", "name", "text")}},
                       follow=True)
    page = done.content.decode()
    assert "2 frameworks are imported as drafts. Check each one, then publish it." in page
    assert "(s)" not in page


def test_import_is_not_for_practitioners(client, cast):
    _login(client, cast.practitioner)
    assert client.get(reverse("progression:framework-import")).status_code == HTTPStatus.FORBIDDEN


def test_export_downloads_json(client, cast):
    _login(client, cast.practitioner)
    response = client.get(reverse("progression:framework-export", args=[shipped().pk]))
    assert json.loads(response.content)[0]["sections"][2]["title"] == "Range 7 key competencies"


# Cases ------------------------------------------------------------------------------------------


def test_case_page_for_owner_practitioner_colleague_and_outsider(client, cast, outsider):
    case = cast.open_case()
    for user, status in ((cast.manager, 200), (cast.practitioner, 200), (cast.hos, 200), (cast.hr, 200),
                         (cast.colleague, 404), (outsider, 404)):
        _login(client, user)
        assert client.get(case.get_absolute_url()).status_code == status, user.email


def test_case_page_uses_a_constant_number_of_queries(client, cast):
    framework = FrameworkFactory()
    section = SectionFactory(framework=framework, title="Range 7 key competencies", required_for_sign_off=True)
    for n in range(25):
        CompetencyFactory(section=section, code=f"R7-{n}", order=n)
    case = cast.open_case(framework)
    competencies = list(Competency.objects.filter(section=section))

    def add_evidence(n: int) -> None:
        services.evidence_add(actor=cast.practitioner, case=case, title=f"Example {n}",
                              example_date=datetime.date(2024, 1, 1), description="What it shows.",
                              competencies=competencies[n:n + 5])

    add_evidence(0)
    _login(client, cast.manager)
    small, large = assert_same_queries_at_two_sizes(lambda: client.get(case.get_absolute_url()),
                                                    lambda: [add_evidence(n) for n in range(1, 6)])
    assert small.content.decode().count("Example 0") == 1
    assert large.content.decode().count("Example 5") == 1
    assert large.content.decode().count('class="nhsuk-table__row"') == 25


def test_case_page_shows_the_awards_and_the_latest_pack_when_there_are_some(client, cast):
    case = cast.open_case()
    _login(client, cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "None recorded" in page and "Latest evidence pack" not in page
    PostQualifyingAward.objects.create(user=cast.practitioner, kind=PostQualifyingAward.Kind.OTHER,
                                       other_name="Non-medical prescribing")
    services.evidence_pack_request(actor=cast.manager, case=case)
    latest = services.evidence_pack_request(actor=cast.manager, case=case)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Non-medical prescribing (" in page and "None recorded" not in page
    assert reverse("progression:pack-detail", args=[latest.pk]) in page


def test_case_lists_use_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    mark_required(case := cast.open_case(), cast.manager)
    services.progression_case_submit(actor=cast.manager, case=case)
    _login(client, cast.hos)
    # session, user, memberships, count, unread notifications (header), teams with their organisation,
    # professions and frameworks (the filter's choices), page of cases (with practitioner, team, framework)
    with django_assert_num_queries(9):
        client.get(reverse("progression:case-list"))
    # session, user, memberships, unread notifications (header), count, page of cases
    with django_assert_num_queries(6):
        client.get(reverse("progression:case-waiting"))
    for _ in range(5):
        mark_required(case := cast.open_case(), cast.manager)
        services.progression_case_submit(actor=cast.manager, case=case)
    with django_assert_num_queries(9):
        response = client.get(reverse("progression:case-list"))
    assert len(response.context["cases"]) == 6
    with django_assert_num_queries(6):
        response = client.get(reverse("progression:case-waiting"))
    assert len(response.context["cases"]) == 6


def test_case_list_filters_and_downloads_csv(client, cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    services.progression_case_submit(actor=cast.manager, case=case)
    cast.open_case()
    _login(client, cast.hos)
    response = client.get(reverse("progression:case-list"), {"stage": "submitted"})
    assert len(response.context["cases"]) == 1
    csv_response = client.get(reverse("progression:case-list"), {"stage": "draft", "format": "csv"})
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("practitioner,") and len(lines) == 2 and "Draft" in lines[1]


def test_manager_opens_a_case_and_marks_a_competency(client, cast):
    _login(client, cast.manager)
    framework = small_framework()
    response = client.post(reverse("progression:case-open"), {
        "practitioner": cast.practitioner.pk, "framework": framework.pk,
        "target_role": "Advanced Practitioner, Range 7", "head_of_service": cast.hos.pk,
    })
    case = ProgressionCase.objects.get(practitioner=cast.practitioner)
    assert response.url == case.get_absolute_url() and case.team == cast.team
    competency = Competency.objects.get(section__framework=framework, code="K1")
    url = reverse("progression:case-competency", args=[case.pk, competency.pk])
    missing = client.post(url, {"status": "reached", "comment": ""})
    assert "Say why the competency is reached" in missing.content.decode()
    evidence_required(case, cast.manager)
    client.post(url, {"status": "reached", "reached_on_0": "3", "reached_on_1": "2", "reached_on_2": "2024",
                      "comment": "Chaired the multi-agency meeting."})
    assessment = case.assessments.get(competency=competency)
    assert assessment.status == "reached" and assessment.reached_on == datetime.date(2024, 2, 3)
    _login(client, cast.practitioner)
    client.post(url, {"comment": "I also led the review."})
    assessment.refresh_from_db()
    assert assessment.worker_comment == "I also led the review." and assessment.status == "reached"
    _login(client, cast.hos)
    assert client.post(url, {"comment": "x"}).status_code == HTTPStatus.FORBIDDEN


def test_evidence_upload_and_permission_checked_download(client, cast, outsider):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    _login(client, cast.practitioner)
    url = reverse("progression:evidence-add", args=[case.pk])
    disguised = client.post(url, {
        "title": "Home visit", "example_date_0": "1", "example_date_1": "3", "example_date_2": "2024",
        "description": "Assessed risk.", "competencies": [str(competency.pk)],
        "file": SimpleUploadedFile("visit.pdf", b"<html>not a pdf</html>"),
    })
    assert disguised.status_code == 200 and "whatever its name says" in disguised.content.decode()
    assert "Assessed risk." in disguised.content.decode()
    client.post(url, {
        "title": "Home visit", "example_date_0": "1", "example_date_1": "3", "example_date_2": "2024",
        "description": "Assessed risk.", "competencies": [str(competency.pk)],
        "file": SimpleUploadedFile("visit.pdf", PDF),
    })
    evidence = case.evidence.get()
    download = reverse("progression:evidence-file", args=[case.pk, evidence.pk])
    response = client.get(download)
    assert response["Content-Disposition"].startswith("attachment") and b"".join(response.streaming_content) == PDF
    for user, status in ((cast.colleague, 404), (outsider, 404), (cast.manager, 200)):
        _login(client, user)
        assert client.get(download).status_code == status


def test_future_evidence_date_is_refused_with_nothing_lost(client, cast):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    _login(client, cast.practitioner)
    response = client.post(reverse("progression:evidence-add", args=[case.pk]), {
        "title": "Tomorrow", "example_date_0": "1", "example_date_1": "1", "example_date_2": "2999",
        "description": "Not yet.", "competencies": [str(competency.pk)],
    })
    assert "cannot be in the future" in response.content.decode() and "Tomorrow" in response.content.decode()


def test_submitting_an_incomplete_case_says_what_is_missing(client, cast):
    case = cast.open_case()
    _login(client, cast.manager)
    response = client.post(reverse("progression:case-submit", args=[case.pk]), {"revision": case.revision},
                           follow=True)
    body = response.content.decode()
    assert "Still missing: K1 (Key): not yet reached" in body and "K2 (Key): not yet reached" in body
    _login(client, cast.practitioner)
    assert client.post(reverse("progression:case-submit", args=[case.pk])).status_code == HTTPStatus.FORBIDDEN


def test_a_late_second_decision_gets_a_clear_message(client, cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    _login(client, cast.hos)
    url = reverse("progression:case-decide", args=[case.pk])
    loaded = client.get(url).context["form"]["revision"].value()
    services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="More please.")
    response = client.post(url, {"revision": loaded, "decision": "recommend"}, follow=True)
    assert response.status_code == 200
    assert "changed since you loaded the page: it is now “Draft”" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT


def test_stale_revision_on_the_same_step_is_explained(client, cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    other_hos = person(cast.organisation, Role.HEAD_OF_SERVICE, team=cast.team)
    _login(client, other_hos)
    url = reverse("progression:case-decide", args=[case.pk])
    loaded = case.revision
    services.progression_case_hos_decide(actor=cast.hos, case=case, recommend=False, comment="More please.")
    services.progression_case_submit(actor=cast.manager, case=agree(ProgressionCase.objects.get(pk=case.pk)))
    response = client.post(url, {"revision": loaded, "decision": "recommend"}, follow=True)
    assert "changed since you loaded the page" in response.content.decode()
    assert ProgressionCase.objects.get(pk=case.pk).stage == Stage.SUBMITTED


def test_decisions_through_the_pages_and_the_letter_download(client, cast):
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    _login(client, cast.hos)
    url = reverse("progression:case-decide", args=[case.pk])
    no_reason = client.post(url, {"revision": case.revision, "decision": "return", "comment": ""})
    assert "Give the reasons to return the case" in no_reason.content.decode()
    client.post(url, {"revision": case.revision, "decision": "recommend", "confirm": "yes"})
    case.refresh_from_db()
    _login(client, cast.director)
    client.post(url, {"revision": case.revision, "decision": "sign_off", "confirm": "yes"})
    case.refresh_from_db()
    assert case.stage == Stage.SIGNED_OFF
    _login(client, cast.hr)
    client.post(reverse("progression:case-hr", args=[case.pk]), {
        "revision": case.revision, "hr_reference": "PAY-77", "effective_date_0": "1", "effective_date_1": "4",
        "effective_date_2": "2025", "confirm": "yes",
    })
    case.refresh_from_db()
    _login(client, cast.manager)
    client.post(reverse("progression:case-told", args=[case.pk]), {
        "revision": case.revision, "told_on_0": "2", "told_on_1": "1", "told_on_2": "2025", "told_by": cast.manager.pk,
        "confirm": "yes",
    })
    case.refresh_from_db()
    assert case.stage == Stage.WORKER_TOLD
    client.post(reverse("progression:case-confirm", args=[case.pk]), {"revision": case.revision, "confirm": "yes"})
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMED
    letter = reverse("progression:case-letter", args=[case.pk])
    for user, status in ((cast.practitioner, 200), (cast.manager, 200), (cast.hr, 200), (cast.hos, 403),
                         (cast.colleague, 404)):
        _login(client, user)
        response = client.get(letter)
        assert response.status_code == status, user.email
        if status == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_home_panels(client, cast):
    case = cast.open_case()
    _login(client, cast.manager)
    page = client.get(reverse("home")).content.decode()
    assert "Progression cases waiting for you" in page and case.target_role in page
    _login(client, cast.practitioner)
    assert "Your progression case" in client.get(reverse("home")).content.decode()
    _login(client, cast.colleague)
    assert "Your progression case" not in client.get(reverse("home")).content.decode()


def test_evidence_pack_page_shows_progress_and_downloads(client, cast, outsider, django_capture_on_commit_callbacks):
    case = cast.open_case()
    _login(client, cast.manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("progression:pack-request", args=[case.pk]))
    pack_url = response.url
    assert "Queued: 0%" in client.get(pack_url).content.decode()
    for callback in queued:
        callback()
    page = client.get(pack_url).content.decode()
    assert "Download the evidence pack" in page
    pack = case.packs.get()
    assert client.get(reverse("progression:pack-download", args=[pack.pk]))["Content-Type"] == "application/pdf"
    _login(client, outsider)
    assert client.get(pack_url).status_code == HTTPStatus.NOT_FOUND


def test_letter_template_is_checked_on_save(client, cast):
    _login(client, cast.hr)
    url = reverse("progression:letter-template")
    response = client.post(url, {"heading": "Letter", "body": "Dear {{ name }}"})
    assert "Unknown placeholders" in response.content.decode() and "Dear {{ name }}" in response.content.decode()
    client.post(url, {"heading": "Letter", "body": "Dear {{ practitioner_name }}"})
    assert cast.organisation.progression_letter.body == "Dear {{ practitioner_name }}"
    _login(client, cast.manager)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN


def test_practitioner_opens_a_case_and_a_manager_of_the_team_takes_it_up(client, cast, outsider):
    _login(client, cast.practitioner)
    framework = small_framework()
    client.post(reverse("progression:case-open"), {
        "practitioner": cast.practitioner.pk, "framework": framework.pk,
        "target_role": "Advanced Practitioner, Range 7", "head_of_service": cast.hos.pk,
    })
    case = ProgressionCase.objects.get(practitioner=cast.practitioner)
    assert case.line_manager is None
    # Another practitioner cannot open a case for a colleague: only themselves are offered.
    refused = client.post(reverse("progression:case-open"), {
        "practitioner": cast.colleague.pk, "framework": framework.pk, "target_role": "x",
        "head_of_service": cast.hos.pk,
    })
    assert "Choose a practitioner from the list" in refused.content.decode()
    _login(client, outsider)
    assert client.post(reverse("progression:case-take-up", args=[case.pk])).status_code == HTTPStatus.NOT_FOUND
    _login(client, cast.manager)
    assert "Take up this case" in client.get(case.get_absolute_url()).content.decode()
    client.post(reverse("progression:case-take-up", args=[case.pk]))
    case.refresh_from_db()
    assert case.line_manager == cast.manager
    history = client.get(case.get_absolute_url()).content.decode()
    assert "Taken up by the line manager" in history and "(Line manager)" in history


def test_a_file_missing_from_the_disk_is_not_found(client, cast):
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    evidence = services.evidence_add(actor=cast.practitioner, case=case, title="Visit",
                                     example_date=datetime.date(2024, 3, 1), description="x",
                                     competencies=[competency], upload=SimpleUploadedFile("visit.pdf", PDF))
    evidence.file.delete(save=False)
    _login(client, cast.manager)
    response = client.get(reverse("progression:evidence-file", args=[case.pk, evidence.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_evidence_form_offers_competencies_section_by_section(client, cast):
    case = cast.open_case()
    _login(client, cast.practitioner)
    page = client.get(reverse("progression:evidence-add", args=[case.pk])).content.decode()
    entry, key = (page.index(f'nhsuk-fieldset__legend--s">{title}</legend>') for title in ("Entry", "Key"))
    assert entry < page.index(">E1: ") < page.index(">E2: ") < key < page.index(">K1: ") < page.index(">K2: ")
    assert "{#" not in page and "#}" not in page  # no template text shown
    assert page.count("</fieldset>") == page.count("<fieldset")


def test_the_competency_page_offers_adding_evidence_only_to_those_who_may(client, cast):
    """The Head of Service reads a draft case's competency but cannot add evidence: no link to a 403."""
    case = cast.open_case()
    competency = Competency.objects.filter(section__framework=case.framework).first()
    url = reverse("progression:case-competency", args=[case.pk, competency.pk])
    add = reverse("progression:evidence-add", args=[case.pk])
    for user, offered in ((cast.manager, True), (cast.practitioner, True), (cast.hos, False), (cast.hr, False)):
        _login(client, user)
        assert (add in client.get(url).content.decode()) is offered, user
