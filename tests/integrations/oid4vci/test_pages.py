"""The learner's "Add to a wallet app" page: only the award's learner sees and
makes offers; the offer shows as a QR code, a deep link and a code to type."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from credentials import services as credential_services
from credentials.services import wallet
from integrations.models import CredentialOffer
from integrations.oid4vci import services
from tests.integrations.oid4vci.conftest import WalletKey

_DEEP_LINK = re.compile(r'href="(openid-credential-offer://\?[^"]+)"')


def page_url(award) -> str:
    return reverse("integrations:wallet-offer", args=[award.uuid])


def test_the_award_page_links_to_it_for_its_learner_only(client, cast, issued):
    client.force_login(cast["learner"])
    assert page_url(issued) in client.get(issued.get_absolute_url()).text
    assert page_url(issued) in client.get(reverse("credentials:mine")).text
    client.force_login(cast["other_learner"])
    assert page_url(issued) not in client.get(issued.get_absolute_url()).text


def test_the_learner_makes_an_offer_and_sees_it(client, cast, issued):
    client.force_login(cast["learner"])
    page = client.get(page_url(issued))
    assert "No offer is open yet" in page.text
    assert "Not sent to any wallet yet" in page.text

    response = client.post(page_url(issued), {"tx_code": "1"})

    assert response.status_code == 302
    page = client.get(page_url(issued)).text
    offer = CredentialOffer.objects.get()
    link = html.unescape(_DEEP_LINK.search(page)[1])
    [offer_uri] = parse_qs(urlsplit(link).query)["credential_offer_uri"]
    assert offer_uri == services.offer_link(offer).offer_uri
    assert "<svg" in page  # the QR code
    assert services.tx_code(offer) in page
    assert services.tx_code(offer) not in link
    assert services.pre_authorized_code(offer) not in page
    assert 'hx-trigger="every 5s"' in page
    entry = AuditEntry.objects.get(action="award.wallet_offer_created")
    assert entry.data["transaction_code"] is True
    assert offer.expires_at - offer.created_at == services.offer_lifetime()


def test_an_offer_may_skip_the_code(client, cast, issued):
    client.force_login(cast["learner"])
    client.post(page_url(issued), {})
    offer = CredentialOffer.objects.get()
    assert not offer.asks_tx_code
    assert "Code to type" not in client.get(page_url(issued)).text


def test_the_open_offer_refreshes_in_place(client, cast, issued):
    client.force_login(cast["learner"])
    client.post(page_url(issued), {"tx_code": "1"})
    fragment = client.get(page_url(issued), HTTP_HX_REQUEST="true")
    assert fragment.text.lstrip().startswith('<section id="offer"')
    assert "<html" not in fragment.text


@pytest.mark.parametrize("role", ["other_learner", "admin", "faculty"])
def test_only_the_learner_opens_the_page(client, cast, issued, role):
    client.force_login(cast[role])
    assert client.get(page_url(issued)).status_code == 404
    assert client.post(page_url(issued), {"tx_code": "1"}).status_code == 404
    assert not CredentialOffer.objects.exists()


def test_strangers_are_sent_to_log_in(client, issued):
    response = client.get(page_url(issued))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_revoked_award_is_not_offered(client, cast, issued):
    credential_services.revoke_award(issued, by=cast["admin"], reason="Wrong learner.")
    client.force_login(cast["learner"])
    response = client.post(page_url(issued), {"tx_code": "1"}, follow=True)
    assert "has been revoked" in response.text
    assert not CredentialOffer.objects.exists()
    assert "openid-credential-offer://" not in response.text


def test_the_page_does_not_grow_with_the_wallets_it_was_sent_to(
    client, cast, issued, django_assert_max_num_queries
):
    for seed in range(1, 4):
        wallet.send_to_proven_holder(
            issued, holder_did=WalletKey(seed=seed).did, via="openid4vci"
        )
    client.force_login(cast["learner"])
    client.post(page_url(issued), {"tx_code": "1"})
    with django_assert_max_num_queries(12):
        page = client.get(page_url(issued))
    assert page.text.count("did:key:") == 3
