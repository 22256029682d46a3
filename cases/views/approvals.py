"""The approvals inbox (待我审批): the extension and return requests waiting for this official, decided in bulk."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.scoping import has_role

from .. import forms, selectors, services
from ..permissions import APPROVE_ROLES

PAGE_SIZE = 25


def _asked(asked: timedelta | None) -> str:
    if asked is None:
        return _("退回")
    if asked % timedelta(days=1):
        return _("延期 %(hours)s 小时") % {"hours": round(asked / timedelta(hours=1), 1)}
    return _("延期 %(days)s 天") % {"days": asked.days}


@login_required
def approvals_inbox(request: HttpRequest) -> HttpResponse:
    """What waits for this person's decision, oldest first; approve or refuse the selected rows with a reason.

    Each selected request goes through its decide service on its own; the page then lists what became of each.
    """
    if not has_role(request.user, APPROVE_ROLES):
        raise PermissionDenied
    results = None
    status = 200
    form = forms.ApprovalsDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            results = services.approvals_decide_many(
                user=request.user,
                items=form.cleaned_data["items"],
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
            form = forms.ApprovalsDecideForm()
        else:
            status = 400
    page = Paginator(selectors.approvals_inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [row | {"asked_label": _asked(row["asked"])} for row in page.object_list]
    return render(
        request,
        "cases/approvals.html",
        {
            "page_obj": page,
            "form": form,
            "results": results,
            "decided": sum(result.ok for result in results or ()),
            "now": timezone.now(),
        },
        status=status,
    )
