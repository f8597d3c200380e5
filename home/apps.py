from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page, composed from the selectors of the apps below."""

    name = "home"
    verbose_name = "Home pages"

    def ready(self) -> None:
        from home import receivers

        receivers.connect()
