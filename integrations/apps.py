from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The doors for other systems: API tokens, OAuth clients, webhooks and the
    standard APIs. It calls the other apps' services and no app imports it."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from assessments.models import ModuleCompletion
        from credentials import evidence
        from credentials.services import sweeping
        from integrations import schema  # noqa: F401  (registers the schemes)
        from integrations.lti import evidence as lti_evidence
        from integrations.lti import receivers as lti  # noqa: F401
        from integrations.lti import syncs
        from integrations.ob3 import receivers as ob3  # noqa: F401
        from integrations.webhooks import receivers  # noqa: F401

        evidence.register(ModuleCompletion.Source.LMS, lti_evidence.describe)
        sweeping.register("LMS syncs", syncs.sweep_syncs)
