"""{% fixed_url "name" %}: the URL of a route that takes no arguments,
reversed once per URL configuration, script prefix and language instead of on
every render. The base template's navigation has a dozen such links on every
page, and reversing one costs more than the rest of its tag.

{% fixed_url "name" arg %}: the same for a route taking one integer or UUID
(a row's link in a list page, as the grading queue's "Grade" or the award
list's achievement on each of 25 rows): it is reversed once with a marker of
that kind, and the row's value, as its converter writes it (str), takes the
marker's place.

Kept on the resolver Django caches for the URL configuration, so that
clear_url_caches() (a test overriding ROOT_URLCONF) starts afresh."""

from uuid import UUID
from weakref import WeakKeyDictionary

from django import template
from django.urls import (
    NoReverseMatch,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    reverse,
)
from django.utils.translation import get_language

register = template.Library()

_reversed: WeakKeyDictionary = WeakKeyDictionary()


# Values no route's own text holds; reversed in their place, they mark where
# a row's integer or UUID goes.
_MARKERS = (9_081_726_354, UUID("5f0c6a52-8d3e-4b8a-9c1e-2a7b3d4e5f60"))


def _split(name: str, urlconf) -> tuple[str, str] | None:
    for marker in _MARKERS:
        try:
            url = reverse(name, args=[marker], urlconf=urlconf)
        except NoReverseMatch:
            continue
        parts = url.split(str(marker))
        if len(parts) == 2:
            return parts[0], parts[1]
    return None


@register.simple_tag
def fixed_url(name: str, arg=None) -> str:
    urlconf = get_urlconf()
    if arg is not None and not isinstance(arg, int | UUID):
        return reverse(name, args=[arg], urlconf=urlconf)  # quoted as it needs
    known = _reversed.setdefault(get_resolver(urlconf), {})
    key = (get_script_prefix(), get_language(), name, arg is None)
    url = known.get(key)
    if url is None:
        url = reverse(name, urlconf=urlconf) if arg is None else _split(name, urlconf)
        if url is None:  # neither an integer nor a UUID, in one place
            return reverse(name, args=[arg], urlconf=urlconf)
        known[key] = url
    if arg is None:
        return url
    return f"{url[0]}{arg}{url[1]}"
