"""Files in an S3-compatible bucket: real S3 traffic, through django-storages and
boto3, to moto's S3 server listening on a local port (no MinIO on this machine;
moto speaks the same HTTP API)."""

import json
import os
import subprocess
import sys
import uuid

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from assessments import services
from assessments.models import EvidenceFile, Grade, GradeImport, Submission
from config.settings import s3_storage
from credentials.models import Award
from curriculum import services as curriculum
from tests import builders
from tests.assessments.conftest import learners
from tests.assessments.test_bad_input import PNG
from tests.assessments.test_imports import csv_bytes
from tests.assessments.test_submissions import PDF
from tests.curriculum.test_modules import png_bytes

CREDENTIALS = {"access_key": "cairn-test", "secret_key": "cairn-test-secret"}
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    """A new private bucket, made Cairn's default storage for the test."""
    name = f"cairn-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    storage = s3_storage(name, endpoint_url=s3_endpoint, region=REGION)
    storage["OPTIONS"].update(CREDENTIALS)
    with override_settings(STORAGES=settings.STORAGES | {"default": storage}):
        yield client, name


def keys(client, name: str) -> list[str]:
    return [
        item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])
    ]


def test_the_environment_chooses_a_private_bucket_or_the_local_disk():
    probe = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "CAIRN_S3_BUCKET": "college-files",
        "CAIRN_S3_ENDPOINT_URL": "https://minio.example.edu",
        "CAIRN_S3_REGION": "us-east-1",
    }
    run = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True
    )
    chosen = json.loads(run.stdout.strip().splitlines()[-1])
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    assert chosen["OPTIONS"]["bucket_name"] == "college-files"
    assert chosen["OPTIONS"]["endpoint_url"] == "https://minio.example.edu"
    assert chosen["OPTIONS"]["default_acl"] == "private"
    assert chosen["OPTIONS"]["file_overwrite"] is False
    del env["CAIRN_S3_BUCKET"]
    run = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True
    )
    chosen = json.loads(run.stdout.strip().splitlines()[-1])
    assert chosen["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_file_fields_use_the_bucket_when_one_is_configured(bucket):
    """FileFields hold the lazy default_storage, which override_settings (and
    Django's setting_changed signal) resets: they follow STORAGES."""
    _, name = bucket
    field_storage = EvidenceFile._meta.get_field("file").storage
    assert field_storage is default_storage
    assert field_storage.bucket_name == name
    assert isinstance(default_storage._wrapped, S3Storage)


def test_evidence_goes_to_the_bucket_and_is_served_only_to_those_allowed(
    client, cast, task, bucket
):
    s3, name = bucket
    client.force_login(cast["learner"])
    url = reverse("assessments:task-detail", args=[task.pk])
    # A file named .pdf whose content is an executable is refused by content.
    refused = client.post(
        url,
        {
            "text": "My report",
            "files": SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        },
    )
    assert refused.status_code == 200
    assert "not a file type Cairn accepts" in refused.text
    assert not Submission.objects.exists()
    assert keys(s3, name) == []

    response = client.post(
        url,
        {
            "text": "My report",
            "files": [
                SimpleUploadedFile("report.pdf", PDF),
                SimpleUploadedFile("chart.png", PNG),
            ],
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    pdf = submission.files.get(original_name="report.pdf")
    png = submission.files.get(original_name="chart.png")
    stored = keys(s3, name)
    assert sorted(stored) == sorted([pdf.file.name, png.file.name])
    assert all(
        key.startswith(f"evidence/{cast['learner'].pk}/{submission.pk}/")
        for key in stored
    )
    body = s3.get_object(Bucket=name, Key=pdf.file.name)["Body"].read()
    assert body == PDF
    # Private: no public-read grant on the object.
    grants = s3.get_object_acl(Bucket=name, Key=pdf.file.name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]

    client.force_login(cast["faculty"])
    preview = client.get(reverse("assessments:evidence-preview", args=[png.pk]))
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/png"
    assert b"".join(preview.streaming_content) == PNG
    download = client.get(reverse("assessments:evidence", args=[pdf.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    client.force_login(cast["other_learner"])
    assert client.get(reverse("assessments:evidence", args=[pdf.pk])).status_code == 404
    assert (
        client.get(reverse("assessments:evidence-preview", args=[png.pk])).status_code
        == 404
    )


def test_two_files_with_one_name_do_not_replace_each_other(cast, task, bucket):
    s3, name = bucket
    draft = services.save_draft(
        task, learner=cast["learner"], files=[SimpleUploadedFile("a.png", PNG)]
    )
    services.save_draft(
        task, learner=cast["learner"], files=[SimpleUploadedFile("a.png", PDF)]
    )
    first, second = draft.files.order_by("pk")
    assert first.file.name != second.file.name
    assert len(keys(s3, name)) == 2


def test_an_object_missing_from_the_bucket_is_a_404(client, cast, task, bucket):
    s3, name = bucket
    draft = services.save_draft(
        task, learner=cast["learner"], files=[SimpleUploadedFile("a.png", PNG)]
    )
    evidence = draft.files.get()
    s3.delete_object(Bucket=name, Key=evidence.file.name)
    client.force_login(cast["learner"])
    url = reverse("assessments:evidence", args=[evidence.pk])
    assert client.get(url).status_code == 404


def test_a_certificate_renders_into_the_bucket_and_downloads(
    client, cast, task, bucket, django_capture_on_commit_callbacks
):
    s3, name = bucket
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get(learner=cast["learner"])
    assert not award.pdf  # rendered when first asked for
    response = client.get(reverse("credentials:pdf", args=[award.uuid]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    award.refresh_from_db()
    assert award.pdf.name in keys(s3, name)
    assert body == s3.get_object(Bucket=name, Key=award.pdf.name)["Body"].read()


def test_recognition_files_and_badge_images_are_read_from_the_bucket(
    client, cast, task, bucket
):

    s3, name = bucket
    decision = services.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="recognition",
        decision="accepted", reason="Portfolio reviewed.",
        upload=SimpleUploadedFile("portfolio.pdf", PDF),
    )  # fmt: skip
    assert decision.file.name in keys(s3, name)
    client.force_login(cast["learner"])
    url = reverse("assessments:recognition-file", args=[decision.pk])
    assert b"".join(client.get(url).streaming_content) == PDF

    draft = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="IMG-1", title="With a badge",
        badge_image=png_bytes(),
    )  # fmt: skip
    assert draft.badge_image.name in keys(s3, name)
    image_url = draft.get_badge_url()  # an uploaded PNG: its .png address
    client.force_login(cast["designer"])
    image = client.get(image_url)
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == png_bytes()
    page = client.get(draft.get_absolute_url()).text
    assert f'src="{image_url}"' in page
    assert "X-Amz" not in page  # no signed bucket URL is handed out
    client.force_login(cast["learner"])
    assert client.get(image_url).status_code == 404  # a draft is staff-only


def test_a_grade_import_file_is_kept_in_the_bucket_and_read_back_by_its_task(
    cast, task, bucket, django_capture_on_commit_callbacks
):

    s3, name = bucket
    (learner,) = learners(cast, 1)
    upload = SimpleUploadedFile(
        "grades.csv",
        csv_bytes("learner,Accuracy,Communication", f"{learner.username},3,3"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_grade_import(task, by=cast["faculty"], upload=upload)
    job.refresh_from_db()
    assert job.file.name in keys(s3, name)
    assert (job.status, job.imported) == (GradeImport.Status.DONE, 1)
    assert Grade.objects.get(submission__learner=learner).total == 4
