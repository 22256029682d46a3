from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.bulk.views import page_context as bulk_context
from lucun.errors import flash_refused, page_errors
from lucun.http import session_keep_alive
from lucun.scoping import communities_for, has_role
from lucun.selectors import audit_for_object

from .. import forms, permissions, selectors, services
from ..models import Case, CaseList, Colour, ExtensionRequest, ReturnRequest
from ..moves import MOVES, moves_open_to, pending_transfer
from ..panels import panels_for

PAGE_SIZE = 25


def _filter_form(request: HttpRequest) -> forms.CaseFilterForm:
    return forms.case_filter_form(user=request.user, data=request.GET or None)


def _quick_move(user, case: Case) -> str:
    """The one-tap move a row of 'my work' offers: 签收, else 记录进展, only when ``cases.moves`` lets this person
    make it (the service checks the same declaration): the first responder of a case moved to another community
    keeps it in sight but signs for nothing there."""
    for name in ("accept", "progress"):
        if MOVES[name].accepts(user, case):
            return name
    return ""


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """The official's open cases (?colour= narrows them); ?view=incoming the cases other communities handed to theirs
    (accept or send back on the case page); ?view=approvals, the old address of the approvals inbox."""
    can_approve = has_role(request.user, permissions.APPROVE_ROLES)
    if can_approve and request.GET.get("view") == "approvals":
        return redirect("cases:approvals")
    can_receive = has_role(request.user, permissions.DISPATCH_ROLES)
    incoming = can_receive and request.GET.get("view") == "incoming"
    colour = request.GET.get("colour", "") if request.GET.get("colour") in Colour.values else ""
    if incoming:
        cases = selectors.transfers_waiting(user=request.user)
    else:
        cases = selectors.my_work_page(user=request.user, colour=colour)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    if not incoming:
        for case in page:
            case.quick_move = _quick_move(request.user, case)
    return render(
        request,
        "cases/my_work.html",
        {
            "page_obj": page,
            "can_approve": can_approve,
            "incoming": incoming,
            "can_receive": can_receive,
            "colour": Colour(colour) if colour else None,
        },
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see; without a chosen state, the open ones, soonest due first."""
    filter_form = forms.case_list_filter_form(user=request.user, data=request.GET)
    queryset = selectors.case_list(user=request.user, filters=filter_form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    can_open = has_role(request.user, permissions.OPEN_ROLES)
    context = {
        "page_obj": page,
        "filter_form": filter_form,
        "can_open": can_open,
        **bulk_context(request, "cases:case_list"),
    }
    return render(request, "cases/case_list.html", context)


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    communities = communities_for(request.user).order_by("sort_order", "name")
    form = forms.CaseOpenForm(request.POST or None, request.FILES or None, communities=communities)
    call = None
    if request.method == "POST" and form.is_valid():
        # A failed write rolled the service's transaction back: nothing of the case remains, the form does.
        with page_errors(request, form, database_errors=True) as call:
            case = services.case_open(created_by=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("诉求已登记,编号 %(number)s。") % {"number": case.number})
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form}, status=400 if call and call.database_failed else 200)


def _detail_context(request: HttpRequest, case: Case, failed: tuple[str, object] | None = None) -> dict:
    user = request.user
    moves = [
        {
            "name": move.name,
            "label": move.label,
            "form": failed[1] if failed and failed[0] == move.name else move.make_form(case),
            "danger": move.danger,
            "open": bool(failed) and failed[0] == move.name,
        }
        for move in moves_open_to(user, case)
    ]
    pending_extension = case.extension_requests.filter(decision=ExtensionRequest.Decision.PENDING).first()
    pending_return = case.return_requests.filter(decision=ExtensionRequest.Decision.PENDING).first()
    return {
        "case": case,
        "colour": case.colour_at(),
        "events": selectors.case_events(case=case),
        "moves": moves,
        "pending_extension": pending_extension,
        "pending_return": pending_return,
        "pending_transfer": pending_transfer(case),
        "can_decide_extension": bool(pending_extension) and permissions.can_decide(user, pending_extension),
        "can_decide_return": bool(pending_return) and permissions.can_decide(user, pending_return),
        "decision_form": forms.DecisionForm(prefix="decision"),
        "photos": case.photos.all(),
        "sender_answers": selectors.case_sender_answers(case=case),
        "source_object": case.source_object,
        "hotline": selectors.hotline_caller(case=case, user=user),
        "audit_events": audit_for_object(obj=case),
        "panels": panels_for(user=user, case=case),
        "public_title_form": (
            (failed[1] if failed and failed[0] == "public-title" else forms.PublicTitleForm(case=case))
            if permissions.can_dispatch(user, case)
            else None
        ),
    }


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, number=number)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_move(request: HttpRequest, number: str, move: str) -> HttpResponse:
    """Make one move of ``cases.moves`` from the case page; a person who may not make it is refused first."""
    case = selectors.case_get(user=request.user, number=number)
    if move not in MOVES:
        raise PermissionDenied
    declared = MOVES[move]
    declared.check_who(request.user, case)
    form = declared.make_form(case, request.POST)
    if form.is_valid():
        with page_errors(request, form, database_errors=True) as call:
            declared.run(case=case, user=request.user, data=form.cleaned_data)
        if call.ok:
            messages.success(request, _("已%(action)s。") % {"action": declared.label})
            if not permissions.can_view(request.user, case):  # sent back, or moved out of the person's sight
                return redirect("cases:my_work")
            return redirect(case)
    flash_refused(request, declared.label, form)
    case.refresh_from_db()
    return render(request, "cases/case_detail.html", _detail_context(request, case, failed=(move, form)), status=400)


@login_required
@require_POST
def case_public_title(request: HttpRequest, number: str) -> HttpResponse:
    """Set the title villagers may read in "我也遇到" suggestions (dispatchers of the case's community)."""
    case = selectors.case_get(user=request.user, number=number)
    if not permissions.can_dispatch(request.user, case):
        raise PermissionDenied
    form = forms.PublicTitleForm(request.POST, case=case)
    if form.is_valid():
        with page_errors(request, form) as call:
            services.case_public_title_set(case=case, user=request.user, public_title=form.cleaned_data["public_title"])
        if call.ok:
            messages.success(request, _("公开标题已保存。"))
            return redirect(case)
    flash_refused(request, _("修改公开标题"), form)
    return render(
        request, "cases/case_detail.html", _detail_context(request, case, failed=("public-title", form)), status=400
    )


@login_required
@require_POST
def quick_accept(request: HttpRequest, number: str) -> HttpResponse:
    """One tap on 'my work': accept the case and stay on the list."""
    case = selectors.case_get(user=request.user, number=number)
    with page_errors(request) as call:
        services.case_accept(case=case, user=request.user)
    if call.ok:
        messages.success(request, _("已签收 %(number)s。") % {"number": case.number})
    return redirect("cases:my_work")


def _decide(request: HttpRequest, model, pk: int, service) -> HttpResponse:
    request_obj = get_object_or_404(model.objects.select_related("case"), pk=pk)
    case = selectors.case_get(user=request.user, number=request_obj.case.number)
    form = forms.DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        with page_errors(request) as call:
            service(
                request=request_obj,
                user=request.user,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        if call.ok:
            messages.success(request, _("已审批。"))
    else:
        messages.error(request, _("请选择批准或驳回。"))
    return redirect(case)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, ExtensionRequest, pk, services.case_decide_extension)


@login_required
@require_POST
def return_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, ReturnRequest, pk, services.case_decide_return)


def _refresh_seconds(request: HttpRequest) -> int:
    """Every minute by default; ?refresh=N (2 to 600 seconds) for a faster office screen."""
    try:
        return min(max(int(request.GET.get("refresh", 60)), 2), 600)
    except ValueError:
        return 60


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, permissions.DASHBOARD_ROLES):
        raise PermissionDenied
    filter_form = _filter_form(request)
    data = selectors.dashboard(user=request.user, filters=filter_form.filters())
    filter_form.show_choices("tier", data.tiers)  # the tiers the figures were read with, not read again
    if data.resolved_stale:
        # The page shows the stored figures at once; a worker recomputes them for the next refresh.
        services.dashboard_refresh_request(user=request.user, key=data.resolved_key, query=request.GET.urlencode())
    can_approve = has_role(request.user, permissions.APPROVE_ROLES)
    if request.GET.get("partial"):
        # The minute's refresh of the body alone: none of the page's shell (navigation, counts) is read for it,
        # and an office screen that keeps refreshing stays signed in.
        session_keep_alive(request)
        body = render_to_string("cases/_dashboard_body.html", {"d": data, "can_approve": can_approve})
        return HttpResponse(body)
    return render(
        request,
        "cases/dashboard.html",
        {
            "d": data,
            "filter_form": filter_form,
            "screen": bool(request.GET.get("screen")),
            "can_approve": can_approve,
            "print_view": bool(request.GET.get("print")),
            "refresh_seconds": _refresh_seconds(request),
            "lists": CaseList,
        },
    )
