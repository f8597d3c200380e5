import pytest

from integrations.webhooks import services
from tests.integrations.webhooks.receiver import Receiver, serve


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.CAIRN_WEBHOOKS_TIMEOUT = 5
    settings.CAIRN_WEBHOOKS_RETRY_BASE_SECONDS = 60
    settings.CAIRN_WEBHOOKS_MAX_ATTEMPTS = 12
    settings.CAIRN_WEBHOOKS_PAUSE_AFTER_DAYS = 3


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = serve(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(cast, receiver):
    """The organization's admin subscribed the receiver to every event; the
    receiver holds the secret shown once."""
    from integrations.webhooks.events import EVENT_TYPES

    subscription, secret = services.create_subscription(
        cast.organization,
        by=cast["admin"],
        url=receiver.url,
        events=list(EVENT_TYPES),
        description="Registrar",
    )
    receiver.secret = secret
    return subscription
