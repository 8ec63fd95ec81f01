"""Equality monitoring: a person's own answers (saved, changed, removed only by them, audited without
the values, seen by nobody else, not in the Django admin), and the leads' figures (groups under
five hidden, a second figure hidden wherever a total would give one away, queries flat)."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from preceptorship import access
from preceptorship.models import AuditEntry, Membership
from preceptorship.tests.factories import person
from preceptorship.tests.queries import assert_same_queries_at_two_sizes
from programmes.equality import selectors, services
from programmes.equality.categories import BY_FIELD, NOT_ANSWERED_LABEL, PREFER_NOT
from programmes.equality.models import EqualityAnswers
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from progression import services as progression_services
from progression.models import ProgressionCase
from progression.tests.factories import small_framework

pytestmark = pytest.mark.django_db
Role = Membership.Role
ETHNIC = BY_FIELD["ethnic_group"]


@pytest.fixture
def someone(organisation):
    return person(organisation, Role.PRACTITIONER)


def test_a_person_saves_changes_and_removes_their_answers_and_the_log_keeps_no_value(someone):
    services.equality_answers_save(actor=someone, person=someone,
                                   answers={"ethnic_group": "black_african", "disability": PREFER_NOT})
    saved = EqualityAnswers.objects.get(user=someone)
    assert (saved.ethnic_group, saved.disability, saved.sex) == ("black_african", PREFER_NOT, "")
    services.equality_answers_save(actor=someone, person=someone, answers={"ethnic_group": "white_irish"})
    saved.refresh_from_db()
    assert (saved.ethnic_group, saved.disability) == ("white_irish", "")
    assert services.equality_answers_remove(actor=someone, person=someone) is True
    assert not EqualityAnswers.objects.exists()
    entries = AuditEntry.objects.filter(action__startswith="equality.").order_by("pk")
    assert [e.action for e in entries] == ["equality.answers_save"] * 2 + ["equality.answers_remove"]
    logged = " ".join(f"{e.summary} {e.before} {e.after}" for e in entries)
    for value in ("black", "african", "irish", "white", PREFER_NOT):
        assert value not in logged.lower()
    assert {e.subject_id for e in entries} == {someone.pk} and {e.organisation_id for e in entries} == {None}


def test_no_answer_at_all_keeps_nothing(someone):
    assert services.equality_answers_save(actor=someone, person=someone, answers={}) is None
    assert not EqualityAnswers.objects.exists()


def test_nobody_else_saves_or_removes_them_not_even_an_administrator(someone, organisation):
    services.equality_answers_save(actor=someone, person=someone, answers={"sex": "female"})
    chief = person(organisation, Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        services.equality_answers_save(actor=chief, person=someone, answers={"sex": "male"})
    with pytest.raises(PermissionDenied):
        services.equality_answers_remove(actor=chief, person=someone)
    assert EqualityAnswers.objects.get().sex == "female"


def test_an_answer_not_in_the_list_is_refused(someone):
    with pytest.raises(ValidationError) as refused:
        services.equality_answers_save(actor=someone, person=someone, answers={"age_band": "ancient"})
    assert set(refused.value.message_dict) == {"age_band"}


def test_nobody_else_sees_a_persons_answers_anywhere(client, someone, organisation):
    services.equality_answers_save(actor=someone, person=someone, answers={"religion": "sikh"})
    lead = person(organisation, Role.PROGRAMME_LEAD)
    chief = person(organisation, Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    for other in (lead, chief):
        assert not access.scope(other, EqualityAnswers).exists()
        client.force_login(other)
        page = client.get(reverse("equality:mine")).content.decode()
        assert 'value="sikh" checked' not in page
    assert EqualityAnswers not in admin.site._registry
    assert client.get("/admin/equality/equalityanswers/").status_code == HTTPStatus.NOT_FOUND
    client.force_login(someone)
    assert 'value="sikh" checked' in client.get(reverse("equality:mine")).content.decode()


def test_the_page_saves_and_a_bad_answer_is_refused_beside_the_field_keeping_the_others(client, someone):
    client.force_login(someone)
    answer = client.post(reverse("equality:mine"), {"sex": "female", "age_band": "made-up"})
    page = answer.content.decode()
    assert answer.status_code == HTTPStatus.OK and "nhsuk-error-summary" in page
    assert 'value="female" checked' in page and not EqualityAnswers.objects.exists()
    answer = client.post(reverse("equality:mine"), {"sex": "female", "age_band": "25_34"})
    assert answer.status_code == HTTPStatus.FOUND
    assert EqualityAnswers.objects.get().age_band == "25_34"
    assert client.post(reverse("equality:remove")).status_code == HTTPStatus.FOUND
    assert not EqualityAnswers.objects.exists()


# The figures.


def _finished(programme, *, group: str | None, completed: int, withdrawn: int) -> None:
    for n in range(completed + withdrawn):
        enrolment = (EnrolmentFactory(programme=programme, withdrawn=True) if n >= completed
                     else EnrolmentFactory(programme=programme, completed=True))
        if group:
            EqualityAnswers.objects.create(user=enrolment.preceptee, ethnic_group=group)


def _row(table, group):
    return next(row for row in table.rows if row.group == group)


def test_retention_by_group_hides_small_groups_and_what_would_give_them_away(organisation):
    programme = ProgrammeFactory(organisation=organisation)
    _finished(programme, group="white_british", completed=6, withdrawn=5)   # shown
    _finished(programme, group="black_african", completed=2, withdrawn=1)   # fewer than 5: hidden whole
    _finished(programme, group="asian_indian", completed=4, withdrawn=4)   # 8 people, cells of 4: hidden
    _finished(programme, group=None, completed=7, withdrawn=6)             # not answered
    table = selectors.retention(organisation_ids=[organisation.pk], question=ETHNIC)
    white = _row(table, "White")
    assert (white.first.value, white.second.value, white.total.value) == (6, 5, 11)
    assert not (white.first.hidden or white.second.hidden or white.total.hidden)
    black = _row(table, "Black, Black British, Caribbean or African")
    assert black.first.hidden and black.second.hidden and black.total.hidden
    asian = _row(table, "Asian or Asian British")
    assert asian.first.hidden and asian.second.hidden
    # The smallest total still shown is hidden too: otherwise all people less the others gives the 3.
    assert asian.total.protects and not _row(table, NOT_ANSWERED_LABEL).total.hidden
    # Every column with a hidden cell has a second one hidden, so no total gives one away.
    for name in ("first", "second", "total"):
        hidden = [row for row in table.rows if getattr(row, name).hidden]
        assert len(hidden) != 1, name
    assert _row(table, NOT_ANSWERED_LABEL).total.value == 13
    assert (table.totals.first.value, table.totals.second.value) == (19, 16)
    assert table.any_shown


def test_progression_counts_cases_signed_off_against_not(organisation, team):
    framework = small_framework()
    manager = person(organisation, Role.LINE_MANAGER, team=team)
    hos = person(organisation, Role.HEAD_OF_SERVICE, team=team)
    for n in range(10):
        practitioner = person(organisation, Role.PRACTITIONER, team=team)
        EqualityAnswers.objects.create(user=practitioner, sex="female")
        case = progression_services.progression_case_open(
            actor=manager, practitioner=practitioner, framework=framework, target_role="AP", head_of_service=hos,
            organisation=organisation, team=team)
        if n < 5:
            ProgressionCase.objects.filter(pk=case.pk).update(stage=ProgressionCase.Stage.CONFIRMED)
    table = selectors.progression(organisation_ids=[organisation.pk], question=BY_FIELD["sex"])
    female = _row(table, "Female")
    assert (female.first.value, female.second.value) == (5, 5) and not female.first.hidden
    assert _row(table, "Male").total.value == 0


def test_the_figures_page_takes_the_same_queries_whatever_the_number_of_people(client, organisation):
    lead = person(organisation, Role.PROGRAMME_LEAD)
    programme = ProgrammeFactory(organisation=organisation)
    client.force_login(lead)
    url = reverse("equality:figures") + "?question=ethnic_group"
    _finished(programme, group="white_british", completed=1, withdrawn=0)
    first, second = assert_same_queries_at_two_sizes(
        lambda: client.get(url), lambda: _finished(programme, group="white_irish", completed=6, withdrawn=5))
    assert first.status_code == second.status_code == HTTPStatus.OK
    assert "Retention" in second.content.decode()


def test_an_ics_lead_counts_every_organisation_of_the_system_and_others_are_refused(client, organisation,
                                                                                   other_organisation):
    ics_lead = person(organisation, Role.ICS_LEAD)
    _finished(ProgrammeFactory(organisation=organisation), group="white_british", completed=3, withdrawn=0)
    _finished(ProgrammeFactory(organisation=other_organisation), group="white_british", completed=3, withdrawn=0)
    client.force_login(ics_lead)
    page = client.get(reverse("equality:figures")).content.decode()
    assert other_organisation.name in page and organisation.name in page
    client.force_login(person(organisation, Role.MENTOR))
    assert client.get(reverse("equality:figures")).status_code == HTTPStatus.FORBIDDEN


# The figures per organisation, and their download.


def _download(client, fmt="csv", **query):
    response = client.get(reverse("equality:figures-export", args=[fmt]), query)
    assert response.status_code == HTTPStatus.OK
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        return [dict(zip(values[0], ("" if v is None else v for v in row), strict=True)) for row in values[1:]]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


FIGURES = ("achieved", "not_achieved", "total")


def _nothing_worked_out(rows):
    """No hidden figure can be worked out from the others: in each row (completed and not against the
    total), each column of a table (the groups against all people) and each figure across the
    organisations (against all of them together), never exactly one is hidden, unless the total is a
    0 shown (then every figure it adds up is 0, and tells nothing of any group)."""
    cells = {(r["measure"], r["organisation"], r["group"], name): (bool(r[f"{name}_hidden"]), str(r[name]))
             for r in rows for name in FIGURES}

    def check(members, total, where):
        hidden = [cells[key][0] for key in (*members, total)]
        assert sum(hidden) != 1 or cells[total][1] == "0", where

    tables = {(r["measure"], r["organisation"]) for r in rows}
    groups = {r["group"] for r in rows} - {"All people"}
    places = {place for _, place in tables} - {"All organisations"}
    for measure, place in tables:
        for group in [*groups, "All people"]:
            key = (measure, place, group)
            check([(*key, "achieved"), (*key, "not_achieved")], (*key, "total"), key)
        for name in FIGURES:
            check([(measure, place, group, name) for group in groups], (measure, place, "All people", name),
                  (measure, place, name))
            if len(places) > 1:
                for group in [*groups, "All people"]:
                    check([(measure, p, group, name) for p in places], (measure, "All organisations", group, name),
                          (measure, group, name))


def test_the_download_hides_what_the_page_hides_and_keeps_numbers_numeric(client, organisation):
    programme = ProgrammeFactory(organisation=organisation)
    _finished(programme, group="white_british", completed=10, withdrawn=9)
    _finished(programme, group="black_african", completed=3, withdrawn=1)   # a group of 4
    _finished(programme, group=None, completed=7, withdrawn=6)
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    page = client.get(reverse("equality:figures"), {"question": "ethnic_group"}).content.decode()
    assert reverse("equality:figures-export", args=["csv"]) + "?question=ethnic_group" in page
    for fmt in ("csv", "xlsx"):
        rows = _download(client, fmt, question="ethnic_group")
        assert set(FIGURES) | {f"{n}_hidden" for n in FIGURES} <= set(rows[0])
        assert list(rows[0])[-3:] == [f"{n}_hidden" for n in FIGURES]  # the flags at the end
        assert {r["organisation"] for r in rows} == {organisation.name}  # one organisation: no "all"
        retention = {r["group"]: r for r in rows if r["measure"] == "retention"}
        black = retention["Black, Black British, Caribbean or African"]
        assert [black[n] for n in FIGURES] == ["", "", ""]
        assert [black[f"{n}_hidden"] for n in FIGURES] == ["fewer than 5"] * 3
        white = retention["White"]
        expected = [10, 9, 19] if fmt == "xlsx" else ["10", "9", "19"]
        assert [white[n] for n in FIGURES] == expected and not white["achieved_hidden"]
        # The 4 cannot be read back from the totals: all people, less the groups shown, is hidden.
        everyone = retention["All people"]
        shown = [r for g, r in retention.items() if g != "All people" and r["total"] != ""]
        assert everyone["total"] == "" or int(everyone["total"]) != sum(int(r["total"]) for r in shown) + 4
        assert 4 not in [r[n] for r in rows for n in FIGURES] and "4" not in [r[n] for r in rows for n in FIGURES]
        _nothing_worked_out(rows)
    assert client.get(reverse("equality:figures-export", args=["pdf"])).status_code == HTTPStatus.NOT_FOUND


def test_an_ics_lead_reads_each_organisation_and_no_table_gives_another_away(client, organisation,
                                                                            other_organisation):
    _finished(ProgrammeFactory(organisation=organisation), group="white_british", completed=3, withdrawn=0)
    _finished(ProgrammeFactory(organisation=other_organisation), group="white_british", completed=6, withdrawn=5)
    _finished(ProgrammeFactory(organisation=other_organisation), group=None, completed=8, withdrawn=7)
    client.force_login(person(organisation, Role.ICS_LEAD))
    page = client.get(reverse("equality:figures"), {"organisation": other_organisation.pk}).content.decode()
    assert f"Counted: {other_organisation.name}." in page
    home = client.get(reverse("equality:figures"), {"organisation": organisation.pk}).content.decode()
    assert "fewer than 5" in home
    rows = _download(client, question="ethnic_group")
    places = {r["organisation"] for r in rows}
    assert places == {"All organisations", organisation.name, other_organisation.name}
    white = {r["organisation"]: r for r in rows if r["measure"] == "retention" and r["group"] == "White"}
    assert white[organisation.name]["total"] == ""
    # The system's 9 less the neighbour's 6 would give the 3 away: one of them is hidden too.
    assert white["All organisations"]["total"] == "" or white[other_organisation.name]["total"] == ""
    _nothing_worked_out(rows)
    tables = {(r["measure"], r["organisation"]) for r in rows}
    assert len(tables) == 6


def test_a_programme_lead_reads_only_their_own_organisation(client, organisation, other_organisation):
    _finished(ProgrammeFactory(organisation=other_organisation), group="white_british", completed=6, withdrawn=5)
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    assert client.get(reverse("equality:figures"), {"organisation": other_organisation.pk}).status_code == \
        HTTPStatus.NOT_FOUND
    assert client.get(reverse("equality:figures-export", args=["csv"]),
                      {"organisation": other_organisation.pk}).status_code == HTTPStatus.NOT_FOUND
    page = client.get(reverse("equality:figures")).content.decode()
    assert other_organisation.name not in page and 'name="organisation"' not in page
    rows = _download(client)
    assert {r["organisation"] for r in rows} == {organisation.name}
    assert all(r[n] in ("0", "") for r in rows for n in FIGURES)
    client.force_login(person(organisation, Role.MENTOR))
    assert client.get(reverse("equality:figures-export", args=["csv"])).status_code == HTTPStatus.FORBIDDEN


def test_the_download_and_an_organisations_figures_take_the_same_queries_whatever_the_number(
        client, organisation, other_organisation):
    programmes = [ProgrammeFactory(organisation=organisation), ProgrammeFactory(organisation=other_organisation)]
    client.force_login(person(organisation, Role.ICS_LEAD))
    _finished(programmes[0], group="white_british", completed=1, withdrawn=0)

    def grow():
        for programme in programmes:
            _finished(programme, group="white_irish", completed=6, withdrawn=5)

    for url, query in ((reverse("equality:figures-export", args=["csv"]), {"question": "ethnic_group"}),
                       (reverse("equality:figures-export", args=["xlsx"]), {}),
                       (reverse("equality:figures"), {"organisation": other_organisation.pk})):
        first, second = assert_same_queries_at_two_sizes(lambda url=url, query=query: client.get(url, query), grow)
        assert first.status_code == second.status_code == HTTPStatus.OK
