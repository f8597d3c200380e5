from django.urls import path

from credentials import views

app_name = "credentials"
urlpatterns = [
    path("", views.my_credentials, name="mine"),
    path("<uuid:uuid>/", views.verify, name="verify"),
    path("<uuid:uuid>.json", views.credential_json, name="json"),
    path("<uuid:uuid>.pdf", views.certificate_pdf, name="pdf"),
]
