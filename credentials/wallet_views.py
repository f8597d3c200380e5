"""Sending an award to the learner's wallet: the page with the deep link and QR
code, and the request URL the wallet answers (credentials/services/wallet.py)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import ratelimit
from credentials import permissions, selectors
from credentials.certificates import qr_svg
from credentials.services import wallet

# A DIDAuth presentation is about 1 KB; anything far larger is not one, and is
# refused before any JSON-LD work.
MAX_PRESENTATION_BYTES = 64 * 1024
# Answers a request URL takes per minute, and a client address per minute. A
# wallet answers once and may retry a few times; a stream of answers is someone
# guessing, and each costs a JSON-LD expansion.
ANSWERS_PER_REQUEST = 10
ANSWERS_PER_ADDRESS = 60

# HTTP status for each refusal of services/wallet.py and credentials/didauth.py.
_STATUS = {
    "unknown-request": 404,
    "expired": 410,
    "already-used": 409,
    "revoked": 409,
    "suspended": 409,
    "not-a-presentation": 400,
    "invalid-holder": 400,
    "unsupported-did-method": 400,
    "unsigned": 400,
    "wrong-purpose": 400,
    "unsupported-proof": 400,
    "invalid-proof": 400,
    "foreign-key": 403,
    "wrong-challenge": 403,
    "wrong-domain": 403,
    "expired-proof": 403,
    "bad-signature": 403,
}


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _too_many(request: HttpRequest, uuid) -> bool:
    # Both are counted, so that a refused address still uses up its window.
    per_request = ratelimit.exceeded(
        request, "wallet-answers", ANSWERS_PER_REQUEST, key=f"request:{uuid}"
    )
    per_address = ratelimit.exceeded(request, "wallet-answers", ANSWERS_PER_ADDRESS)
    return per_request or per_address


@login_required
@require_http_methods(["GET", "POST"])
def send_to_wallet(request: HttpRequest, uuid) -> HttpResponse:
    """The learner's own page for sending one award to their wallet."""
    award = permissions.get_award_for_owner(request.user, uuid)
    if request.method == "POST":
        try:
            wallet.create_wallet_request(award, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if request.htmx:
            return HttpResponseClientRedirect(request.path)
        return redirect("credentials:wallet-send", uuid=award.uuid)
    wallet_request = wallet.open_wallet_request(award)
    link = wallet.wallet_link(wallet_request) if wallet_request else None
    template = "credentials/wallet_send.html"
    if request.htmx:
        template += "#handoff"
    return render(
        request,
        template,
        {
            "award": award,
            "link": link,
            "qr": qr_svg(link.deep_link) if link else "",
            "copies": selectors.wallet_copies(award),
            "minutes": settings.CAIRN_WALLET_REQUEST_MINUTES,
        },
    )


@csrf_exempt  # a wallet app posts here: no session, no cookie, no CSRF token
@require_POST
def wallet_exchange(request: HttpRequest, uuid) -> JsonResponse:
    """The request URL: a wallet posts its DID Authentication presentation and
    gets back the award's copy bound to its DID, as JSON."""
    if _too_many(request, uuid):
        response = _error(
            "too-many-requests", "Too many attempts. Wait a minute and try again.", 429
        )
        response["Retry-After"] = "60"
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_PRESENTATION_BYTES or len(request.body) > MAX_PRESENTATION_BYTES:
        return _error(
            "too-large", "A DID Authentication presentation is far smaller.", 413
        )
    try:
        presentation = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error("not-json", "Send the presentation as a JSON body.", status=400)
    try:
        copy = wallet.accept_wallet_presentation(uuid, presentation)
    except wallet.WalletHandOffError as error:
        return _error(error.code, error.message, _STATUS.get(error.code, 400))
    return JsonResponse(copy.credential, status=201)
