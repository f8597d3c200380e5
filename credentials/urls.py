from django.urls import path

from credentials import (
    bulk_views,
    designer_views,
    personal_data_views,
    renewal_views,
    views,
    wallet_views,
)

app_name = "credentials"
urlpatterns = [
    path("", views.my_credentials, name="mine"),
    path("verify/", views.verify_upload, name="verify-upload"),
    path(
        "my-data.zip",
        personal_data_views.personal_data_export,
        name="personal-data-export",
    ),
    path("record/<str:token>/", views.public_record, name="public-record"),
    path("<uuid:uuid>/visibility/", views.set_visibility, name="visibility"),
    path("<uuid:uuid>/", views.verify, name="verify"),
    path("<uuid:uuid>/wallet/", wallet_views.send_to_wallet, name="wallet-send"),
    path(
        "wallet/exchanges/<uuid:uuid>/",
        wallet_views.wallet_exchange,
        name="wallet-exchange",
    ),
    path("<uuid:uuid>.json", views.credential_json, name="json"),
    path("<uuid:uuid>.pdf", views.certificate_pdf, name="pdf"),
    path("<uuid:uuid>/badge.png", views.badge_image, {"fmt": "png"}, name="badge-png"),
    path("<uuid:uuid>/badge.svg", views.badge_image, {"fmt": "svg"}, name="badge-svg"),
    path(
        "<uuid:uuid>/revoke/",
        views.change_status,
        {"action": "revoke"},
        name="revoke",
    ),
    path(
        "<uuid:uuid>/suspend/",
        views.change_status,
        {"action": "suspend"},
        name="suspend",
    ),
    path(
        "<uuid:uuid>/reinstate/",
        views.change_status,
        {"action": "reinstate"},
        name="reinstate",
    ),
    path("<uuid:uuid>/reissue/", views.reissue, name="reissue"),
    path("<uuid:uuid>/renew/", renewal_views.renew, name="renew"),
    path("status/<int:pk>", views.status_list, name="status-list"),
    path("endorsements/<uuid:uuid>.json", views.endorsement_json, name="endorsement"),
    path(
        "issuers/<slug:slug>/endorsements/",
        views.endorsements,
        name="endorsements",
    ),
    path("issuers/<slug:slug>/", views.issuer, name="issuer"),
    path(
        "issuers/<slug:slug>/bulk-awards/",
        bulk_views.bulk_award_list,
        name="bulk-awards",
    ),
    path("bulk-awards/<int:pk>/", bulk_views.bulk_award_detail, name="bulk-award"),
    path(
        "bulk-awards/<int:pk>/start/",
        bulk_views.bulk_award_start,
        name="bulk-award-start",
    ),
    path(
        "bulk-awards/<int:pk>/report.csv",
        bulk_views.bulk_award_report,
        name="bulk-award-report",
    ),
    path("issuers/<slug:slug>/clr.json", views.learner_record, name="clr"),
    path("issuers/<slug:slug>/logo", views.issuer_logo, name="issuer-logo"),
    path("issuers/<slug:slug>/logo/upload/", views.upload_logo, name="upload-logo"),
    path(
        "issuers/<slug:slug>/certificates/",
        designer_views.certificate_gallery,
        name="certificate-gallery",
    ),
    path(
        "issuers/<slug:slug>/certificates/<str:variant>.pdf",
        designer_views.certificate_preview,
        name="certificate-preview",
    ),
    path(
        "issuers/<slug:slug>/certificates/choices/",
        designer_views.template_choices,
        name="certificate-choices",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/",
        designer_views.certificate_template,
        name="certificate-template",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/draft/",
        designer_views.save_draft,
        name="certificate-template-draft",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/signatories/<int:position>/",
        designer_views.save_signatory,
        name="certificate-template-signatory",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/logo/",
        designer_views.save_template_logo,
        name="certificate-template-logo",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/publish/",
        designer_views.publish,
        name="certificate-template-publish",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/default/",
        designer_views.make_default,
        name="certificate-template-default",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/rerender/",
        designer_views.rerender,
        name="certificate-template-rerender",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/preview/",
        designer_views.preview_html,
        name="certificate-template-preview",
    ),
    path(
        "issuers/<slug:slug>/certificates/templates/<int:pk>/preview.pdf",
        designer_views.preview_pdf,
        name="certificate-template-pdf",
    ),
    path(
        "issuers/<slug:slug>/did.json",
        views.organization_did_document,
        name="issuer-did",
    ),
    path("issuers/<slug:slug>/awards/", views.manage_awards, name="manage"),
    path("issuers/<slug:slug>/edit/", views.edit_issuer, name="issuer-edit"),
    path("issuers/<slug:slug>/keys/rotate/", views.rotate_key, name="rotate-key"),
    path(
        "issuers/<slug:slug>/signing/",
        views.change_signing,
        name="signing",
    ),
    path(
        "issuers/<slug:slug>/keys/<int:pk>/compromised/",
        views.compromise_key,
        name="compromise-key",
    ),
]
