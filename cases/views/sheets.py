"""The printed case sheets (民情诉求办理单): one case from its page, many from the case list — at once up to
LUCUN_CASE_SHEETS_MAX, in the background (a job with progress and a download, like a large export) beyond."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lucun.errors import DomainError, error_message
from lucun.exports import page_query
from lucun.exports.views import export
from lucun.printing import absolute_url

from .. import selectors, services
from ..exports import SHEETS_KIND, sheet_table, sheets_check, sheets_direct_max


def sheets_pdf_response(request: HttpRequest, cases: list, filename: str) -> HttpResponse:
    """The sheets of ``cases`` as a PDF shown in the browser, the print audited (the API answers the same)."""
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
    return sheets_pdf_response(request, cases, f"case-sheet-{number}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def case_sheets(request: HttpRequest) -> HttpResponse:
    """The case sheets of the ticked cases (?number=…), or of every case the list shows with its filters.

    Up to LUCUN_CASE_SHEETS_MAX the PDF is answered at once; more are offered, then made, as a background job
    whose page follows the progress and offers the file (``lucun.exports.views.export``).
    """
    queryset = sheet_table(user=request.user, query=request.GET).rows
    count = queryset.count()
    try:
        sheets_check(count)
    except DomainError as exc:
        messages.error(request, error_message(exc))
        return redirect(reverse("cases:case_list") + "?" + page_query(request.GET))
    if request.method == "GET" and count <= sheets_direct_max():
        return sheets_pdf_response(request, list(queryset), f"case-sheets-{timezone.localtime():%Y%m%d-%H%M}.pdf")
    return export(request, kind=SHEETS_KIND)
