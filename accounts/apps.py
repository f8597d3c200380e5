from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People and organizations: the floor every other app stands on. It imports
    none of them."""

    name = "accounts"
    verbose_name = "People and organizations"

    def ready(self) -> None:
        from accounts.lifecycle import receivers  # noqa: F401
