"""The public 一码通 page and the figures."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun import throttle
from lucun.errors import page_errors
from lucun.http import secret_page
from lucun.scoping import communities_for, has_role

from .. import roles, selectors, services
from ..forms import ClaimForm
from ..models import ServiceClaim
from .base import _int

# The page needs no password, so its abuse is held back per address (salted hash, as on the feedback pages):
# tokens tried that open nothing, and claims sent (each may carry a photo to decode).
PUBLIC_WINDOW_SECONDS = 600
PUBLIC_LIMITS = {"points-public-miss": 20, "points-public-claim": 10}


def _over(request: HttpRequest, purpose: str, *, count: bool = True) -> bool:
    address, limit = throttle.client_address(request), PUBLIC_LIMITS[purpose]
    if not count:
        return throttle.too_many(purpose=purpose, value=address, limit=limit, window_seconds=PUBLIC_WINDOW_SECONDS)
    return throttle.hit(purpose=purpose, value=address, limit=limit, window_seconds=PUBLIC_WINDOW_SECONDS)


@secret_page(with_csrf_forms=True)  # the address is the key: no cache keeps it, no referrer passes it on
def public(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer's own page, opened by scanning the card: no password, the token is the key."""
    if _over(request, "points-public-miss", count=False):
        return render(request, "points/public_invalid.html", {"limited": True}, status=429)
    volunteer = selectors.volunteer_by_token(token=token)
    if volunteer is None:
        _over(request, "points-public-miss")  # only misses count: guessing codes is what is held back
        return render(request, "points/public_invalid.html", status=404)
    if request.method == "POST" and _over(request, "points-public-claim"):
        return render(request, "points/public_invalid.html", {"limited": True}, status=429)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            services.claim_submit(actor=None, volunteer=volunteer, via=ServiceClaim.Via.SELF, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("申报已提交,村(居)审核通过后积分到账。"))
            return redirect("points:public", token=volunteer.token)
    staff_can_redeem = (
        request.user.is_authenticated
        and communities_for(request.user).filter(pk=volunteer.community_id).exists()
        and has_role(request.user, roles.REDEEM_ROLES, volunteer.community)
    )
    history = selectors.ledger_for(volunteer=volunteer)[:20]
    return render(
        request,
        "points/public.html",
        {
            "volunteer": volunteer,
            "form": form,
            "history": list(history),
            "pending": list(
                volunteer.claims.filter(status__in=[ServiceClaim.Status.PENDING, ServiceClaim.Status.REJECTED])
                .select_related("service_type")
                .order_by("-created_at")[:10]
            ),
            "catalogue": list(selectors.catalogue_for(community=volunteer.community)),
            "window": selectors.redemption_window(community=volunteer.community, day=timezone.localdate()),
            "service_types": list(selectors.service_types()),
            "staff_can_redeem": staff_can_redeem,
        },
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    years = selectors.figure_years(user=request.user)
    year = _int(request.GET.get("year")) or timezone.localdate().year
    if not date.min.year <= year <= date.max.year:
        year = timezone.localdate().year
    data = selectors.figures(user=request.user, year=year)
    return render(
        request,
        "points/figures.html",
        {"figures": data, "years": sorted(set(years) | {year}, reverse=True), "year": year},
    )
