"""Load on real pages: gunicorn on a free loopback port, wrk against it.

    from bench import load

    with load.Server(database_url) as server:        # 2 sync workers, DEBUG off
        cookie = load.session_cookie(user)            # signed in, no login form
        runs = load.interleave(
            server,
            {"reference": load.REFERENCE_PATH, "dashboard": "/"},
            cookie=cookie, seconds=5, connections=4, rounds=2,
        )
    ref, page = load.combine(runs["reference"]), load.combine(runs["dashboard"])
    print(page.requests_per_second / ref.requests_per_second, page.latency_ms[99])

- Server(database_url, workers=2, env=None): starts `gunicorn config.wsgi` with
  bench/server_settings.py (Cairn's settings from the environment, DEBUG off,
  plus REFERENCE_PATH). The calling process's SECRET_KEY and
  CAIRN_KEY_ENCRYPTION_KEY are passed on, so that sessions and sealed keys it
  wrote are valid there; REDIS_URL and the rest of os.environ too. The data
  must be committed (a database of the bench's own, not a rolled-back
  transaction): the server is another process. server.url(path),
  server.status(path, cookie) for a single GET; stop() or leave the `with`.
- session_cookie(user, visited="") -> "sessionid=…": a session written
  through Django's own session store, as a login would (needs the same
  database and cache as the server); with visited="/" also the CSRF cookie a
  browser keeps from its first visit of that page ("sessionid=…; csrftoken=…").
- wrk(url, seconds=, connections=, cookie=, threads=1) -> Result: one run of
  `wrk --latency`; Result has requests_per_second, latency_ms {50, 75, 90, 99},
  requests and errors (socket errors and non-2xx/3xx answers).
- server.cpu_seconds(): the CPU time (user + system) gunicorn's processes have
  used so far, from /proc; interleave() takes it before and after each run, so
  each Result also has cpu_ms (the workers' CPU per request): unlike req/s and
  latency it barely moves with what else the machine is running.
- interleave(server, {label: path}, …) -> {label: [Result, …]}: a warm-up of
  each path, then rounds of A B A B, each path first checked to answer 200
  (a redirect to the login page would otherwise pass for a fast page).
- combine(results) -> Result: the mean of rounds' throughput, percentiles and
  CPU per request.
- ratios(pages, references) -> [float]: each round's throughput over the
  reference's run beside it (the machine's load drifts less within a pair).
- queries_per_request(path, user=None) -> int: the SQL queries one GET runs,
  counted in process through the test client with the same middleware.
- REFERENCE_PATH: a view running exactly one ORM query (bench/server_urls.py).

wrk is Debian's package, installed by scripts/wrk.sh (the bench target runs it).
"""

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.server_urls import REFERENCE_PATH

__all__ = [
    "REFERENCE_PATH",
    "Result",
    "Server",
    "combine",
    "interleave",
    "queries_per_request",
    "ratios",
    "session_cookie",
    "wrk",
]

ROOT = Path(__file__).resolve().parent.parent
PERCENTILES = (50, 75, 90, 99)


@dataclass(frozen=True)
class Result:
    path: str
    requests_per_second: float
    latency_ms: dict[int, float] = field(default_factory=dict)
    requests: int = 0
    errors: int = 0
    cpu_ms: float | None = None  # the server's CPU per request, when measured

    def line(self) -> str:
        return (
            f"{self.requests_per_second:8.0f} req/s  p50 {self.latency_ms[50]:6.2f} ms"
            f"  p99 {self.latency_ms[99]:6.2f} ms"
            + (f"  {self.cpu_ms:5.2f} ms CPU" if self.cpu_ms is not None else "")
            + (f"  ({self.errors} errors)" if self.errors else "")
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving Cairn on a free loopback port, in its own process group."""

    def __init__(
        self, database_url: str, *, workers: int = 2, env: dict | None = None
    ) -> None:
        from django.conf import settings

        self.port = _free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="cairn-load-"))
        static_root = self.directory / "static"
        static_root.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.server_settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "CAIRN_KEY_ENCRYPTION_KEY": settings.CAIRN_KEY_ENCRYPTION_KEY,
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self, *, seconds: float = 180) -> None:
        log = (self.directory / "gunicorn.log").open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--worker-class", "sync", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"gunicorn stopped: {tail}")
            with contextlib.suppress(OSError):
                if self.status(REFERENCE_PATH) == 200:
                    return
            time.sleep(0.2)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"gunicorn did not answer: {tail}")

    def log_tail(self, lines: int = 20) -> str:
        text = (self.directory / "gunicorn.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def status(self, path: str, cookie: str = "") -> int:
        """The status of one GET, redirects not followed."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        request = urllib.request.Request(
            self.url(path), headers={"Cookie": cookie} if cookie else {}
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def cpu_seconds(self) -> float:
        """User and system CPU of every process in gunicorn's process group
        (the master and its workers) so far, from /proc; 0 where there is no
        /proc. Workers restarted meanwhile would lose their count: the bench's
        sync workers live for the whole run."""
        if self.process is None:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            # after the command: state, ppid, pgrp, ..., utime (12), stime (13)
            if int(fields[2]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def session_cookie(user, *, visited: str = "") -> str:
    """A signed-in session for user, saved where the server reads sessions.
    With `visited`, a path the browser has already seen once: its CSRF cookie
    comes along too, as a returning browser sends it (without it Django mints
    a new CSRF secret and sets its cookie on every page with a form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    names = [settings.SESSION_COOKIE_NAME]
    if visited:
        with override_bench_urls():
            client.get(visited)
        names.append(settings.CSRF_COOKIE_NAME)
    return "; ".join(f"{name}={client.cookies[name].value}" for name in names)


def override_bench_urls():
    """The bench server's URLs (with the reference view) for the test client."""
    from django.test import override_settings

    return override_settings(ROOT_URLCONF="bench.server_urls")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse(output: str, path: str = "") -> Result:
    """Requests/s, latency percentiles and errors from `wrk --latency`'s output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps is None:
        raise RuntimeError(f"wrk printed no Requests/sec:\n{output}")
    latency = {
        int(p): _milliseconds(value)
        for p, value in re.findall(
            r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M
        )
    }
    requests = re.search(r"(\d+) requests in", output)
    errors = sum(
        int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Result(
        path=path,
        requests_per_second=float(rps.group(1)),
        latency_ms={p: latency[p] for p in PERCENTILES},
        requests=int(requests.group(1)) if requests else 0,
        errors=errors,
    )


def wrk(
    url: str,
    *,
    seconds: float = 5,
    connections: int = 4,
    cookie: str = "",
    threads: int = 1,
) -> Result:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: run scripts/wrk.sh (apt-get install wrk)")
    duration = f"{max(1, round(seconds))}s"  # wrk takes whole seconds
    command = ["wrk", "--latency", "-t", str(min(threads, connections)),
               "-c", str(connections), "-d", duration, "--timeout", "10s"]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True,
        timeout=seconds + 60,
    )  # fmt: skip
    return parse(done.stdout, path=url.split(":", 2)[-1].split("/", 1)[-1])


def interleave(
    server: Server,
    paths: dict[str, str],
    *,
    cookie: str = "",
    seconds: float = 5,
    connections: int = 4,
    rounds: int = 2,
    warmup: float = 2,
) -> dict[str, list[Result]]:
    """Each path in turn, `rounds` times (A B A B), after a warm-up of each,
    with the server's CPU per request of each run."""
    for label, path in paths.items():
        status = server.status(path, cookie)
        if status != 200:
            raise RuntimeError(f"{label} ({path}) answered {status}, not 200")
    for path in paths.values():
        wrk(server.url(path), seconds=warmup, connections=connections, cookie=cookie)
    results: dict[str, list[Result]] = {label: [] for label in paths}
    for _ in range(rounds):
        for label, path in paths.items():
            cpu = server.cpu_seconds()
            result = wrk(
                server.url(path),
                seconds=seconds,
                connections=connections,
                cookie=cookie,
            )
            used = server.cpu_seconds() - cpu
            results[label].append(
                replace(result, cpu_ms=used * 1000 / max(1, result.requests))
            )
    return results


def combine(results: list[Result]) -> Result:
    """The rounds' mean throughput, percentiles and CPU; errors summed."""
    cpu = [r.cpu_ms for r in results if r.cpu_ms is not None]
    return Result(
        path=results[0].path,
        requests_per_second=statistics.fmean(r.requests_per_second for r in results),
        latency_ms={
            p: statistics.fmean(r.latency_ms[p] for r in results) for p in PERCENTILES
        },
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        cpu_ms=statistics.fmean(cpu) if cpu else None,
    )


def ratios(pages: list[Result], references: list[Result]) -> list[float]:
    """Each round's throughput over its reference run's, in order."""
    return [
        page.requests_per_second / reference.requests_per_second
        for page, reference in zip(pages, references, strict=True)
    ]


def queries_per_request(path: str, user=None) -> int:
    """The queries one GET of path runs (signed in as user, if given), counted
    in this process through Django's test client and the same middleware."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user)
    with override_bench_urls(), CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}, not 200")
    return len(queries)
