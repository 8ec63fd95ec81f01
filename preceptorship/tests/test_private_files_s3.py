"""Private files in an S3-compatible bucket: a real S3 server (moto's, over HTTP on a free local
port) holds the evidence and the exports, every object is private, and each download still passes
the view's access check and streams through Django.

The storage is the one settings.py builds from the AWS_* variables (``private_bucket``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preceptorship.models import Membership
from preceptorship.settings.base import private_bucket
from preceptorship.tests.factories import person
from programmes import exports
from programmes.models import ExportJob
from programmes.tests.factories_reports import ReportEnrolmentFactory, ReportProgrammeFactory
from progression.models import Competency, Evidence, EvidencePack
from progression.tests.factories import Cast

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

pytestmark = [pytest.mark.s3, pytest.mark.django_db]
Role = Membership.Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REGION = "eu-west-2"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per S3 request
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A new private bucket, and STORAGES["default"] pointing at it as the AWS_* variables would."""
    name = f"preceptorship-{uuid.uuid4().hex[:12]}"
    for variable, value in {"AWS_S3_ENDPOINT_URL": s3_endpoint, "AWS_S3_REGION_NAME": REGION,
                            "AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret",
                            "AWS_LOCATION": "private-files"}.items():
        monkeypatch.setenv(variable, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION,
                          aws_access_key_id="test-key", aws_secret_access_key="test-secret")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "default": private_bucket(name)}
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "not-used"  # nothing may land on the disk
    return _Bucket(client, name)


class _Bucket:
    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def keys(self) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=self.name).get("Contents", [])]

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def is_private(self, key: str) -> bool:
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return all(grant["Grantee"].get("URI") != ALL_USERS for grant in grants)


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_evidence_uploaded_to_the_bucket_is_downloaded_only_by_those_who_may_see_the_case(
    client: Any, organisation: Any, team: Any, outsider: Any, bucket: _Bucket, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cast = Cast(organisation, team)
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    client.force_login(cast.practitioner)
    response = client.post(reverse("progression:evidence-add", args=[case.pk]), {
        "title": "Supervision notes", "example_date_0": "3", "example_date_1": "2", "example_date_2": "2025",
        "description": "What the family said.", "competencies": [str(competency.pk)],
        "file": SimpleUploadedFile("supervision.pdf", PDF, content_type="application/pdf"),
    })
    assert response.status_code == HTTPStatus.FOUND
    evidence = Evidence.objects.get(case=case)

    key = f"private-files/{evidence.file.name}"
    assert bucket.keys() == [key] and bucket.read(key) == PDF
    assert bucket.is_private(key)
    assert not Path(settings.PRIVATE_MEDIA_ROOT).exists()

    url = reverse("progression:evidence-file", args=[case.pk, evidence.pk])
    for who in (cast.practitioner, cast.manager):
        client.force_login(who)
        download = client.get(url)
        assert download.status_code == HTTPStatus.OK
        assert download["Content-Disposition"].startswith("attachment")
        assert _body(download) == PDF  # streamed through Django, never a redirect to the bucket
    client.force_login(outsider)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.logout()
    assert client.get(url).status_code == HTTPStatus.FOUND  # to the sign-in page

    # Deleting the evidence deletes the object once the change is committed.
    client.force_login(cast.practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(reverse("progression:evidence-delete", args=[case.pk, evidence.pk]))
    assert deleted.status_code == HTTPStatus.FOUND
    assert bucket.keys() == []


def test_an_evidence_object_gone_from_the_bucket_is_a_404(
    client: Any, organisation: Any, team: Any, bucket: _Bucket
) -> None:
    cast = Cast(organisation, team)
    case = cast.open_case()
    competency = Competency.objects.get(section__framework=case.framework, code="K1")
    client.force_login(cast.practitioner)
    client.post(reverse("progression:evidence-add", args=[case.pk]), {
        "title": "Notes", "example_date_0": "3", "example_date_1": "2", "example_date_2": "2025",
        "description": "Words.", "competencies": [str(competency.pk)],
        "file": SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
    })
    evidence = Evidence.objects.get(case=case)
    bucket.client.delete_object(Bucket=bucket.name, Key=f"private-files/{evidence.file.name}")
    url = reverse("progression:evidence-file", args=[case.pk, evidence.pk])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_an_export_built_in_the_background_is_kept_in_the_bucket_and_downloaded(
    client: Any, organisation: Any, bucket: _Bucket, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any, today: Any,
) -> None:
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 3)
    lead = person(organisation, Role.PROGRAMME_LEAD)
    programme = ReportProgrammeFactory(organisation=organisation)
    mentor = person(organisation, Role.MENTOR)
    for _ in range(4):
        ReportEnrolmentFactory(programme=programme, mentor=mentor, start_date=today)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("programmes:enrolments-export", args=["csv"]))
    assert response.status_code == HTTPStatus.FOUND
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE

    key = f"private-files/{job.file.name}"
    assert bucket.keys() == [key] and bucket.is_private(key)

    download = client.get(reverse("programmes:export-job-download", args=[job.pk]))
    assert download.status_code == HTTPStatus.OK
    body = _body(download)
    assert body == bucket.read(key)
    assert body.decode("utf-8-sig").splitlines()[0].startswith("enrolment_id,")
    # Another lead of the same organisation does not see someone else's export.
    client.force_login(person(organisation, Role.PROGRAMME_LEAD))
    assert client.get(reverse("programmes:export-job-download", args=[job.pk])).status_code == HTTPStatus.NOT_FOUND
    # An object gone from the bucket is a 404 for its owner too, not a server error.
    bucket.client.delete_object(Bucket=bucket.name, Key=key)
    client.force_login(lead)
    assert client.get(reverse("programmes:export-job-download", args=[job.pk])).status_code == HTTPStatus.NOT_FOUND


def test_the_letter_and_the_evidence_pack_are_kept_in_the_bucket_and_downloaded_after_the_check(
    client: Any, organisation: Any, team: Any, outsider: Any, bucket: _Bucket
) -> None:
    cast = Cast(organisation, team)
    case = cast.open_case()
    # Stored as the services store them: through the field's storage, never a path.
    case.letter_file.save(f"letter-{case.pk}.pdf", ContentFile(PDF), save=True)
    pack = EvidencePack.objects.create(case=case, requested_by=cast.manager, status=EvidencePack.Status.READY)
    pack.file.save(f"evidence-pack-{case.pk}.pdf", ContentFile(PDF + b"%pack"), save=True)
    assert sorted(bucket.keys()) == sorted([f"private-files/{case.letter_file.name}", f"private-files/{pack.file.name}"])
    assert all(bucket.is_private(key) for key in bucket.keys())

    letter = reverse("progression:case-letter", args=[case.pk])
    download = reverse("progression:pack-download", args=[pack.pk])
    client.force_login(cast.manager)
    assert _body(client.get(letter)) == PDF
    assert _body(client.get(download)) == PDF + b"%pack"
    client.force_login(outsider)
    assert client.get(letter).status_code == HTTPStatus.NOT_FOUND
    assert client.get(download).status_code == HTTPStatus.NOT_FOUND


def test_the_bucket_storage_never_makes_a_public_url(bucket: _Bucket) -> None:
    from django.core.files.storage import storages

    storage = storages["default"]
    assert storage.default_acl == "private" and storage.querystring_auth
    url = storage.url("progression/evidence/anything.pdf")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
