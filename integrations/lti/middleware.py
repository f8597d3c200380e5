"""Cairn inside an LMS frame. A session begun by an LTI launch keeps its
cookies SameSite=None; Secure (a third-party frame sends no other kind) and
lets the platform that launched it frame its pages; every other session keeps
the site's defaults (SameSite=Lax, no framing)."""

from django.conf import settings

FRAME_ORIGIN_KEY = "lti_frame_origin"


class LtiFrameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(FRAME_ORIGIN_KEY) if session is not None else None
        if not origin:
            return response
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            if name in response.cookies:
                response.cookies[name]["samesite"] = "None"
                response.cookies[name]["secure"] = True
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]
        policy = response.get("Content-Security-Policy")
        if policy:
            response["Content-Security-Policy"] = policy.replace(
                "frame-ancestors 'none'", f"frame-ancestors 'self' {origin}"
            )
        return response
