from django.urls import path

from integrations.lti import views

urlpatterns = [
    path("lti/<slug:slug>/jwks/", views.jwks, name="lti-jwks"),
    path("lti/<slug:slug>/login/", views.login_initiation, name="lti-login"),
    path("lti/<slug:slug>/launch/", views.launch_view, name="lti-launch"),
    path("lti/<slug:slug>/deep-link/", views.deep_link, name="lti-deep-link"),
    path(
        "lti/<slug:slug>/register/",
        views.dynamic_registration,
        name="lti-dynamic-registration",
    ),
    path(
        "organizations/<slug:slug>/lti/",
        views.platform_list,
        name="lti-platforms",
    ),
    path(
        "organizations/<slug:slug>/lti/<int:pk>/",
        views.platform_detail,
        name="lti-platform",
    ),
    path(
        "organizations/<slug:slug>/lti/<int:pk>/course-sites/",
        views.platform_sites,
        name="lti-platform-sites",
    ),
    path(
        "organizations/<slug:slug>/lti/<int:pk>/remove/",
        views.platform_remove,
        name="lti-platform-remove",
    ),
    path("lti/courses/<int:pk>/", views.course, name="lti-course"),
    path("lti/courses/<int:pk>/sync/", views.course_sync, name="lti-course-sync"),
    path(
        "lti/courses/<int:pk>/columns/<int:pathway>/on/",
        views.column_on,
        name="lti-column-on",
    ),
    path(
        "lti/courses/<int:pk>/columns/<int:pathway>/off/",
        views.column_off,
        name="lti-column-off",
    ),
]
