"""The printed case sheets (民情诉求办理单): one case from its page, many from the case list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.exports import page_query
from lucun.printing import absolute_url

from .. import forms, selectors, services


def _pdf(request: HttpRequest, cases: list, filename: str) -> HttpResponse:
    content = services.case_sheets_print(
        actor=request.user, cases=cases, address=lambda case: absolute_url(case.get_absolute_url(), request)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def case_sheet(request: HttpRequest, number: str) -> HttpResponse:
    """The case sheet of one case, to print from the case page."""
    cases = list(selectors.case_sheets(user=request.user, numbers=[number]))
    if not cases:
        raise Http404
    return _pdf(request, cases, f"case-sheet-{number}.pdf")


@login_required
def case_sheets(request: HttpRequest) -> HttpResponse:
    """The case sheets of the ticked cases (?number=…), or of every case the list shows with its filters."""
    numbers = [n.strip() for n in request.GET.getlist("number") if n.strip()]
    filters = forms.case_list_filter_form(user=request.user, data=request.GET).filters()
    queryset = selectors.case_sheets(user=request.user, filters=filters, numbers=numbers or None)
    count, limit = queryset.count(), settings.LUCUN_CASE_SHEETS_MAX
    back = reverse("cases:case_list") + "?" + page_query(request.GET)
    if count > limit:
        messages.error(
            request,
            _("一次最多打印 %(limit)d 份办理单,当前筛选出 %(count)d 件。请增加筛选条件(如村居、状态、颜色)后再打印。")
            % {"limit": limit, "count": count},
        )
        return redirect(back)
    if count == 0:
        messages.error(request, _("没有符合条件的诉求可以打印。"))
        return redirect(back)
    return _pdf(request, list(queryset), f"case-sheets-{timezone.localtime():%Y%m%d-%H%M}.pdf")
