"""The W3C VC API of one organization, under /api/organizations/<slug>/vc-api/.
Paths as the VC API names them (no trailing slash)."""

from django.urls import path

from integrations.vcapi import api

urlpatterns = [
    path("credentials/issue", api.CredentialsIssue.as_view()),
    path("credentials/status", api.CredentialsStatus.as_view()),
    path("credentials/verify", api.CredentialsVerify.as_view()),
    path("presentations/verify", api.PresentationsVerify.as_view()),
]
