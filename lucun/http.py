"""Response headers for the pages whose address is a secret (a lookup code, a volunteer's 一码通 token), and the
session of a page that refreshes itself."""

import functools
import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers


def referrer_policy(policy: str):
    """Send this Referrer-Policy from the page, instead of the site-wide one (same-origin)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.headers["Referrer-Policy"] = policy
            return response

        return wrapped

    return decorator


# A link or resource the page loads must not carry its address elsewhere, not even to this site's own logs.
no_referrer = referrer_policy("no-referrer")
# The same for a page whose forms are protected by CSRF: under no-referrer a browser sends its form posts with
# "Origin: null", which the CSRF check refuses; strict-origin sends the site's origin alone, never the address.
origin_only_referrer = referrer_policy("strict-origin")


def secret_page(view=None, *, with_csrf_forms: bool = False):
    """Neither kept by a cache (Cache-Control: no-store) nor passed on as a referrer."""

    def decorator(view):
        @(origin_only_referrer if with_csrf_forms else no_referrer)
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator(view) if view is not None else decorator


# When a page that refreshes itself last renewed the session (seconds since the epoch), kept in the session.
SESSION_RENEWED_KEY = "_lucun_renewed"


def session_keep_alive(request) -> None:
    """Keep a person signed in on a page that refreshes itself unattended (an office screen's dashboard).

    The session is written, and its expiry moved on by ``SESSION_COOKIE_AGE``, once half that age has passed since
    it was last renewed: a screen refreshing every minute stays signed in without a session write each minute.
    """
    now = int(time.time())
    if now - request.session.get(SESSION_RENEWED_KEY, 0) >= settings.SESSION_COOKIE_AGE // 2:
        request.session[SESSION_RENEWED_KEY] = now
