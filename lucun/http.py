"""Response headers for the pages whose address is a secret (a lookup code, a volunteer's 一码通 token)."""

import functools

from django.utils.cache import add_never_cache_headers


def no_referrer(view):
    """Send no Referer from this page: a link or resource it loads must not carry its address elsewhere.

    The site-wide policy (same-origin) would still pass the address to this site's own pages and logs.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def secret_page(view):
    """Neither kept by a cache (Cache-Control: no-store) nor passed on as a referrer."""

    @no_referrer
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
