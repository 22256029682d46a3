"""Pages of the points system. Views check shape with forms, read with selectors and write with services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.models import Community
from lucun.scoping import communities_for, has_role
from lucun.selectors import audit_for_object

from . import roles, selectors, services
from .cards import volunteer_card_pdf
from .forms import (
    AdjustForm,
    BatchForm,
    ClaimForm,
    ReasonForm,
    RedeemForm,
    RewardForm,
    TokenLookupForm,
    VolunteerForm,
)
from .models import LedgerEntry, ServiceClaim, ServiceCorps, Volunteer

PAGE_SIZE = 30


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _communities_with(user, allowed) -> list[Community]:
    """Return the visible communities in which the user holds one of ``allowed``."""
    return [c for c in communities_for(user).select_related("street__county") if has_role(user, allowed, c)]


def _require(user, allowed, community: Community) -> None:
    if not has_role(user, allowed, community):
        raise PermissionDenied(_("您没有在%(community)s办理此事的权限。") % {"community": community.name})


# --- volunteers ----------------------------------------------------------------------------------------


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    community_id = _int(request.GET.get("community"))
    corps_id = _int(request.GET.get("corps"))
    active = {"1": True, "0": False, "all": None}.get(request.GET.get("active", "1"), True)
    volunteers = selectors.volunteer_list(
        user=request.user, query=query, community_id=community_id, corps_id=corps_id, active=active
    )
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "points/volunteer_list.html",
        {
            "page_obj": page,
            "query": query,
            "community_id": community_id,
            "corps_id": corps_id,
            "active": request.GET.get("active", "1"),
            "communities": list(communities_for(request.user).order_by("sort_order", "name")),
            "corps_list": list(ServiceCorps.objects.filter(active=True)),
            "can_manage": bool(_communities_with(request.user, roles.MANAGE_ROLES)),
        },
    )


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    communities = _communities_with(request.user, roles.MANAGE_ROLES)
    if not communities:
        raise PermissionDenied(_("您没有登记志愿者的权限。"))
    queryset = Community.objects.filter(pk__in=[c.pk for c in communities]).order_by("sort_order", "name")
    form = VolunteerForm(request.POST or None, communities=queryset)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        volunteer = services.volunteer_create(
            actor=request.user,
            community=data["community"],
            name=data["name"],
            phone=data["phone"],
            corps=data["corps"],
            joined_on=data["joined_on"],
            active=data["active"],
        )
        messages.success(request, _("已登记志愿者 %(name)s,并生成一码通。") % {"name": volunteer.name})
        return redirect(volunteer)
    return render(request, "points/volunteer_form.html", {"form": form, "title": _("登记志愿者")})


@login_required
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    _require(request.user, roles.MANAGE_ROLES, volunteer.community)
    initial = {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "corps": list(volunteer.corps.all()),
        "joined_on": volunteer.joined_on,
        "active": volunteer.active,
    }
    form = VolunteerForm(request.POST or None, initial=initial, fixed_community=True)
    if request.method == "POST" and form.is_valid():
        services.volunteer_update(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect(volunteer)
    return render(
        request,
        "points/volunteer_form.html",
        {"form": form, "title": _("修改志愿者信息"), "volunteer": volunteer},
    )


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    ledger = Paginator(selectors.ledger_for(volunteer=volunteer), 20).get_page(request.GET.get("page"))
    community = volunteer.community
    return render(
        request,
        "points/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "corps": list(volunteer.corps.all()),
            "page_obj": ledger,
            "pending": list(
                volunteer.claims.filter(status=ServiceClaim.Status.PENDING)
                .select_related("service_type")
                .order_by("-created_at")[:20]
            ),
            "can_manage": has_role(request.user, roles.MANAGE_ROLES, community),
            "can_approve": has_role(request.user, roles.APPROVE_ROLES, community),
            "can_redeem": has_role(request.user, roles.REDEEM_ROLES, community),
            "adjust_form": AdjustForm(),
            "reversible": services.REVERSIBLE_KINDS,
            "public_url": request.build_absolute_uri(reverse("points:public", args=[volunteer.token]))
            if volunteer.token
            else "",
            "audit_events": audit_for_object(obj=volunteer, limit=10),
        },
    )


@login_required
@require_POST
def volunteer_token(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    if request.POST.get("action") == "revoke":
        services.volunteer_token_revoke(actor=request.user, volunteer=volunteer)
        messages.success(request, _("一码通已作废,旧卡不能再使用。"))
    else:
        services.volunteer_token_issue(actor=request.user, volunteer=volunteer)
        messages.success(request, _("已重新签发一码通,请打印新卡;旧卡已失效。"))
    return redirect(volunteer)


@login_required
def volunteer_card(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    _require(request.user, roles.MANAGE_ROLES, volunteer.community)
    if not volunteer.token:
        messages.error(request, _("该志愿者的一码通已作废,请先重新签发。"))
        return redirect(volunteer)
    pdf = volunteer_card_pdf(
        volunteer=volunteer,
        url=request.build_absolute_uri(reverse("points:public", args=[volunteer.token])),
        street_name=volunteer.community.street.name,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="volunteer-card-{volunteer.pk}.pdf"'
    return response


@login_required
@require_POST
def volunteer_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写调整积分和原因。"))
        return redirect(volunteer)
    try:
        services.points_adjust(actor=request.user, volunteer=volunteer, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已调整积分。"))
    return redirect(volunteer)


@login_required
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.ledger_entry_get(user=request.user, pk=pk)
    volunteer = entry.account.volunteer
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写冲正原因。"))
        return redirect(volunteer)
    try:
        services.ledger_entry_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已冲正这笔积分。"))
    return redirect(volunteer)


# --- claims ----------------------------------------------------------------------------------------------------


@login_required
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    _require(request.user, roles.MANAGE_ROLES, volunteer.community)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已提交申报,%(points)d 分待审核。") % {"points": claim.points})
            return redirect(volunteer)
    return render(
        request,
        "points/claim_form.html",
        {"form": form, "volunteer": volunteer, "service_types": selectors.service_types()},
    )


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ServiceClaim.Status.PENDING)
    if status not in ServiceClaim.Status.values:
        status = ""
    community_id = _int(request.GET.get("community"))
    claims = selectors.claim_list(user=request.user, status=status or None, community_id=community_id)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "points/claim_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ServiceClaim.Status.choices,
            "community_id": community_id,
            "communities": list(communities_for(request.user).order_by("sort_order", "name")),
            "can_approve": bool(_communities_with(request.user, roles.APPROVE_ROLES)),
            "can_manage": bool(_communities_with(request.user, roles.MANAGE_ROLES)),
        },
    )


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(user=request.user, pk=pk)
    reject_form = ReasonForm(prefix="reject")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                claim = services.claim_approve(actor=request.user, claim=claim)
                messages.success(request, _("已审核通过,入账 %(n)d 分。") % {"n": claim.points_awarded})
                return redirect("points:claim_list")
            reject_form = ReasonForm(request.POST, prefix="reject")
            if reject_form.is_valid():
                services.claim_reject(actor=request.user, claim=claim, reason=reject_form.cleaned_data["reason"])
                messages.success(request, _("已驳回该申报。"))
                return redirect("points:claim_list")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            claim = selectors.claim_get(user=request.user, pk=pk)
    return render(
        request,
        "points/claim_detail.html",
        {
            "claim": claim,
            "reject_form": reject_form,
            "can_approve": has_role(request.user, roles.APPROVE_ROLES, claim.community),
            "audit_events": audit_for_object(obj=claim, limit=10),
        },
    )


@login_required
@require_POST
def claims_approve_selected(request: HttpRequest) -> HttpResponse:
    ids = [i for i in (_int(v) for v in request.POST.getlist("claim")) if i]
    if not ids:
        messages.error(request, _("请先勾选要审核通过的申报。"))
        return redirect("points:claim_list")
    result = services.claims_approve_many(
        actor=request.user, claims=selectors.claims_by_ids(user=request.user, ids=ids)
    )
    if result.approved:
        messages.success(request, _("已审核通过 %(n)d 条申报。") % {"n": len(result.approved)})
    for claim, reason in result.failed:
        messages.error(request, f"{claim.volunteer.name}:{reason}")
    next_url = request.POST.get("next")
    if next_url and next_url.startswith("/points/"):
        return redirect(next_url)
    return redirect("points:claim_list")


@login_required
def batch_create(request: HttpRequest) -> HttpResponse:
    communities = _communities_with(request.user, roles.MANAGE_ROLES)
    if not communities:
        raise PermissionDenied(_("您没有录入活动申报的权限。"))
    chosen_id = _int(request.POST.get("community") or request.GET.get("community")) or communities[0].pk
    community = next((c for c in communities if c.pk == chosen_id), None)
    if community is None:
        raise Http404
    attendees = Volunteer.objects.filter(community=community, active=True).order_by("name", "id")
    form = BatchForm(request.POST or None, volunteers=attendees)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.claim_batch_create(actor=request.user, community=community, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("已为 %(n)d 名志愿者生成申报,待审核。") % {"n": len(form.cleaned_data["volunteers"])}
            )
            return redirect("points:batch_detail", pk=batch.pk)
    return render(request, "points/batch_form.html", {"form": form, "community": community, "communities": communities})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    claims = batch.claims.select_related("volunteer").order_by("volunteer__name")
    return render(
        request,
        "points/batch_detail.html",
        {
            "batch": batch,
            "claims": claims,
            "pending_ids": [c.pk for c in claims if c.status == ServiceClaim.Status.PENDING],
            "can_approve": has_role(request.user, roles.APPROVE_ROLES, batch.community),
        },
    )


# --- rewards ----------------------------------------------------------------------------------------------------


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
    if not communities:
        raise PermissionDenied(_("您没有维护积分超市的权限。"))
    queryset = Community.objects.filter(pk__in=[c.pk for c in communities]).order_by("sort_order", "name")
    form = RewardForm(request.POST or None, instance=reward, communities=queryset)
    if request.method == "POST" and form.is_valid():
        services.reward_save(actor=request.user, reward=form.save(commit=False))
        messages.success(request, _("已保存兑换商品。"))
        return redirect("points:reward_list")
    return render(request, "points/reward_form.html", {"form": form, "reward": reward})


@login_required
def reward_create(request: HttpRequest) -> HttpResponse:
    return _reward_form(request)


@login_required
def reward_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_get(user=request.user, pk=pk)
    _require(request.user, roles.CATALOGUE_ROLES, reward.community)
    return _reward_form(request, reward)


# --- the counter ---------------------------------------------------------------------------------------------------


@login_required
def redeem_start(request: HttpRequest) -> HttpResponse:
    if not _communities_with(request.user, roles.REDEEM_ROLES):
        raise PermissionDenied(_("您没有办理积分兑换的权限。"))
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
    _require(request.user, roles.REDEEM_ROLES, volunteer.community)
    rewards = selectors.catalogue_for(community=volunteer.community)
    form = RedeemForm(request.POST or None, rewards=rewards)
    window = selectors.redemption_window(community=volunteer.community, day=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.redemption_create(
                actor=request.user,
                volunteer=volunteer,
                items=form.items(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("兑换成功,共 %(n)d 分。") % {"n": redemption.total_points})
            return redirect(redemption)
        volunteer.account.refresh_from_db()
    return render(request, "points/redeem.html", {"volunteer": volunteer, "form": form, "window": window})


@login_required
def redemption_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_get(user=request.user, pk=pk)
    entry = LedgerEntry.objects.filter(redemption=redemption, kind=LedgerEntry.Kind.REDEEM).first()
    return render(request, "points/receipt.html", {"redemption": redemption, "entry": entry})


# --- the public 一码通 page ----------------------------------------------------------------------------------------


def public(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer's own page, opened by scanning the card: no password, the token is the key."""
    volunteer = selectors.volunteer_by_token(token=token)
    if volunteer is None:
        return render(request, "points/public_invalid.html", status=404)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_submit(actor=None, volunteer=volunteer, via=ServiceClaim.Via.SELF, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
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


# --- figures ---------------------------------------------------------------------------------------------------------


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
