"""The bulk of the scale data set, written with PostgreSQL's COPY in chunks of
learners: users, memberships, enrolments, submissions with grades, module and
pathway completions, awards with their status-list entries, and the audit
trail's entries for grades and awards.

Rows are generated as text in streams (a chunk's compact plan in memory, never
its rows), ids are handed out here and the sequences moved past them at the end.

Bulk awards are NOT individually signed: signing ten million credentials takes
hours. Each reuses the signed document of a sample award of the same module or
pathway version (catalogue.py) with its id, recipient, dates, evidence and
status entry substituted, so its shape and size are a real credential's but its
proof does not verify. The sample learners' awards are signed for real."""

import hashlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection

from credentials import statuslist
from credentials.models import Award, StatusList
from credentials.services import status
from integrations.scale import indexes
from integrations.scale.catalogue import MODULES_PER_PATHWAY, College

DAY = 86400
# Given names and family names from many places, drawn independently of the
# college: 60 x 80 = 4,800 full names, so a college of 100,000 learners has about
# 21 people of each, the system about 210. (25 x 24 names taken with the college
# number left a college of 100,000 with 120 full names, 833 to 1,667 people each,
# which no college has: every name search found a thousand people.)
FIRST = [
    "Aisha", "Ben", "Carmen", "Dmitri", "Elena", "Felix", "Grace", "Hiro", "Ines",
    "Jamal", "Kira", "Luis", "Maya", "Nikhil", "Olga", "Priya", "Quinn", "Rosa",
    "Sven", "Tariq", "Uma", "Victor", "Wen", "Yara", "Zoe", "Amara", "Bilal",
    "Chiara", "Darius", "Emeka", "Fatima", "Gabriel", "Hana", "Ibrahim", "Julia",
    "Kwame", "Leila", "Mateo", "Nadia", "Omar", "Paula", "Rafael", "Sakura",
    "Tomasz", "Valentina", "William", "Ximena", "Yusuf", "Zanele", "Anders",
    "Beatriz", "Chen", "Dalia", "Eamon", "Freya", "Goran", "Hamid", "Ingrid",
    "Jonas", "Kalani",
]  # fmt: skip
LAST = [
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes",
    "Ito", "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen", "Okafor", "Patel",
    "Quist", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Walsh", "Young",
    "Abara", "Bergstrom", "Castillo", "Dubois", "Eriksen", "Ferreira", "Gallagher",
    "Haddad", "Iyer", "Jovanovic", "Kaplan", "Lindqvist", "Mensah", "Novak",
    "Ortega", "Petrov", "Quiroga", "Ramirez", "Sato", "Thompson", "Ulloa",
    "Vasquez", "Wojcik", "Yamamoto", "Zhang", "Achebe", "Brennan", "Costa",
    "Dimitrov", "Eze", "Fontaine", "Grant", "Horvath", "Ibarra", "Jaramillo",
    "Kim", "Larsen", "Moreau", "Nakamura", "Olsen", "Popescu", "Reyes", "Schmidt",
    "Takahashi", "Ueda", "Vega", "Whitaker", "Xu", "Yilmaz", "Zapata", "Bauer",
    "Campbell", "Das", "Endo", "Flores", "Gupta",
]  # fmt: skip
FAILED_EVERY = 7  # one learner in seven failed one module once, then passed
PENDING_EVERY = 100  # one in a hundred waits for a grade on the capstone
PASS_COMMENT = "Well done: this meets the standard."
FAIL_COMMENT = "Not yet: rework the criteria marked below and submit again."
TOKENS = ("ID", "SALT", "HASH", "NAME", "FROM", "LIST", "INDEX", "EVIDENCE")


def _copy_escape(text: str) -> str:
    """COPY's text format: a backslash, tab or newline in a value is escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _iso_z(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Template:
    """A signed credential cut into pieces around what differs per award."""

    pieces: list[str]
    order: list[str]

    @classmethod
    def of(cls, credential: dict) -> "Template":
        doc = json.loads(json.dumps(credential))
        doc["id"] = "urn:uuid:@@ID@@"
        doc["validFrom"] = "@@FROM@@"
        subject = doc["credentialSubject"]
        for identifier in subject.get("identifier", []):
            if identifier.get("hashed"):
                identifier["salt"] = "@@SALT@@"
                identifier["identityHash"] = "@@HASH@@"
            else:
                identifier["identityHash"] = "@@NAME@@"
        entry = doc["credentialStatus"]
        entry["id"] = "@@LIST@@#@@INDEX@@"
        entry["statusListIndex"] = "@@INDEX@@"
        entry["statusListCredential"] = "@@LIST@@"
        for evidence in doc.get("evidence", []):
            evidence["id"] = "@@EVIDENCE@@"
        text = _copy_escape(json.dumps(doc, separators=(", ", ": ")))
        pieces, order = [], []
        rest = text
        while "@@" in rest:
            before, _, after = rest.partition("@@")
            token, _, rest = after.partition("@@")
            pieces.append(before)
            order.append(token)
        pieces.append(rest)
        return cls(pieces, order)

    def fill(self, values: dict[str, str]) -> str:
        out = [self.pieces[0]]
        for token, piece in zip(self.order, self.pieces[1:], strict=True):
            out.append(values[token])
            out.append(piece)
        return "".join(out)


@dataclass
class ListFiller:
    """Hands out an organization's revocation-list indexes at random, filling a
    list to the service's limit before starting the next, as issuing does."""

    organization: object
    issuer_did: str
    rng: random.Random
    lists: list[StatusList] = field(default_factory=list)
    assigned: dict[int, bytearray] = field(default_factory=dict)
    # Lists made ahead of a COPY (no other query may run during one), each
    # with the indexes still to hand out.
    _ahead: list[tuple[StatusList, str, list[int]]] = field(default_factory=list)

    def reserve(self, count: int) -> None:
        """Make sure `count` more entries can be handed out without a query."""
        while sum(len(pool) for _, _, pool in self._ahead) < count:
            current = StatusList.objects.create(
                organization=self.organization,
                issuer_did=self.issuer_did,
                purpose=StatusList.Purpose.REVOCATION,
                bits=statuslist.new_bitstring(),
                assigned=statuslist.new_bitstring(),
            )
            self.lists.append(current)
            self.assigned[current.pk] = bytearray(statuslist.MIN_LENGTH // 8)
            pool = self.rng.sample(range(statuslist.MIN_LENGTH), status.FILL_LIMIT)
            self._ahead.append((current, status.list_url(current), pool))

    def take(self) -> tuple[int, str, int]:
        current, url, pool = self._ahead[0]
        index = pool.pop()
        if not pool:
            self._ahead.pop(0)
        self.assigned[current.pk][index // 8] |= 0x80 >> (index % 8)
        return current.pk, url, index

    def finish(self) -> None:
        """Store what was handed out and sign each list, as the service does."""
        for status_list in self.lists:
            bits = bytes(self.assigned[status_list.pk])
            status_list.assigned = bits
            status_list.assigned_count = sum(b.bit_count() for b in bits)
            status_list.save(update_fields=["assigned", "assigned_count"])
            status.sign_status_list(status_list)


@dataclass
class Plan:
    """What the bulk writes for one college: ids and templates it reuses."""

    college: College
    filler: ListFiller
    key_id: int
    module_templates: list[Template]
    pathway_templates: list[Template]
    achievement_names: list[str]  # modules, then pathways


@dataclass
class Ids:
    """The next id of each table, carried from chunk to chunk."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


TABLES = {
    "user": "auth_user",
    "membership": "curriculum_membership",
    "enrolment": "pathways_enrolment",
    "submission": "assessments_submission",
    "grade": "assessments_grade",
    "module_completion": "assessments_modulecompletion",
    "pathway_completion": "pathways_pathwaycompletion",
    "award": "credentials_award",
    "audit": "curriculum_auditentry",
}
COLUMNS = {
    "user": "id, password, is_superuser, username, first_name, last_name, email, "
    "is_staff, is_active, date_joined",
    "membership": "id, role, created_at, user_id, organization_id",
    "enrolment": "id, enrolled_at, learner_id, version_id, evaluated_at",
    "submission": "id, attempt, status, text, link, submitted_at, learner_id, "
    "task_id, links, second_marking_reason, updated_at",
    "grade": "id, comment, total, passed, graded_at, grader_id, submission_id, "
    "change_reason",
    "module_completion": "id, source, completed_at, grade_id, learner_id, "
    "version_id, recorded_at",
    "pathway_completion": "id, completed_at, trace, learner_id, version_id",
    "award": "id, uuid, kind, achievement_name, credential, issued_at, pdf, "
    "revocation_reason, learner_id, module_completion_id, organization_id, "
    "pathway_completion_id, signing_key_id, is_public, revocation_index, "
    "suspension_reason, revocation_list_id, pdf_design, notified_at",
    "audit": "id, action, object_type, object_id, data, at, actor_id, organization_id",
}


def start_ids() -> Ids:
    with connection.cursor() as cursor:
        found = {}
        for key, table in TABLES.items():
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
            found[key] = cursor.fetchone()[0]
    return Ids(found)


def move_sequences() -> None:
    with connection.cursor() as cursor:
        for table in TABLES.values():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )


@dataclass
class Attempt:
    submission_id: int
    task: int  # index in the college's tasks
    number: int
    submitted: float
    graded: float | None
    passed: bool
    grade_id: int | None = None
    completion_id: int | None = None


@dataclass
class Learner:
    n: int
    user_id: int
    college: int
    username: str
    first: str
    last: str
    email: str
    joined: float
    attempts: list[Attempt]
    pathway_done: list[tuple[int, float]]  # (pathway completion id, when)
    enrolment_ids: list[int]
    membership_id: int


def plan_learner(n: int, colleges: int, ids: Ids, now: float, modules: int) -> Learner:
    """One learner's history, from their number alone (no randomness to keep)."""
    college = n % colleges
    number = n // colleges  # within the college
    first = FIRST[number % len(FIRST)]
    last = LAST[(number // len(FIRST)) % len(LAST)]
    username = f"learner{n:07d}"
    age = 60 + (n * 7919) % 660  # enrolled 60 to 720 days ago
    joined = now - age * DAY - (n % 86400)
    step = (age - 20) * DAY / (modules + 1)
    failed = n % modules if (n // 3) % FAILED_EVERY == 0 else -1
    attempts, done = [], []
    day = joined + 3 * DAY
    for m in range(modules):
        if m == failed:
            attempts.append(
                Attempt(ids.take("submission"), m, 1, day, day + 2 * DAY, False)
            )
            day += 9 * DAY
        number = 2 if m == failed else 1
        attempt = Attempt(ids.take("submission"), m, number, day, day + 2 * DAY, True)
        attempts.append(attempt)
        if (m + 1) % MODULES_PER_PATHWAY == 0:
            done.append(attempt.graded)
        day += step
    if n % PENDING_EVERY == 0:
        attempts.append(
            Attempt(ids.take("submission"), modules, 1, now - (n % 29 + 1) * DAY / 2,
                    None, False)
        )  # fmt: skip
    for attempt in attempts:
        if attempt.graded is not None:
            attempt.grade_id = ids.take("grade")
            if attempt.passed:
                attempt.completion_id = ids.take("module_completion")
    return Learner(
        n=n,
        user_id=ids.take("user"),
        college=college,
        username=username,
        first=first,
        last=last,
        email="",
        joined=joined,
        attempts=attempts,
        pathway_done=[(ids.take("pathway_completion"), when) for when in done],
        enrolment_ids=[ids.take("enrolment") for _ in done],
        membership_id=ids.take("membership"),
    )


class Writer:
    """Streams one chunk of learners' rows into each table."""

    def __init__(self, plans: list[Plan], password: str, ids: Ids, now: float):
        self.plans = plans
        self.password = password
        self.ids = ids
        self.now = now
        self.rows = dict.fromkeys(TABLES, 0)

    def write_chunk(self, learners: list[Learner]) -> None:
        for learner in learners:
            slug = self.plans[learner.college].college.organization.slug
            learner.email = f"{learner.username}@{slug}.example.edu"
        for p, plan in enumerate(self.plans):
            plan.filler.reserve(
                sum(
                    len(x.pathway_done)
                    + sum(a.completion_id is not None for a in x.attempts)
                    for x in learners
                    if x.college == p
                )
            )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for key, rows in (
                ("user", self.users),
                ("membership", self.memberships),
                ("enrolment", self.enrolments),
                ("submission", self.submissions),
                ("grade", self.grades),
                ("module_completion", self.module_completions),
                ("pathway_completion", self.pathway_completions),
                ("award", self.awards),
                ("audit", self.audit),
            ):
                self._copy(raw, key, rows(learners))

    def _copy(self, raw, key: str, lines: Iterator[str]) -> None:
        with raw.copy(f"COPY {TABLES[key]} ({COLUMNS[key]}) FROM STDIN") as copy:
            buffer, count = [], 0
            for line in lines:
                buffer.append(line)
                if len(buffer) >= 2000:
                    copy.write("".join(buffer))
                    count += len(buffer)
                    buffer = []
            if buffer:
                copy.write("".join(buffer))
                count += len(buffer)
        self.rows[key] += count

    def users(self, learners):
        for x in learners:
            yield (
                f"{x.user_id}\t{self.password}\tf\t{x.username}\t{x.first}\t{x.last}"
                f"\t{x.email}\tf\tt\t{_ts(x.joined)}\n"
            )

    def memberships(self, learners):
        for x in learners:
            org = self.plans[x.college].college.organization.pk
            yield f"{x.membership_id}\tlearner\t{_ts(x.joined)}\t{x.user_id}\t{org}\n"

    def enrolments(self, learners):
        for x in learners:
            versions = self.plans[x.college].college.pathways
            for enrolment_id, version in zip(x.enrolment_ids, versions, strict=True):
                when = _ts(x.joined + 60)
                yield f"{enrolment_id}\t{when}\t{x.user_id}\t{version.pk}\t{when}\n"

    def submissions(self, learners):
        for x in learners:
            tasks = self.plans[x.college].college.tasks
            for a in x.attempts:
                state = "submitted" if a.graded is None else "graded"
                link = f"https://example.org/{x.username}/{a.submission_id}"
                yield (
                    f"{a.submission_id}\t{a.number}\t{state}\tMy work, with notes "
                    f"against each criterion.\t{link}\t{_ts(a.submitted)}\t"
                    f"{x.user_id}\t{tasks[a.task].pk}\t[]\t\t"
                    f"{_ts(a.graded or a.submitted)}\n"
                )

    def grades(self, learners):
        for x in learners:
            faculty = self.plans[x.college].college.faculty
            grader = faculty[x.n % len(faculty)].pk
            for a in x.attempts:
                if a.grade_id is None:
                    continue
                comment, total = (PASS_COMMENT, 7) if a.passed else (FAIL_COMMENT, 4)
                yield (
                    f"{a.grade_id}\t{comment}\t{total}\t{'t' if a.passed else 'f'}\t"
                    f"{_ts(a.graded)}\t{grader}\t{a.submission_id}\t\n"
                )

    def module_completions(self, learners):
        for x in learners:
            modules = self.plans[x.college].college.modules
            for a in x.attempts:
                if a.completion_id is None:
                    continue
                when = _ts(a.graded)
                yield (
                    f"{a.completion_id}\tgraded\t{when}\t{a.grade_id}\t{x.user_id}\t"
                    f"{modules[a.task].pk}\t{when}\n"
                )

    def pathway_completions(self, learners):
        trace = _copy_escape(json.dumps({"met": True, "rule": "all"}))
        for x in learners:
            versions = self.plans[x.college].college.pathways
            for (pc_id, when), version in zip(x.pathway_done, versions, strict=True):
                yield f"{pc_id}\t{_ts(when)}\t{trace}\t{x.user_id}\t{version.pk}\n"

    def _award(self, x, plan: Plan, kind, name, template, when, completion, link):
        award_id = self.ids.take("award")
        award_uuid = str(uuid.uuid4())
        list_id, list_url, index = plan.filler.take()
        salt = f"{random.getrandbits(64):016x}"
        digest = hashlib.sha256((x.email + salt).encode()).hexdigest()
        credential = template.fill(
            {
                "ID": award_uuid,
                "SALT": salt,
                "HASH": f"sha256${digest}",
                "NAME": f"{x.first} {x.last}",
                "FROM": _iso_z(when),
                "LIST": list_url,
                "INDEX": str(index),
                "EVIDENCE": link,
            }
        )
        module_id, pathway_id = (
            (completion, "\\N") if kind == "module" else ("\\N", completion)
        )
        issued = _ts(when)
        self._issued.append((award_id, award_uuid, name, x, when))
        return (
            f"{award_id}\t{award_uuid}\t{kind}\t{name}\t{credential}\t{issued}\t\t\t"
            f"{x.user_id}\t{module_id}\t{plan.college.organization.pk}\t{pathway_id}\t"
            f"{plan.key_id}\tt\t{index}\t\t{list_id}\t\t{issued}\n"
        )

    def awards(self, learners):
        self._issued = []
        for x in learners:
            plan = self.plans[x.college]
            names = plan.achievement_names
            for a in x.attempts:
                if a.completion_id is None:
                    continue
                link = f"https://example.org/{x.username}/{a.submission_id}"
                yield self._award(
                    x, plan, "module", names[a.task], plan.module_templates[a.task],
                    a.graded, a.completion_id, link,
                )  # fmt: skip
            for p, (pc_id, when) in enumerate(x.pathway_done):
                yield self._award(
                    x, plan, "pathway", names[len(plan.module_templates) + p],
                    plan.pathway_templates[p], when, pc_id, "",
                )  # fmt: skip

    def audit(self, learners):
        for x in learners:
            plan = self.plans[x.college]
            org = plan.college.organization.pk
            grader = plan.college.faculty[x.n % len(plan.college.faculty)].pk
            for a in x.attempts:
                if a.grade_id is None:
                    continue
                data = f'{{"total": {7 if a.passed else 4}, "passed": '
                data += f"{'true' if a.passed else 'false'}}}"
                yield (
                    f"{self.ids.take('audit')}\tsubmission.graded\t"
                    f"assessments.Submission\t{a.submission_id}\t{data}\t"
                    f"{_ts(a.graded)}\t{grader}\t{org}\n"
                )
        for award_id, award_uuid, name, x, when in self._issued:
            org = self.plans[x.college].college.organization.pk
            data = (
                f'{{"award": "{award_uuid}", "learner": {x.user_id}, '
                f'"achievement": "{name}"}}'
            )
            yield (
                f"{self.ids.take('audit')}\taward.issued\tcredentials.Award\t"
                f"{award_id}\t{data}\t{_ts(when)}\t\\N\t{org}\n"
            )
        self._issued = []


def plan_for(college: College) -> Plan:
    """The templates and the status-list filler of one college, from its sample
    learner's signed awards."""
    sample = college.samples[0]
    awards = {
        (a.module_completion.version_id if a.module_completion_id else None): a
        for a in Award.objects.filter(learner=sample, kind="module").select_related(
            "module_completion"
        )
    }
    by_pathway = {
        a.pathway_completion.version_id: a
        for a in Award.objects.filter(learner=sample, kind="pathway").select_related(
            "pathway_completion"
        )
    }
    graded = college.modules[: len(college.pathways) * MODULES_PER_PATHWAY]
    module_templates = [Template.of(awards[v.pk].credential) for v in graded]
    # The capstone is never awarded in bulk (its work waits for a grade); its
    # slot keeps the indexes of the college's tasks and modules aligned.
    pathway_templates = [
        Template.of(by_pathway[v.pk].credential) for v in college.pathways
    ]
    first = next(iter(awards.values()))
    filler = ListFiller(
        college.organization,
        first.revocation_list.issuer_did,
        random.Random(college.organization.pk),
    )
    return Plan(
        college=college,
        filler=filler,
        key_id=first.signing_key_id,
        module_templates=module_templates,
        pathway_templates=pathway_templates,
        achievement_names=[v.title for v in graded]
        + [v.title for v in college.pathways],
    )


def run(
    plans: list[Plan],
    *,
    learners: int,
    chunk: int,
    password: str,
    progress: Callable[[int, dict], None],
    built: Callable[[indexes.Deferred, float], None] | None = None,
) -> dict[str, int]:
    """Write `learners` learners in chunks, each chunk in one transaction, with
    the tables' secondary indexes put aside and built once at the end."""
    from django.db import transaction

    ids = start_ids()
    now = datetime.now(UTC).timestamp()
    modules = len(plans[0].module_templates)
    writer = Writer(plans, password, ids, now)
    deferred = indexes.secondary(TABLES.values())
    with connection.cursor() as cursor:
        # Rows are consistent by construction (the tiny-scale test checks the
        # constraints hold); the per-row foreign-key triggers are what COPY
        # would spend most of its time on.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        # A credential is 3-8 KB of JSON: LZ4 compresses it for TOAST several
        # times faster than the default pglz (this session's rows only).
        cursor.execute("SET default_toast_compression = lz4")
    indexes.drop(deferred)
    try:
        for start in range(0, learners, chunk):
            batch = [
                plan_learner(n, len(plans), ids, now, modules)
                for n in range(start, min(start + chunk, learners))
            ]
            with transaction.atomic():
                writer.write_chunk(batch)
            progress(min(start + chunk, learners), writer.rows)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("RESET default_toast_compression")
        indexes.build(deferred, progress=built)
    for plan in plans:
        plan.filler.finish()
    move_sequences()
    return writer.rows
