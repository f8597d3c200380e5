"""{% fixed_url "name" %}: the URL of a route that takes no arguments,
reversed once per URL configuration, script prefix and language instead of on
every render. The base template's navigation has a dozen such links on every
page, and reversing one costs more than the rest of its tag.

{% fixed_url "name" pk %}: the same for a route taking one integer (a row's
link in a list page, as the grading queue's "Grade" on each of 25 rows): it is
reversed once with a marker number, and the row's number takes the marker's
place.

Kept on the resolver Django caches for the URL configuration, so that
clear_url_caches() (a test overriding ROOT_URLCONF) starts afresh."""

from weakref import WeakKeyDictionary

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_reversed: WeakKeyDictionary = WeakKeyDictionary()


# A number no route's own text holds; reversed in its place, it marks where a
# row's integer goes.
_MARKER = 9_081_726_354


@register.simple_tag
def fixed_url(name: str, pk: int | None = None) -> str:
    urlconf = get_urlconf()
    known = _reversed.setdefault(get_resolver(urlconf), {})
    key = (get_script_prefix(), get_language(), name, pk is None)
    url = known.get(key)
    if url is None:
        if pk is None:
            url = reverse(name, urlconf=urlconf)
        else:
            url = tuple(
                reverse(name, args=[_MARKER], urlconf=urlconf).split(str(_MARKER))
            )
            if len(url) != 2:  # not one integer in one place: reverse each time
                return reverse(name, args=[pk], urlconf=urlconf)
        known[key] = url
    if pk is None:
        return url
    return f"{url[0]}{int(pk)}{url[1]}"
