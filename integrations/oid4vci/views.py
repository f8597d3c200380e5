"""OpenID4VCI's doors: the learner's "Add to a wallet app" page, and the JSON
endpoints a wallet calls (integrations/oid4vci/services.py does the work)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import ratelimit
from credentials import permissions, selectors
from credentials.certificates import qr_svg
from integrations.oid4vci import metadata, services

# Calls a client address may make per minute to the token and credential
# endpoints: a wallet makes one or two; each credential costs a signature.
CALLS_PER_ADDRESS = 60
# A credential request with a proof is well under 4 KB.
MAX_REQUEST_BYTES = 64 * 1024


def _json(document: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status)
    # Tokens, nonces and credentials must not be cached (RFC 6749 5.1).
    response["Cache-Control"] = "no-store"
    return response


def _error(error: services.Oid4vciError) -> JsonResponse:
    response = _json(
        {"error": error.error, "error_description": error.description}, error.status
    )
    if error.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return response


def _too_many(request: HttpRequest) -> JsonResponse | None:
    if not ratelimit.exceeded(request, "oid4vci", CALLS_PER_ADDRESS):
        return None
    response = _error(
        services.Oid4vciError(
            "slow_down", "Too many requests. Wait a minute and try again.", 429
        )
    )
    response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def wallet_offer(request: HttpRequest, uuid) -> HttpResponse:
    """The learner's own page offering one award to an OpenID4VCI wallet app."""
    award = permissions.get_award_for_owner(request.user, uuid)
    if request.method == "POST":
        try:
            services.create_offer(
                award, by=request.user, asks_tx_code=bool(request.POST.get("tx_code"))
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if request.htmx:
            return HttpResponseClientRedirect(request.path)
        return redirect("integrations:wallet-offer", uuid=award.uuid)
    offer = services.open_offer(award)
    link = services.offer_link(offer) if offer else None
    template = "integrations/wallet_offer.html"
    if request.htmx:
        template += "#offer"
    return render(
        request,
        template,
        {
            "award": award,
            "link": link,
            "qr": qr_svg(link.deep_link) if link else "",
            "copies": selectors.wallet_copies(award),
            "minutes": settings.CAIRN_OID4VCI_OFFER_MINUTES,
        },
    )


@require_GET
def issuer_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(metadata.issuer_metadata(services.issuer()))


@require_GET
def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(metadata.authorization_server_metadata(services.issuer()))


@require_GET
def credential_offer(request: HttpRequest, uuid, key: str) -> JsonResponse:
    """The offer a credential_offer_uri points to."""
    try:
        return _json(services.offer_document(uuid, key))
    except services.Oid4vciError as error:
        return _error(error)


def not_found(request: HttpRequest) -> JsonResponse:
    return _error(
        services.Oid4vciError("not_found", "There is nothing at this address.", 404)
    )


@csrf_exempt  # a wallet app posts here: no session, no cookie
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    if limited := _too_many(request):
        return limited
    try:
        return _json(services.redeem_code(request.POST))
    except services.Oid4vciError as error:
        return _error(error)


@csrf_exempt
@require_POST
def nonce(request: HttpRequest) -> JsonResponse:
    """A fresh c_nonce (draft 15 section 7); nothing is stored."""
    return _json({"c_nonce": services.new_nonce()})


@csrf_exempt
@require_POST
def credential(request: HttpRequest) -> JsonResponse:
    if limited := _too_many(request):
        return limited
    if len(request.body) > MAX_REQUEST_BYTES:
        return _error(
            services.Oid4vciError(
                "invalid_credential_request", "The request is far too large.", 413
            )
        )
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    try:
        return _json(
            services.issue_credential(request.headers.get("Authorization", ""), body)
        )
    except services.Oid4vciError as error:
        return _error(error)
