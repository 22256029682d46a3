"""The upload page of 12345 work orders: choose the file, preview what each row would become, then import."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lucun.errors import page_errors
from lucun.models import Street

from .. import selectors, services
from ..models import HotlineField, HotlineOrder
from ..services.hotline import hotline_columns
from .forms import HotlineImportForm
from .reading import MAX_ROWS, read_orders


def _streets(request: HttpRequest) -> QuerySet[Street]:
    streets = selectors.hotline_streets(user=request.user)
    if not streets:
        raise PermissionDenied
    return Street.objects.filter(pk__in=[s.pk for s in streets]).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    """GET: the form and the columns read. POST: the row-by-row report (a preview keeps nothing)."""
    streets = _streets(request)
    form = HotlineImportForm(request.POST or None, request.FILES or None, streets=streets)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_orders(content=upload.read(), filename=upload.name, columns=hotline_columns())
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                with page_errors(request, form) as call:
                    report = services.hotline_orders_import(
                        street=form.cleaned_data["street"],
                        rows=rows,
                        user=request.user,
                        via=HotlineOrder.Via.UPLOAD,
                        dry_run=form.cleaned_data["preview"],
                    )
                if call.ok:
                    status = 200
    return render(
        request,
        "cases/hotline_import.html",
        {
            "form": form,
            "report": report,
            "columns": hotline_columns(),
            "fields": HotlineField,
            "max_rows": MAX_ROWS,
        },
        status=status,
    )
