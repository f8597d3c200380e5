from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The doors for other systems: API tokens, OAuth clients, webhooks and the
    standard APIs. It calls the other apps' services and no app imports it."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import schema  # noqa: F401  (registers the schemes)
        from integrations.lti import receivers as lti  # noqa: F401
        from integrations.ob3 import receivers as ob3  # noqa: F401
        from integrations.webhooks import receivers  # noqa: F401
