"""In Chromium: an admin reaches bulk awards from the home page, checks a
1,000-row file (its dry run lists the bad lines), starts the job after a
confirmation, watches its progress bar move and sees it to the end; axe at
desktop and phone widths on every page of the way."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from accounts.models import Membership
from assessments.models import ModuleCompletion
from config.celery import app as celery_app
from credentials.models import BulkAward, DirectAward
from credentials.services import bulk_awards
from tests import builders
from tests.conftest import broker_at, broker_to_ourselves
from tests.credentials.bulk.conftest import HEADER
from tests.test_accessibility import Page, axe_violations, describe
from tests.test_browser import (  # noqa: F401
    answer_confirm,
    browser,
    click,
    csp_violations,
    log_in,
    wait_for_text,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 1000
BLOCKED_AT = 600  # the learner whose award waits for another transaction
WIDTHS = {"desktop": (1280, 1000), "phone": (390, 844)}


def many_learners(cast, n: int) -> list:
    User = get_user_model()
    password = make_password("pw")
    users = User.objects.bulk_create(
        User(
            username=f"bulk{i:04d}",
            email=f"bulk{i:04d}@example.edu",
            first_name="Learner",
            last_name=f"{i:04d}",
            password=password,
        )
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(
            user=user, organization=cast.organization, role=Membership.Role.LEARNER
        )
        for user in users
    )
    return users


def sheet(people, *, day: str, bad: bool = False) -> bytes:
    lines = [HEADER.rstrip("\n")]
    for i, person in enumerate(people):
        lines.append(
            f"{person.email},,XL-200,{day},Ran spreadsheet clinic {i},"
            f"https://example.edu/clinic/{i},"
        )
    if bad:
        lines[10] = f"nobody@example.edu,,XL-200,{day},,,"  # line 11
        lines[500] = f"{people[499].email},,XL-200,01/02/2026,,,"  # line 501
        lines[1000] = f"{people[999].email},,NOPE,{day},,,"  # line 1001
    return ("\n".join(lines) + "\n").encode()


def purge_queues() -> None:
    """Drop the messages this test left on the broker: no later worker runs
    them against another test's database."""
    with celery_app.connection_for_write() as conn:
        for queue in ("default", "signing", "pdf", "mail", "bulk", "webhooks"):
            conn.default_channel.queue_purge(queue)


def check_axe(driver, live_server, name: str, path: str | None = None) -> list[str]:
    failures = []
    for width, (x, y) in WIDTHS.items():
        driver.set_window_size(x, y)
        if path:
            driver.get(live_server.url + path)
        refused = csp_violations(driver)
        if refused:
            failures.append(f"{name} at {width}: CSP refused {refused}")
        violations = axe_violations(driver)
        if violations:
            failures.append(
                f"at {width}: " + describe(Page(name, path or ""), violations)
            )
    driver.set_window_size(*WIDTHS["desktop"])
    return failures


def upload(driver, tmp_path, name: str, raw: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    driver.find_element(By.ID, "id_file").send_keys(str(path))
    click(driver, By.XPATH, "//button[text()='Check the file']")


def test_a_thousand_row_bulk_award_with_its_dry_run_and_progress(
    browser,  # noqa: F811
    live_server,
    tmp_path,
    settings,
):
    cast = builders.make_cast()
    task = builders.make_module(cast, "XL-200")
    people = many_learners(cast, ROWS)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    failures = []

    log_in(browser, live_server, cast["admin"])
    browser.get(live_server.url + reverse("home"))
    click(browser, By.LINK_TEXT, "bulk awards")  # no URL typed
    wait_for_text(browser, "h1", "Bulk awards")
    assert "No bulk award yet" in browser.page_source
    list_path = reverse("credentials:bulk-awards", args=[cast.organization.slug])
    failures += check_axe(browser, live_server, "bulk awards, empty", list_path)

    # The dry run: three bad lines among a thousand, each named; nothing kept.
    upload(browser, tmp_path, "awards-bad.csv", sheet(people, day=day, bad=True))
    wait_for_text(browser, "main", "3 problems: nothing was awarded")
    cells = [
        row.text
        for row in browser.find_elements(By.CSS_SELECTOR, "#problems-heading ~ div tr")
    ]
    assert [cell.split(" ")[0] for cell in cells[1:]] == ["11", "501", "1001"]
    assert not BulkAward.objects.exists()
    failures += check_axe(browser, live_server, "bulk awards, dry run problems")

    # A clean file is kept; its page says what starting will do.
    upload(browser, tmp_path, "awards.csv", sheet(people, day=day))
    wait_for_text(
        browser, "main", f"found no problem in {ROWS:,} lines".replace(",", "")
    )
    job = BulkAward.objects.get()
    assert job.plan["to_award"] == ROWS
    failures += check_axe(
        browser, live_server, "bulk award, checked", job.get_absolute_url()
    )

    # Another transaction is recording learner 600's completion: the job will
    # wait there, mid-run, until it rolls back.
    holding, release = threading.Event(), threading.Event()

    def other_transaction() -> None:
        try:
            with transaction.atomic():
                ModuleCompletion.objects.create(
                    learner=people[BLOCKED_AT],
                    version=task.version,
                    source=ModuleCompletion.Source.AWARDED,
                    completed_at=timezone.now(),
                )
                holding.set()
                release.wait(timeout=120)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    def worker() -> None:
        try:
            bulk_awards.run_bulk_award(BulkAward.objects.get(pk=job.pk))
        finally:
            connections.close_all()

    blocker = threading.Thread(target=other_transaction)
    blocker.start()
    threads = [blocker]
    # The job's message and the issuing it leads to go to a broker no worker
    # reads (cleared below): this test's worker is the thread that runs it.
    with (
        broker_to_ourselves(settings.CELERY_BROKER_URL),
        broker_at(settings.CELERY_BROKER_URL),
    ):
        try:
            assert holding.wait(timeout=30)
            click(browser, By.XPATH, "//button[starts-with(text(), 'Award 1000')]")
            assert "Award 1000 credentials now?" in answer_confirm(browser, accept=True)
            wait_for_text(browser, "#progress", "Waiting")
            threads.append(threading.Thread(target=worker))
            threads[-1].start()
            # The bar moves while the page polls: past 0 %, not yet at the end.
            wait_until(
                browser,
                lambda d: (
                    0
                    < int(
                        d.find_element(
                            By.CSS_SELECTOR, "[role=progressbar]"
                        ).get_attribute("aria-valuenow")
                    )
                    < 100
                ),
                timeout=60,
            )
            # Read through a wait: the poll replaces #progress every second,
            # and a section found a moment ago may be gone when its text is read.
            wait_until(
                browser,
                lambda d: "of 1000 lines" in d.find_element(By.ID, "progress").text,
            )
            assert BulkAward.objects.get(pk=job.pk).status == "running"
            # Its worker holds the job's row: even with no grace at all, the
            # sweep leaves a live job alone.
            settings.CAIRN_SWEEP_GRACE_SECONDS = 0
            assert bulk_awards.sweep_bulk_awards() == 0
            assert BulkAward.objects.get(pk=job.pk).attempts == 1
            release.set()
            wait_for_text(browser, "#progress", "Done: 1000 awarded", timeout=120)
        finally:
            release.set()
            for thread in threads:
                thread.join(timeout=120)
            purge_queues()
    assert DirectAward.objects.count() == ROWS
    assert ModuleCompletion.objects.filter(source="awarded").count() == ROWS
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "Download the report")
    failures += check_axe(
        browser, live_server, "bulk award, done", job.get_absolute_url()
    )
    assert not failures, "WCAG 2.1 AA or CSP violations:\n" + "\n".join(failures)
