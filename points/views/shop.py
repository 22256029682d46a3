"""The points shop: catalogue, the redemption counter and its receipt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import page_errors, require_permission
from lucun.models import Community
from lucun.scoping import communities_for, require_role

from .. import roles, selectors, services
from ..forms import (
    RedeemForm,
    RewardForm,
    TokenLookupForm,
)
from ..models import LedgerEntry
from .base import PAGE_SIZE, _communities_with, _int


@login_required
def reward_list(request: HttpRequest) -> HttpResponse:
    community_id = _int(request.GET.get("community"))
    page = Paginator(selectors.reward_list(user=request.user, community_id=community_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/reward_list.html",
        {
            "page_obj": page,
            "community_id": community_id,
            "communities": list(communities_for(request.user).order_by("sort_order", "name")),
            "can_edit": bool(_communities_with(request.user, roles.CATALOGUE_ROLES)),
        },
    )


def _reward_form(request: HttpRequest, reward=None) -> HttpResponse:
    communities = _communities_with(request.user, roles.CATALOGUE_ROLES)
    require_permission(communities, _("您没有维护积分超市的权限。"))
    queryset = Community.objects.filter(pk__in=[c.pk for c in communities]).order_by("sort_order", "name")
    form = RewardForm(request.POST or None, instance=reward, communities=queryset)
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            services.reward_save(actor=request.user, reward=form.save(commit=False))
        if call.ok:
            messages.success(request, _("已保存兑换商品。"))
            return redirect("points:reward_list")
    return render(request, "points/reward_form.html", {"form": form, "reward": reward})


@login_required
def reward_create(request: HttpRequest) -> HttpResponse:
    return _reward_form(request)


@login_required
def reward_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_get(user=request.user, pk=pk)
    require_role(request.user, roles.CATALOGUE_ROLES, reward.community)
    return _reward_form(request, reward)


@login_required
def redeem_start(request: HttpRequest) -> HttpResponse:
    require_permission(_communities_with(request.user, roles.REDEEM_ROLES), _("您没有办理积分兑换的权限。"))
    form = TokenLookupForm(request.GET or None)
    if request.GET and form.is_valid():
        volunteer = selectors.volunteer_by_token(token=form.cleaned_data["code"])
        if volunteer is not None and volunteer.community in communities_for(request.user):
            return redirect("points:redeem", token=volunteer.token)
        form.add_error("code", _("没有找到这张一码通:可能已作废、已补办新卡,或不属于您负责的村(居)。"))
    recent = selectors.redemption_list(user=request.user)[:10]
    return render(request, "points/redeem_start.html", {"form": form, "recent": recent})


@login_required
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    volunteer = selectors.volunteer_by_token(token=token)
    if volunteer is None or not communities_for(request.user).filter(pk=volunteer.community_id).exists():
        raise Http404
    require_role(request.user, roles.REDEEM_ROLES, volunteer.community)
    rewards = selectors.catalogue_for(community=volunteer.community)
    form = RedeemForm(request.POST or None, rewards=rewards)
    window = selectors.redemption_window(community=volunteer.community, day=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            redemption = services.redemption_create(
                actor=request.user,
                volunteer=volunteer,
                items=form.items(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        if call.ok:
            messages.success(request, _("兑换成功,共 %(n)d 分。") % {"n": redemption.total_points})
            return redirect(redemption)
        volunteer.account.refresh_from_db()
    return render(request, "points/redeem.html", {"volunteer": volunteer, "form": form, "window": window})


@login_required
def redemption_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_get(user=request.user, pk=pk)
    entry = LedgerEntry.objects.filter(redemption=redemption, kind=LedgerEntry.Kind.REDEEM).first()
    return render(request, "points/receipt.html", {"redemption": redemption, "entry": entry})
