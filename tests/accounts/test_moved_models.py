"""Organizations, memberships and audit entries moved from curriculum to
accounts without losing a row (docs/decisions/0006)."""

import ast
import pathlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [
    ("curriculum", "0004_competency_search_indexes"),
    ("assessments", "0003_appeal_overturn_and_proof_reason"),
    ("credentials", "0007_issuer_suspension_entry"),
    ("pathways", "0003_stacking_equivalences_reevaluation"),
    ("reviews", "0003_freeze_prerequisites"),
]
ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS_ABOVE = ["curriculum", "reviews", "assessments", "pathways", "credentials"]


def _migrate(targets, *, state_at):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(state_at).apps


@pytest.mark.heavy(50)
@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate([*BEFORE_THE_MOVE, ("accounts", None)], state_at=BEFORE_THE_MOVE)
    try:
        User = old.get_model("auth", "User")
        Organization = old.get_model("curriculum", "Organization")
        Membership = old.get_model("curriculum", "Membership")
        AuditEntry = old.get_model("curriculum", "AuditEntry")
        Module = old.get_model("curriculum", "Module")
        user = User.objects.create(username="moved-ada")
        college = Organization.objects.create(name="Moved College", slug="moved")
        Membership.objects.create(user=user, organization=college, role="admin")
        Module.objects.create(organization=college, code="MOV-1")
        AuditEntry.objects.create(
            organization=college,
            actor=user,
            action="member.added",
            object_type="curriculum.Membership",
            object_id="1",
        )
    finally:
        new = _migrate(latest, state_at=latest)
    Organization = new.get_model("accounts", "Organization")
    college = Organization.objects.get(slug="moved")
    assert college.name == "Moved College"
    assert list(college.memberships.values_list("user__username", "role")) == [
        ("moved-ada", "admin")
    ]
    assert college.audit_entries.get().action == "member.added"
    assert college.modules.get().code == "MOV-1"


def _imports_of(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_accounts_imports_no_app_above_it():
    for path in (ROOT / "accounts").rglob("*.py"):
        above = _imports_of(path) & {*APPS_ABOVE, "analytics", "integrations"}
        assert not above, f"{path.relative_to(ROOT)} imports {above}"


def test_no_app_imports_integrations():
    """The doors for other systems sit on top: the domain never learns which
    door a request came through (DESIGN.md)."""
    for app in (*APPS_ABOVE, "accounts", "analytics"):
        for path in (ROOT / app).rglob("*.py"):
            found = _imports_of(path) & {"integrations"}
            assert not found, f"{path.relative_to(ROOT)} imports integrations"
