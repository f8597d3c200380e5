from django.urls import path

from accounts import views
from accounts.sso import urls as sso_urls

app_name = "accounts"

urlpatterns = [
    path("organizations/<slug:slug>/audit/", views.audit_trail, name="audit"),
    *sso_urls.urlpatterns,
]
