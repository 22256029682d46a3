"""Pages of the negative list and its 通报: the notice board, recording a violation, and the 通报 themselves.

A 通报 belongs to a street: one of another street is not found (404); a person whose position may not read it is
refused (403), as is one who may read but not write, on the pages that draft and publish.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lucun.errors import page_errors, require_permission
from lucun.scoping import communities_for, has_role
from lucun.selectors import audit_for_object, officials_in_scope

from .. import forms, permissions, selectors, services
from ..bulletin_printing import bulletin_pdf_file
from ..models import Bulletin, Case

PAGE_SIZE = 20


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """What is to be reported: cases red past their tier's delay, and the recorded conduct violations."""
    if not has_role(request.user, permissions.SUPERVISE_ROLES):
        raise PermissionDenied
    cases, violations = selectors.notice_board(user=request.user)
    return render(
        request,
        "cases/notice_list.html",
        {
            "cases": Paginator(cases, 50).get_page(request.GET.get("page")),
            "violations": Paginator(violations, 50).get_page(request.GET.get("vpage")),
        },
    )


@login_required
def violation_create(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, permissions.SUPERVISE_ROLES):
        raise PermissionDenied
    communities = communities_for(request.user).order_by("sort_order", "name")
    form = forms.ViolationForm(
        request.POST or None, officials=officials_in_scope(user=request.user), communities=communities
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = None
        if data["case_number"]:
            case = Case.objects.filter(number=data["case_number"].strip(), community=data["community"]).first()
            if case is None:
                form.add_error("case_number", _("在该村(居)找不到这个诉求编号。"))
        if form.is_valid():
            with page_errors(request, form) as call:
                services.conduct_violation_report(
                    user=request.user,
                    official=data["official"],
                    kind=data["kind"],
                    community=data["community"],
                    occurred_on=data["occurred_on"],
                    note=data["note"],
                    case=case,
                )
            if call.ok:
                messages.success(request, _("作风问题已记录,已通知本人和督办人员;请在下一期通报中列入。"))
                return redirect("cases:notice_list")
    return render(request, "cases/violation_form.html", {"form": form})


# --- 通报 -------------------------------------------------------------------------------------------------


def _readable(request: HttpRequest, pk: int) -> Bulletin:
    """The 通报, if the person may read it: 404 outside their streets, 403 for a position that does not read it."""
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    permissions.require_bulletin_reader(request.user, bulletin, selectors.bulletin_reader_roles())
    return bulletin


def _writable(request: HttpRequest, pk: int) -> Bulletin:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    require_permission(
        permissions.can_write_bulletins(request.user, bulletin.street),
        _("只有街道督办人员或班子成员可以起草和发布通报。"),
    )
    return bulletin


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """The 通报 of the person's streets, latest first; their drafts first for who writes them."""
    readers = selectors.bulletin_reader_roles()
    require_permission(permissions.reads_bulletins(request.user, readers), _("您的职务不在通报的阅读范围内。"))
    bulletins = selectors.bulletin_list(user=request.user, readers=readers)
    page = Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = has_role(request.user, permissions.BULLETIN_WRITE_ROLES)
    return render(request, "cases/bulletin_list.html", {"page_obj": page, "can_write": can_write})


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _readable(request, pk)
    can_write = permissions.can_write_bulletins(request.user, bulletin.street)
    return render(
        request,
        "cases/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "items": selectors.bulletin_items(bulletin=bulletin),
            "corrections": bulletin.corrections.filter(state=Bulletin.State.PUBLISHED).order_by("published_at"),
            "can_write": can_write,
            "audit_events": audit_for_object(obj=bulletin) if can_write else [],
        },
    )


@login_required
def bulletin_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The published 通报 as an A4 PDF, to print or send on."""
    bulletin = _readable(request, pk)
    if not bulletin.is_published:
        raise Http404
    content, name = bulletin_pdf_file(bulletin, list(selectors.bulletin_items(bulletin=bulletin)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _form(request: HttpRequest, *, streets, initial: dict, chosen: dict[int, str], fixed: bool):
    listing = request.method == "POST" and request.POST.get("step") == "list"
    return forms.BulletinForm(
        request.POST if request.method == "POST" else None,
        streets=streets,
        candidates=lambda street, start, end: selectors.bulletin_candidates(
            user=request.user, street=street, period_from=start, period_to=end
        ),
        initial=initial,
        chosen=chosen,
        street_fixed=fixed,
        listing=listing,
    )


def _this_month() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(day=1), today


@login_required
def bulletin_create(request: HttpRequest) -> HttpResponse:
    """Draft a 通报 (or, with ?corrects=<id>, a correction of a published one, starting from what it said)."""
    streets = selectors.bulletin_streets_to_write(user=request.user)
    require_permission(streets.exists(), _("只有街道督办人员或班子成员可以起草通报。"))
    corrects = None
    start, end = _this_month()
    initial = {"street": streets.first(), "period_from": start, "period_to": end}
    chosen: dict[int, str] = {}
    if request.GET.get("corrects", "").isdigit():
        corrects = _writable(request, int(request.GET["corrects"]))
        if not corrects.is_published:
            raise Http404
        initial = {
            "street": corrects.street,
            "title": _("关于更正%(number)s《%(title)s》的通报") % {"number": corrects.number, "title": corrects.title},
            "period_from": corrects.period_from,
            "period_to": corrects.period_to,
            "body": corrects.body,
        }
        chosen = {item.violation_id: item.handling for item in corrects.items.all()}
    form = _form(request, streets=streets, initial=initial, chosen=chosen, fixed=corrects is not None)
    call = None
    if request.method == "POST" and not form.listing and form.is_valid():
        data = form.cleaned_data
        with page_errors(request, form, database_errors=True) as call:
            bulletin = services.bulletin_create(
                user=request.user,
                street=data["street"],
                title=data["title"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                body=data["body"],
                entries=data["entries"],
                corrects=corrects,
            )
        if call.ok:
            messages.success(request, _("通报草稿已保存;核对无误后即可发布。"))
            return redirect(bulletin)
    return render(
        request,
        "cases/bulletin_form.html",
        {"form": form, "corrects": corrects, "bulletin": None},
        status=400 if call and call.database_failed else 200,
    )


@login_required
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft 通报; a published one is final (a correction is a new 通报)."""
    bulletin = _writable(request, pk)
    if bulletin.is_published:
        messages.error(request, _("这期通报已经发布,不能再修改;如需更正,请起草一期更正通报。"))
        return redirect(bulletin)
    initial = {
        "street": bulletin.street,
        "title": bulletin.title,
        "period_from": bulletin.period_from,
        "period_to": bulletin.period_to,
        "body": bulletin.body,
    }
    chosen = {item.violation_id: item.handling for item in bulletin.items.all()}
    streets = selectors.bulletin_streets_to_write(user=request.user).filter(pk=bulletin.street_id)
    form = _form(request, streets=streets, initial=initial, chosen=chosen, fixed=True)
    call = None
    if request.method == "POST" and not form.listing and form.is_valid():
        data = form.cleaned_data
        with page_errors(request, form, database_errors=True) as call:
            services.bulletin_update(
                user=request.user,
                bulletin=bulletin,
                title=data["title"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                body=data["body"],
                entries=data["entries"],
            )
        if call.ok:
            messages.success(request, _("通报草稿已保存。"))
            return redirect(bulletin)
    return render(
        request,
        "cases/bulletin_form.html",
        {"form": form, "corrects": bulletin.corrects, "bulletin": bulletin},
        status=400 if call and call.database_failed else 200,
    )


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _writable(request, pk)
    with page_errors(request) as call:
        bulletin = services.bulletin_publish(user=request.user, bulletin=bulletin)
    if call.ok:
        messages.success(request, _("已发布%(number)s,阅读范围内的干部已收到通知。") % {"number": bulletin.number})
    return redirect(bulletin)
