from django.urls import path

from accounts import views
from accounts.lifecycle import urls as lifecycle_urls

app_name = "accounts"

urlpatterns = [
    path("organizations/<slug:slug>/audit/", views.audit_trail, name="audit"),
    *lifecycle_urls.urlpatterns,
]
