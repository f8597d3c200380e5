from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Advisory-board reviews"

    def ready(self) -> None:
        from curriculum import lifecycle

        # The model layer of the freeze on published content (the triggers in
        # migration 0002 are the database layer).
        lifecycle.connect_frozen_content_guards()
