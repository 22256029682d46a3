"""Claim entry, the approval queue and bulk claims for an activity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.scoping import communities_for, has_role, require_role
from lucun.selectors import audit_for_object

from .. import roles, selectors, services
from ..forms import (
    BatchForm,
    ClaimForm,
    ReasonForm,
)
from ..models import ServiceClaim, Volunteer
from .base import PAGE_SIZE, _communities_with, _int


@login_required
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    require_role(request.user, roles.MANAGE_ROLES, volunteer.community)
    form = ClaimForm(request.POST or None, request.FILES or None)
    call = None
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form, database_errors=True) as call:
            claim = services.claim_submit(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("已提交申报,%(points)d 分待审核。") % {"points": claim.points})
            return redirect(volunteer)
    return render(
        request,
        "points/claim_form.html",
        {"form": form, "volunteer": volunteer, "service_types": selectors.service_types()},
        status=400 if call and call.database_failed else 200,
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
        with page_errors(request) as call:
            if request.POST.get("action") == "approve":
                claim = services.claim_approve(actor=request.user, claim=claim)
                messages.success(request, _("已审核通过,入账 %(n)d 分。") % {"n": claim.points_awarded})
                return redirect("points:claim_list")
            reject_form = ReasonForm(request.POST, prefix="reject")
            if reject_form.is_valid():
                services.claim_reject(actor=request.user, claim=claim, reason=reject_form.cleaned_data["reason"])
                messages.success(request, _("已驳回该申报。"))
                return redirect("points:claim_list")
        if not call.ok:
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
    require_permission(communities, _("您没有录入活动申报的权限。"))
    chosen_id = _int(request.POST.get("community") or request.GET.get("community")) or communities[0].pk
    community = next((c for c in communities if c.pk == chosen_id), None)
    if community is None:
        raise Http404
    attendees = Volunteer.objects.filter(community=community, active=True).order_by("name", "id")
    form = BatchForm(request.POST or None, volunteers=attendees)
    if request.method == "POST" and form.is_valid():
        with page_errors(request, form) as call:
            batch = services.claim_batch_create(actor=request.user, community=community, **form.cleaned_data)
        if call.ok:
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
