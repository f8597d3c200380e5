from django.urls import include, path

from accounts import views
from accounts.lifecycle import urls as lifecycle_urls
from accounts.notifications import urls as notification_urls
from accounts.sso import urls as sso_urls

app_name = "accounts"

urlpatterns = [
    path("organizations/<slug:slug>/audit/", views.audit_trail, name="audit"),
    path("", include("accounts.people.urls")),
    *sso_urls.urlpatterns,
    *lifecycle_urls.urlpatterns,
    *notification_urls.urlpatterns,
]
