from django.urls import path, re_path

from integrations.oid4vci import views

# The learner's page, in the "integrations" namespace.
urlpatterns = [
    path("wallet/<uuid:uuid>/", views.wallet_offer, name="wallet-offer"),
]

# What wallets call, mounted at /oid4vci/ in the "oid4vci" namespace; the
# authorization server's metadata is there too, where wallets that append the
# well-known path to the server's address look for it.
protocol_urlpatterns = [
    path("token", views.token, name="token"),
    path("nonce", views.nonce, name="nonce"),
    path("credential", views.credential, name="credential"),
    path("offers/<uuid:uuid>/<str:key>", views.credential_offer, name="offer"),
    path(
        ".well-known/oauth-authorization-server",
        views.authorization_server_metadata,
        name="authorization-server-appended",
    ),
    # Anything else here answers in JSON too: wallets read every answer from
    # these addresses as JSON, a 404 included (Sphereon's looks for an OpenID
    # Connect configuration here first).
    re_path(r"^.*$", views.not_found),
]

# At the site's root (config/urls.py): the issuer's metadata, and the
# authorization server's where RFC 8414 puts it for the issuer "<site>/oid4vci".
well_known_urlpatterns = [
    path(
        ".well-known/openid-credential-issuer",
        views.issuer_metadata,
        name="oid4vci-issuer-metadata",
    ),
    path(
        ".well-known/oauth-authorization-server/oid4vci",
        views.authorization_server_metadata,
        name="oid4vci-authorization-server",
    ),
]
