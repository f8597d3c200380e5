import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

# 1EdTech's Open Badges 3.0 AchievementCredential schema (tests/data/schemas/SOURCE.md).
SCHEMA_PATH = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "schemas"
    / "ob_v3p0_achievementcredential_schema.json"
)


@pytest.fixture(scope="session")
def schema_validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft201909Validator(
        schema, format_checker=Draft201909Validator.FORMAT_CHECKER
    )
