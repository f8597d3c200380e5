from django.urls import path, re_path

from integrations.ob3 import api, views

# Pages, under /integrations/ (the "integrations" namespace).
urlpatterns = [
    path("connected-apps/", views.connected_apps, name="connected-apps"),
    path(
        "connected-apps/<int:pk>/disconnect/",
        views.disconnect_app,
        name="connected-app-disconnect",
    ),
    path("connected-apps/about/", views.about, name="connected-apps-about"),
]

# The 1EdTech Open Badges 3.0 API, at /ims/ob/v3p0/ as the specification
# places it, with no namespace (hosts know these paths, not names).
api_urlpatterns = [
    path("discovery", api.discovery, name="ob3-discovery"),
    path("credentials", api.Credentials.as_view(), name="ob3-credentials"),
    path("profile", api.Profile.as_view(), name="ob3-profile"),
    re_path(r"^(?P<rest>.*)$", api.not_found),
]
