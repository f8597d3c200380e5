from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("<slug:slug>/", views.organization_analytics, name="organization"),
    path("<slug:slug>/work/", views.queued_work, name="queued-work"),
]
