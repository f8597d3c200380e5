"""`make chaos`: learners complete a pathway through real Celery workers on
PostgreSQL and Redis while the driver kills workers with SIGKILL at random
moments, takes the broker away for a while and (in the full run) restarts
PostgreSQL; then it counts what was issued and fails on anything missing or
duplicated (docs/decisions/0012-exactly-once-issuing.md).

The grades arrive as grade imports (the bulk queue), as staff upload them;
the driver is the web application: it commits and sends, and during the
outage its messages are refused. Nothing is repaired by the driver: the
periodic sweep (a real `celery beat`, every few seconds here) finds the lost
work in the database and the workers finish it.

    python -m bench.chaos --learners 2000 --kills 5 --outage 60 --restart-postgres
"""

import argparse
import contextlib
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUEUES = "default,signing,pdf,mail,bulk"
IMPORT_ROWS = 250  # learners per grade import


@dataclass
class Plan:
    learners: int = 2000
    kills: int = 5
    outage: float = 60.0
    restart_postgres: bool = False
    workers: int = 2
    timeout: float = 1800.0
    seed: int = 18
    # How the run restarts PostgreSQL: the machine's cluster by default; a
    # private cluster (pg_ctl -D DIR restart) leaves others' databases alone.
    postgres_restart: str = "pg_ctlcluster 15 main restart"
    kill_window: float = 240.0  # seconds after the start within which to kill


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def count(self, name: str, value: int, *, expected: int | None = None) -> None:
        self.lines.append(f"{name:<40} {value:>7}")
        if expected is not None and value != expected:
            self.failures.append(f"{name}: {value}, expected {expected}")

    def text(self) -> str:
        verdict = "FAIL: " + "; ".join(self.failures) if self.failures else "OK"
        return "\n".join([*self.lines, verdict])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Broker:
    """A redis-server of its own on a free port, kept on disk (AOF) like a
    production broker, that the driver can stop and start again."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "yes", "--dir", str(self.directory)],
            stdout=(self.directory / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        self.process.kill()  # a crash, not a clean shutdown
        self.process.wait()


class Processes:
    """Celery workers (and one beat) as separate process groups."""

    def __init__(self, plan: Plan, env: dict, directory: Path):
        self.plan, self.env, self.directory = plan, env, directory
        self.workers: list[subprocess.Popen | None] = [None] * plan.workers
        self.beat = None
        self.kills = 0

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        out = (self.directory / f"{name}.log").open("a")
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_worker(self, i: int) -> None:
        self.workers[i] = self._spawn(
            ["worker", "--pool", "solo", "-Q", QUEUES, "-n", f"chaos{i}@%h",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            f"worker{i}",
        )  # fmt: skip

    def start(self) -> None:
        for i in range(self.plan.workers):
            self.start_worker(i)
        schedule = self.directory / "beat-schedule"
        self.beat = self._spawn(
            ["beat", "-s", str(schedule), "--loglevel", "INFO"], "beat"
        )

    def kill_one(self, rng: random.Random) -> None:
        i = rng.randrange(len(self.workers))
        os.killpg(self.workers[i].pid, signal.SIGKILL)
        self.workers[i].wait()
        self.kills += 1
        log(f"kill -9 worker {i} (kill {self.kills})")
        time.sleep(rng.uniform(0.5, 3))
        self.start_worker(i)

    def revive(self) -> None:
        """Start again whatever died on its own (as a supervisor would)."""
        for i, process in enumerate(self.workers):
            if process.poll() is not None:
                log(f"worker {i} had stopped; started again")
                self.start_worker(i)
        if self.beat.poll() is not None:
            log("beat had stopped; started again")
            self.beat = self._spawn(
                ["beat", "-s", str(self.directory / "beat-schedule")], "beat"
            )

    def stop(self) -> None:
        for process in [*self.workers, self.beat]:
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers, self.beat]:
            if process:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def build(plan: Plan):
    """An organization, a one-module pathway and its enrolled learners."""
    from tests import builders, factories

    # A database kept from an earlier run: names of this run's own.
    run = int(time.time())
    factories.OrganizationFactory.reset_sequence(run)
    factories.UserFactory.reset_sequence(run * 10)
    cast = builders.make_cast()
    built = builders.make_pathway(cast, codes=("CH-101",))
    users = builders.enrol_many(cast, built.version, plan.learners, prefix="chaos")
    return cast, built, users


def upload_imports(cast, task, users) -> list[int]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments import services

    ids = []
    for start in range(0, len(users), IMPORT_ROWS):
        rows = [f"{u.username},3,3" for u in users[start : start + IMPORT_ROWS]]
        data = ("learner,Accuracy,Communication\n" + "\n".join(rows) + "\n").encode()
        upload = SimpleUploadedFile(f"grades-{start}.csv", data)
        job = services.start_grade_import(task, by=cast["faculty"], upload=upload)
        ids.append(job.pk)
        log(f"grade import {job.pk} uploaded ({len(rows)} learners)")
    return ids


def counts(organization, learners: int, media_root: Path) -> Report:
    from django.db.models import Count

    from assessments.models import GradeImport, ModuleCompletion
    from credentials.models import Award
    from pathways.models import PathwayCompletion

    report = Report()
    modules = ModuleCompletion.objects.live().filter(
        version__module__organization=organization
    )
    paths = PathwayCompletion.objects.live().filter(
        version__pathway__organization=organization
    )
    awards = Award.objects.filter(organization=organization)
    module_awards = awards.filter(kind=Award.Kind.MODULE)
    path_awards = awards.filter(kind=Award.Kind.PATHWAY)
    jobs = GradeImport.objects.filter(task__version__module__organization=organization)
    report.count("learners", learners)
    report.count(
        "grade imports not done", jobs.exclude(status="done").count(), expected=0
    )
    report.count("module completions", modules.count())
    report.count("module completions missing", learners - modules.count(), expected=0)
    dup = modules.values("learner").annotate(n=Count("pk")).filter(n__gt=1).count()
    report.count("module completions duplicated", dup, expected=0)
    report.count("pathway completions", paths.count())
    report.count("pathway completions missing", learners - paths.count(), expected=0)
    dup = paths.values("learner").annotate(n=Count("pk")).filter(n__gt=1).count()
    report.count("pathway completions duplicated", dup, expected=0)
    for name, issued, completions, field_name in (
        ("module awards", module_awards, modules, "module_completion"),
        ("pathway awards", path_awards, paths, "pathway_completion"),
    ):
        report.count(name, issued.count())
        missing = completions.filter(awards__isnull=True).count()
        report.count(f"{name} missing", missing, expected=0)
        dup = issued.values(field_name).annotate(n=Count("pk")).filter(n__gt=1).count()
        report.count(f"{name} duplicated", dup, expected=0)
    report.count(
        "awards whose learner was not told",
        awards.filter(notified_at=None, revoked_at=None).count(),
        expected=0,
    )
    # Certificates are rendered when first asked for: a sample is asked for
    # through its URL (after the kills), and each must come back, once on disk.
    asked = ask_for_certificates(awards, media_root)
    files = Counter()
    directory = media_root / "certificates"
    for path in directory.glob("*.pdf") if directory.exists() else []:
        files[path.name[:36]] += 1
    present = sum(
        1
        for name, uuid in awards.values_list("pdf", "uuid")
        if name and (media_root / name).exists()
    )
    report.count("PDFs expected (asked for)", asked)
    report.count("PDFs present", present, expected=asked)
    report.count(
        "PDFs duplicated",
        sum(
            1 for uuid in awards.values_list("uuid", flat=True) if files[str(uuid)] > 1
        ),
        expected=0,
    )
    return report


PDF_SAMPLE = 100


def ask_for_certificates(awards, media_root: Path) -> int:
    """Ask for a sample of the certificates as learners do; how many answered
    with a PDF."""
    from django.test import Client, override_settings
    from django.urls import reverse

    uuids = list(awards.values_list("uuid", flat=True))
    client = Client()
    answered = 0
    with override_settings(MEDIA_ROOT=str(media_root)):
        for award_uuid in random.Random(17).sample(uuids, min(PDF_SAMPLE, len(uuids))):
            response = client.get(reverse("credentials:pdf", args=[award_uuid]))
            if response.status_code == 200:
                answered += b"".join(response.streaming_content).startswith(b"%PDF-")
    return answered


def done(organization, learners: int) -> bool:
    from assessments.models import GradeImport
    from credentials.models import Award

    awards = Award.objects.filter(organization=organization)
    imports = GradeImport.objects.filter(
        task__version__module__organization=organization
    )
    return (
        awards.exclude(notified_at=None).count() >= 2 * learners
        and not imports.exclude(status="done").exists()
    )


def run(plan: Plan, *, media_root: Path, directory: Path, env: dict) -> Report:
    """Drive one chaos run against the database Django is set up with; the
    broker is a redis-server of the run's own. Returns the counts."""
    from django.db import close_old_connections, connections

    from config.celery import app

    rng = random.Random(plan.seed)
    broker = Broker(directory)
    broker.start()
    env = {
        **env,
        "REDIS_URL": broker.url,
        "MEDIA_ROOT": str(media_root),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CAIRN_SWEEP_SECONDS": "10",
        "CAIRN_SWEEP_GRACE_SECONDS": "15",
        "CAIRN_JOB_STALE_SECONDS": "30",
        "CONN_MAX_AGE": "0",
    }
    conf = app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, broker.url
    app._after_fork()
    processes = Processes(plan, env, directory)
    started = time.monotonic()
    try:
        cast, built, users = build(plan)
        organization = cast.organization
        log(f"{plan.learners} learners enrolled; starting {plan.workers} workers")
        processes.start()
        half = len(users) // 2
        upload_imports(cast, built.tasks[0], users[:half])

        def chaos() -> None:
            # Kills spread over the run, the outage after the first.
            moments = sorted(
                rng.uniform(3, plan.kill_window) for _ in range(plan.kills)
            )
            start = time.monotonic()
            for n, moment in enumerate(moments):
                time.sleep(max(0, start + moment - time.monotonic()))
                processes.kill_one(rng)
                if n == 0:
                    log(f"broker down for {plan.outage:.0f}s")
                    broker.kill()
                    outage.set()
                    time.sleep(plan.outage)
                    broker.start()
                    log("broker back")
                    outage.clear()
                    back.set()
                    if plan.restart_postgres:
                        time.sleep(5)
                        log("restarting PostgreSQL")
                        subprocess.run(shlex.split(plan.postgres_restart), check=True)
                        log("PostgreSQL back")

        outage, back = threading.Event(), threading.Event()
        thread = threading.Thread(target=chaos, daemon=True)
        thread.start()
        # The other half is uploaded while the broker is down: saved, not sent.
        outage.wait(timeout=120)
        upload_imports(cast, built.tasks[0], users[half:])
        thread.join()
        close_old_connections()
        deadline = started + plan.timeout
        while time.monotonic() < deadline:
            processes.revive()
            try:
                if done(organization, plan.learners):
                    break
            except Exception as error:  # noqa: BLE001 - PostgreSQL restarting
                log(f"waiting: {error}")
                connections.close_all()
            time.sleep(3)
        time.sleep(3)  # let late duplicates, if any, land before counting
        connections.close_all()
        report = counts(organization, plan.learners, media_root)
        report.lines.insert(0, f"{'kills':<40} {processes.kills:>7}")
        report.lines.insert(1, f"{'broker outage (s)':<40} {plan.outage:>7.0f}")
        report.lines.insert(
            2, f"{'PostgreSQL restarted':<40} {str(plan.restart_postgres):>7}"
        )
        report.lines.insert(
            3, f"{'elapsed (s)':<40} {time.monotonic() - started:>7.0f}"
        )
        if processes.kills < plan.kills:
            report.failures.append(f"only {processes.kills} kills")
        return report
    finally:
        processes.stop()
        with contextlib.suppress(Exception):  # already gone
            broker.kill()
        # The app is this process's too (the suite runs the small form): it
        # goes back to the broker it had.
        conf.task_always_eager, conf.broker_url = saved
        app._after_fork()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--outage", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument(
        "--postgres-restart", default=Plan.postgres_restart,
        help="the command that restarts the PostgreSQL the run uses",
    )  # fmt: skip
    args = parser.parse_args(argv)
    plan = Plan(
        learners=args.learners, kills=args.kills, outage=args.outage,
        workers=args.workers, restart_postgres=args.restart_postgres,
        timeout=args.timeout, postgres_restart=args.postgres_restart,
    )  # fmt: skip
    directory = Path(tempfile.mkdtemp(prefix="cairn-chaos-"))
    media_root = directory / "media"
    os.environ["MEDIA_ROOT"] = str(media_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    report = run(plan, media_root=media_root, directory=directory, env=dict(os.environ))
    print(report.text())
    print(f"(logs in {directory})")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
