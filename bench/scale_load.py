"""The scale bench's load: gunicorn on a free loopback port and wrk against it.
A minimal driver of its own (the shared bench/load.py was not on main when the
scale bench was written): Server, session_cookie, interleave, combine."""

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.test import Client

from bench.scale_urls import REFERENCE_PATH

__all__ = ["REFERENCE_PATH", "Result", "Server", "combine", "interleave"]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Result:
    requests_per_second: float
    latency_ms: dict[int, float]
    errors: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with two sync workers on this process's database, DEBUG off,
    with the keys that sealed the seeded signing keys."""

    def __init__(self, workers: int = 2) -> None:
        self.port = _free_port()
        env = dict(
            os.environ,
            DEBUG="0",
            DJANGO_SETTINGS_MODULE="bench.scale_settings",
            SECRET_KEY=settings.SECRET_KEY,
            CAIRN_KEY_ENCRYPTION_KEY=settings.CAIRN_KEY_ENCRYPTION_KEY,
        )
        self.process = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "config.wsgi",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            env=env,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def status(self, path: str, cookie: str = "") -> int:
        request = urllib.request.Request(self.url(path), headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def __enter__(self) -> "Server":
        for _ in range(300):
            try:
                self.status(REFERENCE_PATH)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def __exit__(self, *exc) -> None:
        self.stop()


def session_cookie(user) -> str:
    """A session written by Django's own login (the database's session store)."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, *, seconds: float, connections: int, cookie: str) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    latency = {
        int(p): _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)
    }
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors): (\d+)", out)
    )
    for n in re.findall(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(map(int, n))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return Result(rps, latency, errors)


def interleave(
    server: Server,
    paths: dict[str, str],
    *,
    cookie: str,
    seconds: float,
    connections: int,
    rounds: int,
) -> dict[str, list[Result]]:
    """Each path answers 200 (a login redirect would pass for a fast page), is
    warmed up, then rounds of A B A B."""
    for label, path in paths.items():
        code = server.status(path, cookie)
        if code != 200:
            raise RuntimeError(f"{label} ({path}) answered {code}")
        wrk(server.url(path), seconds=1, connections=connections, cookie=cookie)
    runs: dict[str, list[Result]] = {label: [] for label in paths}
    for _ in range(rounds):
        for label, path in paths.items():
            runs[label].append(
                wrk(
                    server.url(path),
                    seconds=seconds,
                    connections=connections,
                    cookie=cookie,
                )
            )
    return runs


def combine(results: list[Result]) -> Result:
    return Result(
        statistics.mean(r.requests_per_second for r in results),
        {
            p: statistics.mean(r.latency_ms[p] for r in results)
            for p in (50, 75, 90, 99)
        },
        sum(r.errors for r in results),
    )
