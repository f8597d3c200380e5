"""Input no page or endpoint can use is refused at the door, before any view.

- A NUL character (U+0000) in a query, a form field or a JSON body: no text
  column in PostgreSQL can hold one, so it would reach the database as a server
  error, and no person types one.
- JSON nested deeper than MAX_JSON_DEPTH: Python's parser and every reader
  after it recurse once a level, so 100,000 nested lists exhaust the stack.

Uploaded files are read by the code that understands them (CSV, CASE,
credentials), which refuses the same things with the place they occur."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

# No request Cairn reads nests deeper (a CASE package is ~6 levels, a
# credential ~12); every reader after the door recurses well within this.
MAX_JSON_DEPTH = 100

NUL_MESSAGE = (
    "The request holds a NUL character (\\u0000), which no text in Cairn can "
    "hold; nothing was changed. Remove it and send again."
)
DEEP_MESSAGE = (
    f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep, which nothing "
    "Cairn reads is; nothing was changed."
)


class Refused(Exception):
    pass


def _check_params(params) -> None:
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise Refused(NUL_MESSAGE)


def check_json(data: Any) -> None:
    """Refuse a parsed JSON value nested too deeply or holding a NUL character.
    Iterative, so that no depth can exhaust Python's stack."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise Refused(NUL_MESSAGE)
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise Refused(DEEP_MESSAGE)
            if isinstance(value, dict):
                for key, child in value.items():
                    if "\x00" in key:
                        raise Refused(NUL_MESSAGE)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in value)


def _check_json_body(body: bytes) -> None:
    if b"\x00" in body:
        raise Refused(NUL_MESSAGE)
    try:
        data = json.loads(body)
    except RecursionError as error:
        raise Refused(DEEP_MESSAGE) from error
    except ValueError:
        return  # not JSON: the view's parser says so in its own words
    check_json(data)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _refusal(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/") or _is_json(request.content_type or ""):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class HostileInputMiddleware:
    """Answer 400 with a clear message for a NUL character in the query, form
    or JSON body, or JSON nested beyond reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check_params(request.GET)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                if _is_json(request.content_type or ""):
                    _check_json_body(request.body)
                elif request.content_type in (
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                ):
                    _check_params(request.POST)
        except Refused as refused:
            return _refusal(request, str(refused))
        return self.get_response(request)
