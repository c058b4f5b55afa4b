"""Import jobs: queued from the upload pages, run by the worker (here at once), followed on
their page and through the API; atomic and idempotent."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icahub.funding.models import ExchangeRate
from icahub.imports import services
from icahub.imports.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

RATES = (
    b"currency,valid_from,usd_per_unit,source\n"
    b"EUR,2024-01-01,1.1,[Test] rate\n"
    b"GBP,2024-01-01,1.3,[Test] rate\n"
)


def _upload(client, data: bytes = RATES, name: str = "rates.csv"):
    return client.post(
        "/funding/exchange-rates/",
        {"action": "import", "file": SimpleUploadedFile(name, data)},
    )


def test_an_upload_is_queued_then_imported_and_its_page_shows_the_result(client, isu_user):
    # given the ISU on the exchange-rates page
    client.force_login(isu_user)

    # when they upload a file
    response = _upload(client)

    # then they are sent to the import's page, which says what was imported
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "2 rates were added." in page and "Done" in page
    assert ExchangeRate.objects.count() == 2
    assert (job.status, job.progress_done, job.progress_total) == ("done", 2, 2)


def test_running_a_finished_import_again_changes_nothing(client, isu_user):
    # given an import that is done
    client.force_login(isu_user)
    _upload(client)
    job = ImportJob.objects.get()

    # when its task runs again (queued twice, or reclaimed after it finished)
    again = services.import_job_run(job_id=job.pk)

    # then no row is added twice
    assert again["again"] is True
    assert ExchangeRate.objects.count() == 2


def test_a_file_with_a_wrong_row_imports_nothing_and_names_row_and_field(client, isu_user):
    # given a file whose second row has no rate
    client.force_login(isu_user)
    bad = RATES.replace(b"1.3", b"")

    # when it is uploaded
    response = _upload(client, bad)

    # then the job failed, nothing was added, and the page names the row and the column
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {"where": "row 3", "field": "usd_per_unit", "message": "This field is required."}
    ]
    assert not ExchangeRate.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "<td>row 3</td><td><code>usd_per_unit</code></td>" in page


def test_a_file_that_cannot_be_read_is_refused_before_anything_is_queued(client, isu_user):
    # given the ISU
    client.force_login(isu_user)

    # when they upload a file with unknown columns
    response = _upload(client, b"colour\nred\n")

    # then the upload page says so and no job was made
    assert response.status_code == 400
    assert "Unknown column(s): colour" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_only_the_uploader_and_the_isu_follow_an_import(client, isu_user, lao_focal_point):
    # given an import of the ISU
    client.force_login(isu_user)
    _upload(client)
    job = ImportJob.objects.get()

    # when another user opens its page or its API resource, and the ISU does
    client.force_login(lao_focal_point)
    refused = (client.get(f"/imports/{job.pk}/"), client.get(f"/api/v1/imports/{job.pk}/"))
    client.force_login(isu_user)
    api = client.get(f"/api/v1/imports/{job.pk}/").json()

    # then the other user is refused and the uploader reads the job
    assert [r.status_code for r in refused] == [403, 403]
    assert api["status"] == "done" and api["result"]["count"] == 2
    assert api["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert client.get("/api/v1/imports/999999/").status_code == 404


def test_a_running_import_shows_its_progress_and_polls_until_it_is_finished(
    client, isu_user, settings
):
    # given a running import, 3 rows of 4 done (as its progress file says)
    client.force_login(isu_user)
    _upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", finished_at=None)
    path = services.progress_path(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"done": 3, "total": 4}))

    # when its page is opened, then polled by HTMX
    page = client.get(f"/imports/{job.pk}/").content.decode()
    poll = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"})

    # then it shows a progress bar, a refresh link and polls; the API agrees
    assert '<progress id="import-progress" max="4" value="3">75%</progress>' in page
    assert 'hx-trigger="every 2s"' in page and "Refresh this page" in page
    assert poll.status_code == 200 and "3 of 4 rows" in poll.content.decode()
    assert client.get(f"/api/v1/imports/{job.pk}/").json()["progress"]["percent"] == 75

    # and once the job is done, the poll answers 286 so that HTMX stops
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    path.unlink()
    assert client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).status_code == 286
