from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"

    def ready(self) -> None:
        from assessments import badgefiles
        from credentials import receivers  # noqa: F401
        from credentials.recognition import check_recognition_proof

        badgefiles.register_proof_verifier(check_recognition_proof)
