from django.urls import path

from accounts.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.badge, name="notifications-badge"),
    path(
        "notifications/<int:pk>/read/",
        views.mark_read,
        name="notification-read",
    ),
    path("notifications/read-all/", views.mark_all_read, name="notifications-read-all"),
    path(
        "organizations/<slug:slug>/email-branding/",
        views.branding,
        name="branding",
    ),
    path(
        "organizations/<slug:slug>/email-branding/preview/",
        views.branding_preview,
        name="branding-preview",
    ),
]
