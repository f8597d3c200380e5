import io

import pytest
from PIL import Image

from accounts.models import Membership
from curriculum import services as curriculum
from tests import factories

Role = Membership.Role


@pytest.fixture
def people(cast):
    """The cast, with an admin of the other organization and a site admin."""
    cast.people["other_admin"] = factories.UserFactory(username="admin-of-b")
    curriculum.add_member(
        cast.other_organization, cast.people["other_admin"], role=Role.ADMIN
    )
    cast.people["site_admin"] = factories.UserFactory(
        username="site-admin", is_staff=True
    )
    return cast


@pytest.fixture
def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="PNG")
    return out.getvalue()
