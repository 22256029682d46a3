"""Addresses for pages that link many rows: ``reverse`` once, then fill in each row's value.

A list of fifty cases would otherwise resolve the same route fifty times. The route is reversed once with a
marker in place of the one argument that varies, under the script prefix, URLconf and language in force, and
each row's value is quoted as ``reverse`` quotes it.
"""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

_MARKER = "0-lucun-slot-0"


@functools.lru_cache(maxsize=256)
def _halves(viewname: str, kwarg: str, prefix: str, urlconf: str, language: str) -> tuple[str, str]:
    head, _marker, tail = reverse(viewname, kwargs={kwarg: _MARKER}).partition(_MARKER)
    return head, tail


def url_with(viewname: str, kwarg: str, value: str) -> str:
    """``reverse(viewname, kwargs={kwarg: value})`` for a route whose ``kwarg`` is a ``str`` path argument."""
    value = str(value)
    if not value or "/" in value:  # not what <str:…> matches: reverse() says so
        return reverse(viewname, kwargs={kwarg: value})
    head, tail = _halves(viewname, kwarg, get_script_prefix(), repr(get_urlconf()), get_language() or "")
    return f"{head}{quote(value, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"
