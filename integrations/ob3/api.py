"""The 1EdTech Open Badges 3.0 API under /ims/ob/v3p0/: getCredentials,
upsertCredential, getProfile and putProfile for the person who allowed the
host; the service description document; dynamic client registration.

Every refusal is an Imsx_StatusInfo (OB 3.0 §6.2), and these views are not
part of Cairn's own OpenAPI schema: their description is the discovery
document."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from oauth2_provider.models import AccessToken
from rest_framework import exceptions, parsers, renderers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit
from assessments import badgeformats
from integrations.oauth.authentication import OAuthAuthentication
from integrations.ob3 import documents, scopes, services
from integrations.ob3.selectors import learner_credentials

logger = logging.getLogger(__name__)

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
REGISTRATIONS_PER_MINUTE = 20


def _status(status: int, description: str, *, minor: str = "", **headers) -> Response:
    response = Response(documents.status_info(status, description, minor=minor), status)
    for name, value in headers.items():
        response[name] = value
    return response


class BadQuery(exceptions.ParseError):
    """A query parameter the API does not understand."""


def ob3_exception_handler(exc, context) -> Response:
    """Every refusal and failure as an Imsx_StatusInfo."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception("The Open Badges 3.0 API failed", exc_info=exc)
        return _status(500, "Something failed in Cairn; try again later.")
    detail = " ".join(_messages(exc.detail))
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return _status(
        exc.status_code,
        detail,
        minor="invalid_query_parameter" if isinstance(exc, BadQuery) else "",
        **headers,
    )


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


class _JsonParser(parsers.JSONParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("The JSON is nested too deeply.") from error


class _LdJsonParser(_JsonParser):
    media_type = "application/ld+json"


class _VcJsonParser(_JsonParser):
    media_type = "application/vc+ld+json"


class _TextParser(parsers.BaseParser):
    """A credential as a compact JWS (VC-JWT), sent as text/plain."""

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return stream.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.ParseError("The body is not UTF-8 text.") from error


@extend_schema(exclude=True)
class Ob3View(APIView):
    """For the person who allowed the host: only an OAuth access token of the
    authorization code grant, with the operation's scope (`token_scopes`)."""

    authentication_classes = [OAuthAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer]
    parser_classes = [_JsonParser, _LdJsonParser, _VcJsonParser]

    def get_exception_handler(self):
        return ob3_exception_handler

    def initial(self, request: Request, *args, **kwargs) -> None:
        # A method the operation does not have is 405 before anything else,
        # as the specification's responses list it.
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        token = request.auth
        if not isinstance(token, AccessToken) or token.user_id is None:
            raise exceptions.PermissionDenied(
                "This API acts for a person: use a token they allowed (the "
                "authorization code grant), not a client's own."
            )


class Credentials(Ob3View):
    token_scopes = {"GET": scopes.CREDENTIAL_READONLY, "POST": scopes.CREDENTIAL_UPSERT}
    parser_classes = [*Ob3View.parser_classes, _TextParser]

    def get(self, request: Request) -> Response:
        """getCredentials: a page of the person's credentials."""
        limit = _integer(request, "limit", DEFAULT_LIMIT, minimum=1)
        limit = min(limit, MAX_LIMIT)
        offset = _integer(request, "offset", 0, minimum=0)
        since = _since(request)
        page = learner_credentials(
            request.user, limit=limit, offset=offset, since=since
        )
        body = {}
        if page.credentials:
            body["credential"] = page.credentials
        if page.compact_jws:
            body["compactJwsString"] = page.compact_jws
        response = Response(body)
        response["X-Total-Count"] = str(page.total)
        response["Link"] = documents.page_links(
            request.build_absolute_uri(request.path),
            limit=limit,
            offset=offset,
            total=page.total,
            since=request.query_params.get("since", ""),
        )
        return response

    def post(self, request: Request):
        """upsertCredential: store a credential for the person (201), or
        replace the one of the same issuer and id (200)."""
        body, jwt = request.data, ""
        if isinstance(body, str):
            try:
                opened = badgeformats.open_text(body)
            except badgeformats.UnreadableFile as error:
                raise exceptions.ParseError(str(error)) from error
            if not opened.jwt:
                raise exceptions.ParseError("A text/plain body must be a compact JWS.")
            body, jwt = opened.document, opened.jwt
        try:
            _, created = services.upsert_credential(
                request.user, body, jwt=jwt, application=request.auth.application
            )
        except ValidationError as error:
            raise exceptions.ParseError(" ".join(error.messages)) from error
        status = 201 if created else 200
        if jwt:
            return HttpResponse(jwt, content_type="text/plain", status=status)
        return Response(body, status=status)


class Profile(Ob3View):
    token_scopes = {"GET": scopes.PROFILE_READONLY, "PUT": scopes.PROFILE_UPDATE}

    def get(self, request: Request) -> Response:
        """getProfile: the person, as a Profile."""
        return Response(_profile_of(request.user))

    def put(self, request: Request) -> Response:
        """putProfile: change the person's name."""
        try:
            user = services.update_profile(request.user, request.data)
        except ValidationError as error:
            raise exceptions.ParseError(" ".join(error.messages)) from error
        return Response(_profile_of(user))


def _profile_of(user) -> dict:
    return documents.profile(
        identifier=documents.profile_id(settings.SITE_URL, user.pk),
        given_name=user.first_name,
        family_name=user.last_name,
        name=user.get_full_name() or user.username,
        email=user.email,
    )


def _integer(request: Request, name: str, default: int, *, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum or len(raw) > 9:
        raise BadQuery(f"{name} must be a whole number of at least {minimum}.")
    return int(raw)


def _since(request: Request):
    raw = request.query_params.get("since")
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise BadQuery("since must be a date and time, as 2026-01-31T09:00:00Z.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.UTC)
    return moment


# Open to anyone: the service description and registration.


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """getServiceDescription: how a host connects (OB 3.0 §6.3)."""
    privacy = settings.CAIRN_OB3_PRIVACY_POLICY_URL or _site(
        reverse("integrations:connected-apps-about")
    )
    document = documents.service_description(
        site_url=settings.SITE_URL,
        name="Cairn",
        privacy_policy_url=privacy,
        terms_of_service_url=settings.CAIRN_OB3_TERMS_OF_SERVICE_URL or privacy,
        authorization_url=_site(reverse("oauth2_provider:authorize")),
        token_url=_site(reverse("oauth2_provider:token")),
        registration_url=_site(reverse("ob3-register")),
        scope_descriptions=scopes.descriptions(),
    )
    return JsonResponse(document)


@csrf_exempt
def register(request: HttpRequest) -> JsonResponse:
    """OAuth 2.0 dynamic client registration (RFC 7591) for hosts."""
    if request.method != "POST":
        response = JsonResponse(
            {"error": "invalid_request", "error_description": "Use POST."},
            status=405,
        )
        response["Allow"] = "POST"
        return response
    if ratelimit.exceeded(request, "ob3-register", REGISTRATIONS_PER_MINUTE):
        response = JsonResponse(
            {
                "error": "invalid_request",
                "error_description": "Too many registrations from this address; "
                "try again in a minute.",
            },
            status=429,
        )
        response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
        return response
    try:
        metadata = badgeformats.parse_json(request.body.decode("utf-8"))
        _, answer = services.register_host(metadata)
    except (UnicodeDecodeError, badgeformats.UnreadableFile):
        return _registration_error(
            "invalid_client_metadata", "The body must be a JSON object."
        )
    except services.RegistrationError as error:
        return _registration_error(error.error, error.description)
    response = JsonResponse(answer, status=201)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _registration_error(error: str, description: str) -> JsonResponse:
    response = JsonResponse(
        {"error": error, "error_description": description}, status=400
    )
    response["Cache-Control"] = "no-store"
    return response


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything else under /ims/ob/v3p0/: 404, in the API's error shape."""
    return JsonResponse(
        documents.status_info(404, "There is no such operation in this API."),
        status=404,
    )
