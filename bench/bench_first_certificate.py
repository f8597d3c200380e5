"""A process's first certificates: CPU milliseconds by phase, cold and warmed.

    python -m bench first_certificate

Certificates are rendered when a learner first asks for one (issue 17: within
200 ms). Each case runs in a new process, as a web worker starts, and renders
certificates of the built-in design and of a designed template (a bundled font,
two signatories) in turn, timing each phase with time.process_time (CPU, which
other processes on a shared machine do not inflate): the design's layer laid
out (and, within it, written as a form), the learner's layer laid out to be
kept, the learner's text refilled, the page written (within it, the QR code).
Cases: a cold process (nothing warmed, nothing stored: as before); a process
warmed at start (certificate_warmup.warm_process: a sample certificate in each
bundled font) asked for an achievement it never saw and no process laid out; the
same where a worker laid the achievement's design layer out at its first award
and stored it in the shared cache (certificate_store.py: what a web process
finds since), the worker's own CPU for it printed; and a process that also
prepared the achievement's layers (as config/wsgi.py does for the achievements
most recently awarded). Layouts are counted, and layers fetched from the cache:
a prepared achievement's first certificate lays out no layer. Also the warm-up's
own CPU and the resident memory it adds. Each case has a cache namespace of its
own, emptied after it.

Then a stream of certificates, as a web process answers first requests (each
learner's first, of more achievements than it keeps layers for, so that each
lays its layers out, as a deployment with many does): the CPU of each, p50,
p99 and the slowest, and the garbage collector's full collections among them
(how many, their CPU), in a process warmed at start as before and in one whose
heap was then set aside (certificate_warmup.set_heap_aside, as config/wsgi.py
does), taken in turns.
"""

import gc
import json
import os
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import date

STORED = "warmed process, design layer stored by a worker"
CASES = (
    "cold",
    "warmed process, new achievement",
    STORED,
    "warmed and prepared",
)
STREAMS = ("warmed at start", "warmed, heap set aside")
STREAM_CERTIFICATES = int(os.environ.get("BENCH_STREAM", 400))
# More than a process keeps layers for (certificate_layers.CACHE_SIZE): each
# certificate lays its layers out, and leaves a layout's garbage.
STREAM_ACHIEVEMENTS = 40


def child(case: str) -> dict:
    """Run in a new process: the case's figures as a dict."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()
    from django.core.cache import cache

    from credentials import certificate_layers as layers
    from credentials import certificate_refill, certificate_store, certificate_warmup
    from credentials.certificate_design import DEFAULT_DESIGN
    from credentials.certificates import CertificateInfo, render_certificate_pdf
    from tests import builders

    spent: dict[str, float] = defaultdict(float)

    def timed(module, name: str, phase: str) -> None:
        function = getattr(module, name)

        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] += time.process_time() - start

        setattr(module, name, wrapper)

    timed(certificate_store, "fetch", "fetched")
    timed(layers, "build_design_layer", "design layer")
    timed(layers, "written_objects", "  written as a form")
    timed(layers, "kept_document", "learner layer")
    timed(certificate_refill, "fit", "refill")
    timed(layers, "write", "write")
    timed(layers, "qr_operators", "  QR code")

    def info(name: str, achievement: str) -> CertificateInfo:
        credential = uuid.uuid4()
        return CertificateInfo(
            learner_name=name, achievement_name=achievement,
            achievement_kind="Module", organization_name="Northfield College",
            issued_on=date(2026, 1, 1), credential_id=str(credential),
            verify_url=f"https://cairn.example/credentials/{credential}/",
            credential_json=b"{}", credits="15 credits",
            outcomes=("SHEET-101: Spreadsheets", "VIZ-102: Charts"),
        )  # fmt: skip

    designs = (
        ("built-in design", DEFAULT_DESIGN),
        ("designed template", builders.DESIGNED_CERTIFICATE),
    )
    if case == "worker":
        # A pdf worker at the achievement's first award: warm, lays out, stores.
        certificate_warmup.warm_process()
        start = time.process_time()
        for _, design in designs:
            certificate_warmup.prepare(
                info("Stand In", "Data Analysis"), design, learner=False
            )
        return {"worker_ms": (time.process_time() - start) * 1000}
    rss_before = resident_kb()
    warm_ms = 0.0
    start = time.process_time()
    if case != "cold":
        certificate_warmup.warm_process()
    if case == "warmed and prepared":
        for _, design in designs:
            certificate_warmup.prepare(info("Stand In", "Data Analysis"), design)
    warm_ms = (time.process_time() - start) * 1000
    rss_warm = resident_kb()
    layers.layouts.clear()
    certificate_store.counts.clear()
    results = []
    for label, design in designs:
        for turn, name in (("first", "Lena Marsh"), ("second", "Liam Ortiz")):
            spent.clear()
            before = dict(layers.layouts)
            fetched = certificate_store.counts["fetched"]
            start = time.process_time()
            render_certificate_pdf(info(name, "Data Analysis"), design)
            total = (time.process_time() - start) * 1000
            results.append(
                {
                    "certificate": f"{label}, {turn}",
                    "total": total,
                    "phases": {k: v * 1000 for k, v in spent.items()},
                    "layouts": {
                        k: layers.layouts[k] - before.get(k, 0)
                        for k in ("design", "learner")
                    },
                    "fetched": certificate_store.counts["fetched"] - fetched,
                }
            )
    cache.clear()  # the case's namespace
    return {
        "warm_ms": warm_ms,
        "warm_rss_kb": rss_warm - rss_before,
        "results": results,
    }


def stream(case: str) -> dict:
    """Run in a new process: STREAM_CERTIFICATES certificates of a few
    achievements, each a new learner's, the CPU of each and of the full
    garbage collections among them."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()
    from django.core.cache import cache

    from credentials import certificate_warmup
    from credentials.certificate_design import DEFAULT_DESIGN
    from credentials.certificates import CertificateInfo, render_certificate_pdf

    certificate_warmup.warm_process()
    if case == STREAMS[1]:
        certificate_warmup.set_heap_aside()
    full, started = [], []

    def collection(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started.append(time.process_time())
            else:
                full.append((time.process_time() - started.pop()) * 1000)

    gc.callbacks.append(collection)
    spent = []
    for n in range(STREAM_CERTIFICATES):
        credential = uuid.uuid4()
        achievement = n % STREAM_ACHIEVEMENTS
        info = CertificateInfo(
            learner_name=f"Learner {n:04}", achievement_name=f"Module {achievement}",
            achievement_kind="Module", organization_name="Northfield College",
            issued_on=date(2026, 1, 1), credential_id=str(credential),
            verify_url=f"https://cairn.example/credentials/{credential}/",
            credential_json=b"{}", description="Module description. " * achievement,
            outcomes=("SHEET-101: Spreadsheets", "VIZ-102: Charts"),
        )  # fmt: skip
        start = time.process_time()
        render_certificate_pdf(info, DEFAULT_DESIGN)
        spent.append((time.process_time() - start) * 1000)
    gc.callbacks.remove(collection)
    cache.clear()  # the case's namespace
    return {"spent": spent, "full": full, "frozen": gc.get_freeze_count()}


def print_stream(case: str, figures: dict) -> None:
    spent = sorted(figures["spent"])
    full = figures["full"]
    print(
        f"    {case:<24} p50 {spent[len(spent) // 2]:6.1f}, "
        f"p99 {spent[int(len(spent) * 0.99)]:6.1f}, slowest {spent[-1]:6.1f} ms;"
        f" {len(full)} full collections"
        + (f", {min(full):.0f}–{max(full):.0f} ms each" if full else "")
        + f" ({figures['frozen']:,} objects frozen)"
    )


def resident_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_child(case: str, namespace: str, role: str = "--child") -> dict:
    """The case's figures from a new process, with a cache namespace of its own
    (a layer one case stored is not another's)."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.bench_first_certificate", role, case],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "CAIRN_CACHE_NAMESPACE": namespace},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    print("A process's first certificates (CPU ms of the process, by phase)")
    with open("/proc/loadavg") as loadavg:
        print(f"  load average: {' '.join(loadavg.read().split()[:3])}")
    for number, case in enumerate(CASES):
        namespace = f"bench-first-certificate-{os.getpid()}-{number}"
        if case == STORED:
            worker = run_child("worker", namespace)
            print(
                f"  (a worker laid out and stored both design layers: "
                f"{worker['worker_ms']:.1f} ms CPU)"
            )
        figures = run_child(case, namespace)
        print(f"  {case}")
        if case != "cold":
            print(
                f"    warming at start: {figures['warm_ms']:7.1f} ms CPU, "
                f"+{figures['warm_rss_kb'] / 1024:,.1f} MB resident"
            )
        for result in figures["results"]:
            phases = ", ".join(
                f"{name.strip()} {ms:.1f}" for name, ms in result["phases"].items()
            )
            laid = result["layouts"]
            print(
                f"    {result['certificate']:<28} {result['total']:7.1f} ms"
                f"  (layouts: design {laid['design']}, learner {laid['learner']};"
                f" fetched {result['fetched']})"
                f"  {phases}"
            )
    print(
        f"  {STREAM_CERTIFICATES} certificates of {STREAM_ACHIEVEMENTS} achievements"
        " in turn, each a new learner's, layers laid out (CPU ms of each)"
    )
    for _ in range(2):
        for number, case in enumerate(STREAMS):
            namespace = f"bench-first-certificate-{os.getpid()}-stream-{number}"
            print_stream(case, run_child(case, namespace, "--stream"))
    with open("/proc/loadavg") as loadavg:
        print(f"  load average: {' '.join(loadavg.read().split()[:3])}")
    print("  goal: a first request within 200 ms (issue 17)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2])))
    elif sys.argv[1:2] == ["--stream"]:
        print(json.dumps(stream(sys.argv[2])))
    else:
        main()
