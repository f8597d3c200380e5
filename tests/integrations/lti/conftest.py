"""A registered loopback platform and a way through its launch flow."""

import pytest
import requests

from integrations.lti import registration
from tests.integrations.lti.platform import LEARNER, Platform, path_of


@pytest.fixture
def platform(cast, client):
    started = Platform()
    slug = cast.organization.slug
    registration.register_platform(
        cast.organization, by=cast["admin"], **started.tool_fields()
    )
    base = "http://testserver/integrations/lti/" + slug
    started.register_tool(
        login_url=base + "/login/",
        launch_url=base + "/launch/",
        # The admin pastes Cairn's key set into the platform.
        tool_jwks=client.get(f"/integrations/lti/{slug}/jwks/").json(),
    )
    yield started
    started.stop()


def authorize(client, platform, user_id, *, roles=(LEARNER,), **launch):
    """Platform → Cairn's login → platform's authorization: the id_token post."""
    url = platform.initiate_login(user_id, roles=roles, **launch)
    answer = client.get(path_of(url))
    assert answer.status_code == 302, answer.content[:300]
    form = requests.get(answer["Location"], timeout=10).json()
    return path_of(form["launch_url"]), {
        "id_token": form["id_token"],
        "state": form["state"],
    }


def launch(client, platform, user_id, **kwargs):
    url, form = authorize(client, platform, user_id, **kwargs)
    return client.post(url, form)


def teach(client, platform, capture):
    """The instructor launches into the course, which Cairn then knows."""
    from integrations.models import LtiContext
    from tests.integrations.lti.platform import INSTRUCTOR

    platform.add_member(
        "teacher-1", name="Ann Lee", email="ann@example.edu", roles=(INSTRUCTOR,)
    )
    with capture(execute=True):
        launch(client, platform, "teacher-1", roles=(INSTRUCTOR,), name="Ann Lee")
    return LtiContext.objects.get()


def sync(context) -> dict:
    """An instructor's "read now": the course's sync, queued and run here."""
    from integrations.lti import syncs
    from integrations.models import LtiSync

    queued = syncs.queue_sync(context, trigger=LtiSync.Trigger.INSTRUCTOR)
    return syncs.run_sync(queued.pk).counts
