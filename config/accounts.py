"""Logging in, with guessing slowed down: attempts are limited per client
address and per username each minute (curriculum/ratelimit.py), so neither one
address trying many names nor many addresses trying one name gets far."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from curriculum import ratelimit


class LoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limit = settings.CAIRN_LOGINS_PER_MINUTE
        username = request.POST.get("username", "").strip().lower()[:150]
        # Both are counted, so that a refused attempt still uses up the windows.
        by_address = ratelimit.exceeded(request, "login", limit)
        by_name = bool(username) and ratelimit.exceeded(
            request, "login-name", limit, key=username
        )
        if by_address or by_name:
            response = self.render_to_response(
                self.get_context_data(
                    form=self.get_form_class()(request), throttled=True
                ),
                status=429,
            )
            response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)
