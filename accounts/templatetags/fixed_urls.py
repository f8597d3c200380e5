"""{% fixed_url "name" %}: the URL of a route that takes no arguments,
reversed once per URL configuration, script prefix and language instead of on
every render. The base template's navigation has a dozen such links on every
page, and reversing one costs more than the rest of its tag.

Kept on the resolver Django caches for the URL configuration, so that
clear_url_caches() (a test overriding ROOT_URLCONF) starts afresh."""

from weakref import WeakKeyDictionary

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_reversed: WeakKeyDictionary = WeakKeyDictionary()


@register.simple_tag
def fixed_url(name: str) -> str:
    urlconf = get_urlconf()
    known = _reversed.setdefault(get_resolver(urlconf), {})
    key = (get_script_prefix(), get_language(), name)
    url = known.get(key)
    if url is None:
        url = known[key] = reverse(name, urlconf=urlconf)
    return url
