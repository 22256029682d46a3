"""Volunteer pages: list, register, edit, detail with ledger, 一码通 card, corrections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.models import Community
from lucun.scoping import communities_for, has_role, require_role
from lucun.selectors import audit_for_object

from .. import roles, selectors, services
from ..cards import volunteer_card_pdf
from ..forms import (
    AdjustForm,
    ReasonForm,
    VolunteerForm,
)
from ..models import ServiceClaim, ServiceCorps
from .base import PAGE_SIZE, _communities_with, _int


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
            "corps_list": list(ServiceCorps.objects.active()),
            "can_manage": bool(_communities_with(request.user, roles.MANAGE_ROLES)),
        },
    )


def _fixed_community(request: HttpRequest, communities: list[Community]) -> Community | None:
    """Return the community a new volunteer is registered in when it is settled: the only one, or ``?community=``."""
    if len(communities) == 1:
        return communities[0]
    wanted = _int(request.GET.get("community"))
    return next((c for c in communities if c.pk == wanted), None)


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    communities = _communities_with(request.user, roles.MANAGE_ROLES)
    require_permission(communities, _("您没有登记志愿者的权限。"))
    fixed = _fixed_community(request, communities)
    # The household picker needs the community first: it lists that community's members only.
    members = None
    if fixed is not None and roles.can_link_member(request.user, fixed):
        members = selectors.member_choices(community=fixed)
    pick_community = [c for c in communities if roles.can_link_member(request.user, c)] if fixed is None else []
    ids = [fixed.pk] if fixed is not None else [c.pk for c in communities]
    queryset = Community.objects.filter(pk__in=ids).order_by("sort_order", "name")
    form = VolunteerForm(request.POST or None, communities=queryset, members=members)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            with page_errors(request, form, database_errors=True) as call:
                volunteer = services.volunteer_create(
                    actor=request.user,
                    community=data["community"],
                    name=data["name"],
                    phone=data["phone"],
                    corps=data["corps"],
                    joined_on=data["joined_on"],
                    active=data["active"],
                    member=data.get("member"),
                )
            # A failed write rolled the service's transaction back: no volunteer without an account.
            if call.ok:
                messages.success(request, _("已登记志愿者 %(name)s,并生成一码通。") % {"name": volunteer.name})
                return redirect(volunteer)
    return render(
        request,
        "points/volunteer_form.html",
        {"form": form, "title": _("登记志愿者"), "pick_community": pick_community},
        status=status,
    )


@login_required
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    require_role(request.user, roles.MANAGE_ROLES, volunteer.community)
    can_link = roles.can_link_member(request.user, volunteer.community)
    initial = {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "corps": list(volunteer.corps.all()),
        "joined_on": volunteer.joined_on,
        "active": volunteer.active,
        "member": volunteer.member_id,
    }
    form = VolunteerForm(
        request.POST or None,
        initial=initial,
        fixed_community=True,
        members=selectors.member_choices(community=volunteer.community, volunteer=volunteer) if can_link else None,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            with page_errors(request, form) as call:
                services.volunteer_update(
                    actor=request.user,
                    volunteer=volunteer,
                    name=data["name"],
                    phone=data["phone"],
                    corps=data["corps"],
                    joined_on=data["joined_on"],
                    active=data["active"],
                    member=data["member"] if can_link else volunteer.member,
                )
            if call.ok:
                messages.success(request, _("已保存。"))
                return redirect(volunteer)
    return render(
        request,
        "points/volunteer_form.html",
        {"form": form, "title": _("修改志愿者信息"), "volunteer": volunteer, "can_link": can_link},
        status=status,
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
            "household": volunteer.member.household if volunteer.member else None,
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
    require_role(request.user, roles.MANAGE_ROLES, volunteer.community)
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
    with page_errors(request) as call:
        services.points_adjust(actor=request.user, volunteer=volunteer, **form.cleaned_data)
    if call.ok:
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
    with page_errors(request) as call:
        services.ledger_entry_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    if call.ok:
        messages.success(request, _("已冲正这笔积分。"))
    return redirect(volunteer)
