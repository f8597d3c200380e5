import pytest

from reviews import services
from tests import builders
from tests.test_browser import browser  # noqa: F401 (the real-browser fixture)


@pytest.fixture
def board(cast):
    """A board of three seated members (2 of 3 approvals, no rejection): the
    organization's reviewer and two outside practitioners."""
    return builders.make_board(cast)


@pytest.fixture
def draft(cast):
    """A draft module (two outcomes, a rubric task) ready for review."""
    return builders.make_module(cast, "M-1", publish=False).version


@pytest.fixture
def review(cast, board, draft):
    return services.submit_for_review(draft, by=cast["designer"], board=board)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block scheduled for after commit (e-mail tasks) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
