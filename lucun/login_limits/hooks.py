"""What django-axes calls (settings AXES_*): whom to count, from where, how to refuse, and the two limits."""

import ipaddress
import unicodedata

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Q, Sum
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from lucun import throttle
from lucun.auth import user_for_login

# The request attribute a sign-in form sets when it has shown the lock-out message itself.
LOCKOUT_SHOWN = "login_lockout_shown"


def normalise_login(text: str) -> str:
    """Return the form a typed name is counted under: NFKC, case-folded, stripped."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())
    return folded.strip()[:255]


def login_name(request, credentials: dict | None = None) -> str:
    """Return the name failures are counted under (AXES_USERNAME_CALLABLE).

    A name that signs in as an account is counted under that account's username, so "Supervisor", "ſupervisor",
    "ｓｕｐｅｒｖｉｓｏｒ" and the account's mobile number share one count; any other name under its normalised text.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    typed = (credentials or getattr(request, "data", request.POST)).get(field)
    typed = typed if isinstance(typed, str) else ""
    # Axes asks several times per request; resolve the name once.
    memo = request.__dict__.setdefault("_login_names", {})
    if typed not in memo:
        user = user_for_login(typed)
        memo[typed] = normalise_login(user.get_username() if user is not None else typed)
    return memo[typed]


def client_address(request) -> str:
    """Return the client's address as the trusted proxy saw it (AXES_CLIENT_IP_CALLABLE).

    The same rule as the public pages' rate limits (LUCUN_TRUSTED_PROXY_COUNT). Anything that is not an address
    falls back to the connecting peer, so a written header can never be stored or open a fresh count.
    """
    for candidate in (throttle.client_address(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return ""


def lockout_message() -> str:
    minutes = max(1, int(get_cool_off().total_seconds() // 60))
    return gettext("登录失败次数过多,请 %(minutes)d 分钟后再试,或联系街道管理员重置密码。") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Answer a locked sign-in (AXES_LOCKOUT_CALLABLE) with 429 and a Chinese message.

    A sign-in page that has shown the message on its form is kept as it is (the form stays on the page); an API
    client gets JSON; anything else a short text.
    """
    status = settings.AXES_HTTP_RESPONSE_CODE
    if original_response is not None and getattr(request, LOCKOUT_SHOWN, False):
        original_response.status_code = status
        return original_response
    message = lockout_message()
    accept = request.headers.get("Accept", "")
    if request.path.startswith("/api/") or "json" in accept or "json" in (request.content_type or ""):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class LoginLimitHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: one per account, a higher one per client address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Return the recent failures, measured against AXES_FAILURE_LIMIT (the account's limit).

        Axes compares one number with one limit. The account's count is that number as it is; the address's count
        is lowered by how much higher its own limit is, so it reaches AXES_FAILURE_LIMIT exactly when the address
        has LUCUN_LOGIN_FAILURES_PER_ADDRESS failures.
        """
        username = get_client_username(request, credentials)
        account = Q(username=username)
        address = Q(ip_address=request.axes_ip_address or None)
        counts = AccessAttempt.objects.filter(
            account | address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            account=Sum("failures_since_start", filter=account),
            address=Sum("failures_since_start", filter=address),
        )
        headroom = settings.LUCUN_LOGIN_FAILURES_PER_ADDRESS - settings.AXES_FAILURE_LIMIT
        return max(counts["account"] or 0, (counts["address"] or 0) - headroom)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget the failures against that account, from any address.

        Failures against other accounts stay, so signing in to one's own account never buys an address a fresh
        quota for guessing others.
        """
        return self.reset_attempts(username=get_client_username(request, credentials))
