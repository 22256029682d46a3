"""后备人才库: the list with counts per community, a record's page and its pipeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.scoping import communities_for, get_scoped_or_404
from lucun.services import audit_record
from lucun.text import mask_phone
from visits.models import VisitLog
from visits.permissions import SensitiveCache

from .. import forms, permissions, selectors, services
from ..audit import AuditAction
from ..models import TalentRecord
from .common import page


def _require_keeper(user) -> None:
    require_permission(permissions.can_keep_talent(user), _("您的职务不能查看后备人才库。"))


@login_required
def talent_list(request: HttpRequest) -> HttpResponse:
    _require_keeper(request.user)
    filters = {k: request.GET.get(k, "") for k in ("community", "stage", "kind", "q")}
    records = page(request, selectors.talent_list(user=request.user, filters=filters))
    sees = SensitiveCache(request.user)
    for record in records:
        record.shown_phone = record.phone if sees(record.community) else mask_phone(record.phone)
    counts = selectors.talent_counts(user=request.user)
    return render(
        request,
        "outcomes/talent_list.html",
        {
            "page_obj": records,
            "counts": counts,
            "stages": TalentRecord.Stage.choices,
            "kinds": TalentRecord.Kind.choices,
            "stage_totals": [sum(c["cells"][i] for c in counts) for i in range(len(TalentRecord.Stage.values))],
            "grand_total": sum(c["total"] for c in counts),
            "communities": communities_for(request.user).order_by("sort_order", "name"),
            "filters": filters,
        },
    )


@login_required
def talent_create(request: HttpRequest) -> HttpResponse:
    _require_keeper(request.user)
    visible = communities_for(request.user).order_by("sort_order", "name")
    visit = None
    visit_id = request.POST.get("visit_log") or request.GET.get("visit")
    if visit_id and str(visit_id).isdigit():
        visit = get_scoped_or_404(VisitLog.objects.select_related("household", "community"), request.user, pk=visit_id)
    initial = {"visit_log": visit.pk, "community": visit.community_id} if visit else {}
    form = forms.TalentForm(request.POST or None, initial=initial)
    form.fields["community"].queryset = visible
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("visit_log", None)
        with page_errors(request, form) as call:
            record = services.talent_create(user=request.user, visit_log=visit, **data)
        if call.ok:
            messages.success(request, _("已登记到后备人才库。"))
            return redirect(record.get_absolute_url())
    return render(request, "outcomes/talent_form.html", {"form": form, "visit": visit})


@login_required
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request.user)
    record = selectors.talent_get(user=request.user, pk=pk)
    full = permissions.can_see_talent_phone(request.user, record.community)
    if full and record.phone:
        audit_record(actor=request.user, action=AuditAction.TALENT_PHONE_VIEW, obj=record, community=record.community)
    order = TalentRecord.STAGE_ORDER
    form = forms.TalentAdvanceForm()
    form.fields["stage"].choices = [
        (s.value, s.label) for s in order if order.index(s) > order.index(TalentRecord.Stage(record.stage))
    ]
    return render(
        request,
        "outcomes/talent_detail.html",
        {
            "record": record,
            "phone": record.phone if full else mask_phone(record.phone),
            "steps": selectors.talent_steps(record=record),
            "form": form,
        },
    )


@login_required
@require_POST
def talent_advance(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request.user)
    record = selectors.talent_get(user=request.user, pk=pk)
    form = forms.TalentAdvanceForm(request.POST)
    if form.is_valid():
        with page_errors(request) as call:
            services.talent_advance(user=request.user, record=record, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("进展已更新。"))
    else:
        messages.error(request, _("请选择进展。"))
    return redirect(record.get_absolute_url())
