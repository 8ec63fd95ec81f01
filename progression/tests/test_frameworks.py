"""Frameworks: the shipped tables, import and export, versions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from progression import frameworks_io, services
from progression.models import Competency, Framework
from progression.services import TransitionError
from progression.tests.factories import shipped

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks.json"
SEED = Path("/work/shared/seeds/004_3af2323a8127d3e3.txt")

pytestmark = pytest.mark.django_db


def test_shipped_frameworks_are_present_after_migrate():
    names = set(Framework.objects.filter(status="published", owner=None).values_list("name", flat=True))
    assert "Social Worker career progression, Range 6 to Range 7" in names
    assert "Occupational Therapist career progression, Range 6 to Range 7" in names
    sw = shipped()
    assert [s.title for s in sw.sections.order_by("order")] == [
        "Range 6 entry point", "Range 6 key competencies", "Range 7 key competencies"]
    assert [s.required_for_sign_off for s in sw.sections.order_by("order")] == [False, False, True]
    assert sw.source
    assert list(sw.professions.values_list("slug", flat=True)) == ["social-work"]


def test_export_on_fresh_database_matches_the_shipped_data():
    out = io.StringIO()
    call_command("export_framework", "--all", "--format", "json", stdout=out)
    exported = json.loads(out.getvalue())
    expected = json.loads(DATA.read_text())
    assert sorted(exported, key=lambda f: f["slug"]) == sorted(expected, key=lambda f: f["slug"])


@pytest.mark.skipif(not SEED.exists(), reason="seed document not available")
def test_every_shipped_statement_is_word_for_word_in_the_seed():
    seed = " ".join(SEED.read_text().replace("post- qualifying", "post-qualifying").split())
    # The seed's table columns are interleaved line by line, so compare each statement's opening words.
    for competency in Competency.objects.filter(section__framework__owner=None, section__framework__version=1):
        opening = " ".join(competency.statement.split()[:3])
        assert opening in seed, competency.code


def test_export_one_framework_as_csv():
    out = io.StringIO()
    call_command("export_framework", "social-worker-range-6-to-7", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "section,code,statement,guidance"
    assert lines[1].startswith("Range 6 entry point,SW-E1,The new R6 Social Worker")
    assert len(lines) == 1 + Competency.objects.filter(section__framework=shipped()).count()


def test_csv_import_round_trip(tmp_path, organisation):
    path = tmp_path / "passport.csv"
    path.write_text("section,code,statement,guidance\nBand 2,B2-1,Follows policy.,Ask your supervisor\n"
                    "Band 2,B2-2,Communicates clearly.,\nBand 3,B3-1,Leads a shift.,\n")
    call_command("import_framework", str(path), "--name", "Skills Passport", "--slug", "skills-passport",
                 "--owner", organisation.slug, "--required-section", "Band 3", stdout=io.StringIO())
    framework = Framework.objects.get(slug="skills-passport")
    assert framework.status == "draft" and framework.owner == organisation
    sections = list(framework.sections.order_by("order"))
    assert [(s.title, s.required_for_sign_off) for s in sections] == [("Band 2", False), ("Band 3", True)]
    assert sections[0].competencies.get(code="B2-1").guidance == "Ask your supervisor"


def test_an_exported_csv_is_safe_in_a_spreadsheet_and_imports_back_word_for_word(tmp_path, organisation):
    """Texts a spreadsheet would run get a quote in the file; reading the file back removes it."""
    framework = shipped()
    competency = Competency.objects.filter(section__framework=framework).first()
    competency.statement, competency.guidance = '=HYPERLINK("http://x","y")', "-2+3"
    competency.save(update_fields=["statement", "guidance"])
    exported = frameworks_io.export_csv([framework])
    assert """'=HYPERLINK(""http://x"",""y"")""" in exported and ",'-2+3" in exported
    path = tmp_path / "again.csv"
    path.write_text(exported)
    call_command("import_framework", str(path), "--name", "Again", "--slug", "again",
                 "--owner", organisation.slug, stdout=io.StringIO())
    again = Competency.objects.get(section__framework__slug="again", code=competency.code)
    assert (again.statement, again.guidance) == ('=HYPERLINK("http://x","y")', "-2+3")


def test_invalid_csv_reports_each_row_and_saves_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("section,code,statement,guidance\nA,A1,Fine.,\n,A2,No section.,\nA,,,\nA,A1,Duplicate code.,\n")
    before = Framework.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path), "--name", "Bad", stdout=io.StringIO())
    message = str(error.value)
    assert "Row 3: the section is empty" in message
    assert "Row 4: the code is empty; the statement is empty" in message
    assert "used twice" in message
    assert Framework.objects.count() == before


def test_json_import_of_an_export_makes_a_new_version(tmp_path):
    data = json.loads(DATA.read_text())[0]
    data["version"] = None
    path = tmp_path / "frameworks.json"
    path.write_text(json.dumps([data]))
    call_command("import_framework", str(path), stdout=io.StringIO())
    assert Framework.objects.get(slug=data["slug"], version=2).status == "draft"


def test_invalid_json_is_refused():
    result = frameworks_io.parse_json("[{]")
    assert not result.ok and "not valid JSON" in result.errors[0]
    result = frameworks_io.parse_json(json.dumps([{"name": "", "sections": []}]))
    assert any("no name" in e for e in result.errors) and any("no sections" in e for e in result.errors)


def test_importing_an_existing_version_is_refused():
    data = frameworks_io.parse_json(DATA.read_text()).frameworks[0]
    with pytest.raises(ValidationError, match="already exists"):
        services.framework_import(actor=None, data=data, owner=None)


def test_new_version_copies_and_publishing_retires_the_old(cast):
    old = shipped()
    draft = services.framework_new_version(actor=cast.lead, framework=old)
    assert draft.version == 2 and draft.status == "draft" and draft.previous == old
    assert Competency.objects.filter(section__framework=draft).count() == Competency.objects.filter(
        section__framework=old).count()
    with pytest.raises(TransitionError):
        services.framework_new_version(actor=cast.lead, framework=old)
    services.framework_publish(actor=cast.lead, framework=draft)
    old.refresh_from_db()
    assert old.status == "retired"


def test_published_framework_cannot_be_edited_in_place(cast):
    with pytest.raises(TransitionError):
        services.framework_update(actor=cast.lead, framework=shipped(), data={"name": "Changed", "sections": []})


def test_case_keeps_the_wording_of_its_version(cast):
    case = cast.open_case(shipped())
    draft = services.framework_new_version(actor=cast.lead, framework=shipped())
    data = frameworks_io.export_data([Framework.objects.get(pk=draft.pk)])[0]
    data["sections"][0]["competencies"][0]["statement"] = "New wording."
    services.framework_update(actor=cast.lead, framework=draft, data=data)
    services.framework_publish(actor=cast.lead, framework=draft)
    first = case.assessments.order_by("competency__section__order", "competency__order").first()
    assert first.competency.statement.startswith("The new R6 Social Worker")


def test_a_retired_version_stays_readable_to_those_whose_case_uses_it(cast, client, outsider):
    case = cast.open_case(shipped())
    draft = services.framework_new_version(actor=cast.lead, framework=shipped())
    services.framework_publish(actor=cast.lead, framework=draft)
    retired = Framework.objects.get(pk=case.framework_id)
    assert retired.status == Framework.Status.RETIRED
    for reader in (cast.practitioner, cast.manager, cast.hos):
        client.force_login(reader)
        case_page = client.get(case.get_absolute_url()).content.decode()
        assert retired.get_absolute_url() in case_page
        response = client.get(retired.get_absolute_url())
        assert response.status_code == 200, reader.email
        assert "Retired" in response.content.decode()
    client.force_login(outsider)  # no case on it: a retired version is not theirs to read
    assert client.get(retired.get_absolute_url()).status_code == 404
