"""Issuing benchmarks: figures and ratios to their floors, never pass or fail.

    make bench  (or: python -m bench issuing)

Signing an Open Badges 3.0 credential (compose, JSON-LD expansion, RDFC-1.0
canonicalization, SHA-256 and Ed25519) is compared with a bare Ed25519 signature
and with Digital Bazaar's JavaScript libraries (@digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite, tests/verifier/sign.mjs under Node) signing the same
credential with the same key and time; Ed25519 is deterministic, so the two
proofs must be byte-identical, which the run checks. Rendering a PDF certificate
is compared with a blank WeasyPrint page. The floors run in the same run, so the
ratios hold on a noisy machine where the absolute figures do not.

The signing goal line (issue 17: 1,000 signatures/s per core) counts CPU time,
each signature another learner's award of one module; canonical N-Quads by pyld
are compared with those from the template of the credential's shape
(credentials/rdf_template.py).
"""

import dataclasses
import itertools
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: E402
    Ed25519PrivateKey,
)
from weasyprint import HTML  # noqa: E402

from bench.goals import goal  # noqa: E402
from credentials import (  # noqa: E402
    canonical,
    dataintegrity,
    jsonld,
    openbadges,
    statuslist,
)
from credentials.certificates import (  # noqa: E402
    CertificateInfo,
    render_certificate_pdf,
)
from tests import builders  # noqa: E402


def measure(name: str, work: Callable[[], object], *, seconds: float) -> float:
    """Median seconds per call over repeated batches after a warm-up call."""
    work()
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 5:
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples)
    rate = 1 / median
    print(f"  {name:<44} {median * 1000:9.3f} ms {rate:10.1f}/s  n={len(samples)}")
    return median


SIGNER = Path(__file__).resolve().parents[1] / "tests" / "verifier" / "sign.mjs"


def measure_javascript(
    credential: dict, *, seed: bytes, created: str, seconds: float
) -> tuple[float, dict] | None:
    """Median seconds per sign by the JavaScript libraries, and their output."""
    if not shutil.which("node") or not (SIGNER.parent / "node_modules").exists():
        print(
            "  JavaScript libraries: not run "
            "(needs node and tests/verifier/node_modules)"
        )
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(
            {
                "credential": credential,
                "seedHex": seed.hex(),
                "created": created,
                "seconds": seconds,
            },
            handle,
        )
    try:
        completed = subprocess.run(
            ["node", str(SIGNER), handle.name],
            capture_output=True,
            text=True,
            timeout=120 + seconds,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    result = json.loads(completed.stdout)
    median = result["medianMs"] / 1000
    name = "JavaScript @digitalbazaar/vc issue"
    print(
        f"  {name:<44} {median * 1000:9.3f} ms {1 / median:10.1f}/s  "
        f"n={result['samples']}"
    )
    return median, result["signed"]


def cpu_time(name: str, work: Callable[[], object], *, seconds: float) -> float:
    """CPU seconds per call on this thread, after a warm-up call: what one core
    does however busy the machine is (a wall-clock median of a call that lasts
    several time slices grows with every process taking turns on the cores)."""
    work()
    calls = 0
    deadline = time.perf_counter() + seconds
    start = time.thread_time()
    while time.perf_counter() < deadline or calls < 5:
        work()
        calls += 1
    per_call = (time.thread_time() - start) / calls
    print(
        f"  {name:<44} {per_call * 1000:9.3f} ms {1 / per_call:10.1f}/s  "
        f"n={calls}, CPU time"
    )
    return per_call


def credential_info() -> openbadges.CredentialInfo:
    base = "https://cairn.example/curriculum/versions/7/"
    levels = tuple(
        openbadges.RubricLevel(f"{base}#level-{c}{n}", name, n, f"{name} work.")
        for n, name in enumerate(["Not yet", "Developing", "Competent", "Exemplary"])
        for c in "a"
    )
    return openbadges.CredentialInfo(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=openbadges.IssuerInfo(
            id="did:web:cairn.example", name="Northfield College",
            url="https://northfield.example.edu",
        ),
        achievement=openbadges.AchievementInfo(
            id=base, name="Spreadsheet Foundations",
            description="Structure, clean and summarise workplace data.",
            criteria_narrative="Pass the rubric-graded task.",
            achievement_type="MicroCredential", version="1",
            alignments=tuple(
                openbadges.Alignment(
                    target_name=f"Skill {n}", target_type="ceasn:Competency",
                    target_url=f"http://data.europa.eu/esco/skill/{n}",
                )
                for n in range(3)
            ),
            criteria=tuple(
                openbadges.RubricCriterion(f"{base}#criterion-{n}", f"C{n}", levels)
                for n in range(3)
            ),
            credits_available=Decimal("5"),
        ),
        recipient=openbadges.RecipientInfo(
            email="lena@northfield.example.edu", salt="0a1b2c3d", name="Lena Marsh"
        ),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        results=tuple(
            openbadges.AchievedLevel(f"{base}#criterion-{n}", levels[2].id)
            for n in range(3)
        ),
        # As issued by default: one revocation entry (Bitstring Status List).
        credential_status=statuslist.entry(
            list_url="https://cairn.example/credentials/status/1",
            index=94567, purpose=statuslist.PURPOSES[0],
        ),
    )  # fmt: skip


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    print("Signing (eddsa-rdfc-2022, Open Badges 3.0 credential)")
    seed = dataintegrity.generate_seed()
    method = dataintegrity.did_key_verification_method(
        dataintegrity.public_key_multibase(seed)
    )
    info = credential_info()
    # Each signature another learner's award of the same module, as in a run.
    awards = itertools.cycle(
        [
            dataclasses.replace(
                credential_info(),
                recipient=openbadges.RecipientInfo(
                    email=f"learner{n}@northfield.example.edu",
                    salt=f"{n:08x}",
                    name=f"Learner {n}",
                ),
            )
            for n in range(100)
        ]
    )
    created = datetime.now(UTC).replace(microsecond=0)
    key = Ed25519PrivateKey.from_private_bytes(seed)
    floor = measure(
        "bare Ed25519 signature (floor)", lambda: key.sign(b"x" * 64), seconds=seconds
    )
    credential = openbadges.compose_credential(info)
    by_pyld = cpu_time(
        "canonical N-Quads by pyld (no template)",
        lambda: canonical.canonical_form(jsonld.to_nquads(credential)),
        seconds=seconds,
    )
    by_template = cpu_time(
        "canonical N-Quads from the shape's template",
        lambda: dataintegrity.canonical_nquads(credential),
        seconds=seconds,
    )
    print(f"  template speed-up: {by_pyld / by_template:,.1f}x")
    full = measure(
        "compose + canonicalize + sign",
        lambda: dataintegrity.sign_credential(
            openbadges.compose_credential(next(awards)), seed=seed,
            verification_method=method, created=created,
        ),
        seconds=seconds,
    )  # fmt: skip
    print(f"  ratio to floor: {full / floor:,.0f}x")
    per_core = cpu_time(
        "compose + canonicalize + sign",
        lambda: dataintegrity.sign_credential(
            openbadges.compose_credential(next(awards)), seed=seed,
            verification_method=method, created=created,
        ),
        seconds=seconds,
    )  # fmt: skip
    rate = 1 / per_core
    print(f"  signatures/s per core: {rate:,.0f} (goal >= 1,000)")
    python_signed = dataintegrity.sign_credential(
        openbadges.compose_credential(info), seed=seed,
        verification_method=method, created=created,
    )  # fmt: skip
    javascript = measure_javascript(
        openbadges.compose_credential(info),
        seed=seed,
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=seconds,
    )
    if javascript is not None:
        js_median, js_signed = javascript
        print(
            f"  ratio to JavaScript: {full / js_median:,.3f}x "
            f"(Python signs {js_median / full:,.0f}x as many per second)"
        )
        # jsonld-signatures writes one proof as an object; Cairn writes a list.
        js_proof = js_signed["proof"]
        same = (js_proof if isinstance(js_proof, list) else [js_proof]) == (
            python_signed["proof"]
        )
        print(f"  same proof from both: {'yes' if same else 'NO'}")
        goal(
            "signing, Cairn's module credential (>= 1,000/s per core)",
            f"{rate:,.0f} signatures/s per core",
            f"JavaScript {1 / js_median:,.0f}/s (wall, one process), proofs "
            + ("byte-identical" if same else "DIFFERENT"),
            f"{js_median / per_core:,.1f}x JavaScript's rate",
            rate >= 1000 and same,
        )
    else:
        goal(
            "signing, Cairn's module credential (>= 1,000/s per core)",
            f"{rate:,.0f} signatures/s per core",
            "JavaScript reference not measured (Node packages missing)",
            "no ratio",
            False,
        )

    bench_certificates(seconds)


# Names of usual lengths, one per certificate, so that each render is another
# learner's (the design's layer is shared, the learner's is laid out each time).
LEARNERS = (
    "Lena Marsh", "Amara Okonkwo-Lindqvist", "Tomás Ferreira", "Mei-Ling Zhou",
    "Jonathan Abernathy-Smythe", "Siobhán Ní Bhriain", "Oluwaseun Adeyemi",
)  # fmt: skip
CERTIFICATE_GOAL = 50  # certificates a second per core (issue 17)


def measure_core(name: str, work: Callable[[], object], *, seconds: float) -> float:
    """Median CPU seconds of this process per call: what one core spends, which
    other processes on a shared machine do not inflate as they do wall time."""
    work()
    samples, walls = [], []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(samples) < 5:
        start, wall = time.process_time(), time.perf_counter()
        work()
        samples.append(time.process_time() - start)
        walls.append(time.perf_counter() - wall)
    median = statistics.median(samples)
    print(
        f"  {name:<44} {median * 1000:9.3f} ms {1 / median:10.1f}/s  n={len(samples)}"
        f"  (CPU; wall {statistics.median(walls) * 1000:,.1f} ms)"
    )
    return median


def bench_certificates(seconds: float) -> None:
    """The design's layer laid out once and each learner's refilled over it,
    against a blank page, the certificate laid out whole (as before the layers)
    and the learner's layer laid out for each certificate (as before refilling)."""
    import itertools
    from dataclasses import replace

    from weasyprint.text.ffi import harfbuzz_subset

    from credentials import certificate_refill
    from credentials.certificate_design import DEFAULT_DESIGN
    from credentials.certificate_layers import layered_pdf
    from credentials.certificates import (
        credential_attachment,
        full_document,
        write_one_page,
    )

    print("PDF certificates (WeasyPrint; CPU time of one process, so per core)")
    print(
        "  font subsetting (HarfBuzz): "
        + ("present" if harfbuzz_subset is not None else "MISSING (about 4x slower)")
    )
    blank = measure_core(
        "blank A4 page (floor)",
        lambda: HTML(string="<html><body></body></html>").write_pdf(),
        seconds=seconds,
    )
    certificate = CertificateInfo(
        learner_name="Lena Marsh", achievement_name="Data Analysis for the Workplace",
        achievement_kind="Pathway", organization_name="Northfield College",
        issued_on=date(2026, 1, 1), credential_id=str(uuid.uuid4()),
        verify_url="https://cairn.example/credentials/0b6f.../",
        credential_json=b"{}", outcomes=("SHEET-101: Spreadsheets", "VIZ-102: Charts"),
        credits="15 credits",
    )  # fmt: skip
    learners = itertools.cycle(LEARNERS)

    def next_learner() -> CertificateInfo:
        credential = uuid.uuid4()
        return replace(
            certificate,
            learner_name=next(learners),
            credential_id=str(credential),
            verify_url=f"https://cairn.example/credentials/{credential}/",
        )

    designed = builders.DESIGNED_CERTIFICATE
    rates = []
    for name, design in (
        ("default design", DEFAULT_DESIGN),
        ("designed template: bundled font, two signatories", designed),
    ):
        print(f"  {name}")
        whole = measure_core(
            "laid out whole (reference: one document)",
            lambda design=design: write_one_page(
                full_document(next_learner(), design)[1],
                credential_attachment(certificate),
            ),
            seconds=seconds,
        )
        laid_out = measure_core(
            "design layer once, learner's laid out each",
            lambda design=design: layered_pdf(
                next_learner(),
                design,
                credential_attachment(certificate),
                refilled=False,
            ),
            seconds=seconds,
        )
        layered = measure_core(
            "design layer once, learner's refilled each",
            lambda design=design: render_certificate_pdf(next_learner(), design),
            seconds=seconds,
        )
        print(
            f"  ratio to floor: {layered / blank:,.1f}x (whole: {whole / blank:,.1f}x,"
            f" learner's laid out: {laid_out / blank:,.1f}x); {whole / layered:,.1f}x"
            f" faster than whole, {laid_out / layered:,.1f}x than laying the"
            " learner's layer out"
        )
        rates.append(1 / layered)
    rate = min(rates)
    print(
        f"  refilled: {certificate_refill.refilled['certificates']:,}; laid out"
        f" instead: {dict(certificate_refill.declined) or 'none'}"
    )
    # The slower of the two designs, in CPU time: certificates a core makes.
    goal(
        f"certificates of a template, the slower design (>= {CERTIFICATE_GOAL}/s "
        "per core)",
        f"{rate:,.1f}/s per core",
        f"blank page {blank * 1000:,.1f} ms of CPU ({1 / blank:,.0f}/s)",
        f"{rate * blank:.2f} of a blank page's rate",
        rate >= CERTIFICATE_GOAL,
    )
    # The same ratio where a blank page takes the 5 ms it took when the goal was
    # set: a cross-check on a machine whose cores are shared or throttled.
    print(
        f"  at the goal's 5 ms blank page: {rate * blank / 0.005:,.1f}/s "
        f"(the blank page took {blank * 1000:,.1f} ms of CPU here)"
    )


if __name__ == "__main__":
    main()
