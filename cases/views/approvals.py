"""The approvals inbox (待我审批): the extension and return requests waiting for this official, decided in bulk
by the bulk runner (``lucun.bulk``), like the other lists' bulk actions."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import page_errors
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
    """What waits for this person's decision, oldest first; approve or refuse the selected rows, or all of them,
    with a reason.

    The decision is a bulk run (``services.approvals_decide``): each request goes through its decide service on its
    own, a few at once and many in the background; the run's page then lists what became of each.
    """
    if not has_role(request.user, APPROVE_ROLES):
        raise PermissionDenied
    status = 200
    form = forms.ApprovalsDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            with page_errors(request, form) as call:
                run = services.approvals_decide(
                    user=request.user,
                    items=form.cleaned_data["items"],
                    approve=form.cleaned_data["approve"],
                    note=form.cleaned_data["note"],
                    everything=form.cleaned_data["all"],
                )
            if call.ok:
                return redirect(run)
        status = 400
    page = Paginator(selectors.approvals_inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [row | {"asked_label": _asked(row["asked"])} for row in page.object_list]
    return render(
        request,
        "cases/approvals.html",
        {"page_obj": page, "form": form, "now": timezone.now()},
        status=status,
    )
