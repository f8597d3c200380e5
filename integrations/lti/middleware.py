"""Cairn inside an LMS frame. A session begun by an LTI launch keeps its
cookies SameSite=None; Secure; Partitioned (a cross-site frame under
Chromium's third-party-cookie rules keeps only partitioned cookies, CHIPS)
and lets the platform that launched it frame its pages. The protocol pages
a platform frames before there is a session (the storage page, a refusal)
name the platform's origins on the request (`allow_framing`). Every other
response keeps the site's defaults (SameSite=Lax, no framing)."""

import re
from http.cookies import Morsel
from urllib.parse import urlsplit

from django.conf import settings

FRAME_ORIGIN_KEY = "lti_frame_origins"
_FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


class _PartitionedMorsel(Morsel):
    # http.cookies knows the Partitioned attribute only from Python 3.14.
    def OutputString(self, attrs=None):
        return super().OutputString(attrs) + "; Partitioned"


def origins(*urls: str) -> list[str]:
    """The distinct origins of some URLs (blank and non-web ones left out)."""
    found = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in found:
                found.append(origin)
    return found


def allow_framing(request, *urls: str) -> None:
    """Let the origins of `urls` frame this response (and no others)."""
    request.lti_frame_origins = origins(*urls)


def _partitioned(morsel: Morsel) -> Morsel:
    cookie = _PartitionedMorsel()
    cookie.set(morsel.key, morsel.value, morsel.coded_value)
    cookie.update(dict(morsel.items()))
    cookie["samesite"] = "None"
    cookie["secure"] = True
    return cookie


class LtiFrameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        launched = session.get(FRAME_ORIGIN_KEY) if session is not None else None
        if launched:
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    partitioned = _partitioned(response.cookies[name])
                    dict.__setitem__(response.cookies, name, partitioned)
        framing = getattr(request, "lti_frame_origins", None) or launched
        if not framing:
            return response
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]
        policy = response.get("Content-Security-Policy")
        if policy:
            ancestors = " ".join(["frame-ancestors 'self'", *framing])
            response["Content-Security-Policy"] = _FRAME_ANCESTORS.sub(
                ancestors, policy
            )
        return response
