"""The small form of `make chaos`: 200 learners complete a pathway through
real workers while two are killed with SIGKILL and the broker goes away for a
while; nothing is missing and nothing is duplicated (bench/chaos.py)."""

import os

import pytest
from django.conf import settings
from django.db import connection

from bench import chaos

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.heavy(170),
]


def test_nothing_is_lost_or_duplicated_through_kills_and_a_broker_outage(tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    plan = chaos.Plan(
        learners=200, kills=2, outage=10, workers=2, timeout=600, kill_window=40
    )
    report = chaos.run(
        plan, media_root=settings.MEDIA_ROOT, directory=tmp_path, env=env
    )
    print(report.text())
    assert report.failures == [], report.text()
    for line, value in (
        ("module awards", 200),
        ("pathway awards", 200),
        ("PDFs present", 100),
    ):
        assert f"{line:<40} {value:>7}" in report.text()
