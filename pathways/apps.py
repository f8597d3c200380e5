from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"

    def ready(self) -> None:
        from assessments.prerequisites import register_prerequisite_check
        from pathways import receivers  # noqa: F401
        from pathways.prerequisites import locked

        register_prerequisite_check(locked)
