"""Staff pages for anonymous feedback: the intake queue, triage, redaction, channels and their figures."""

from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lucun.bulk.views import page_context as bulk_context
from lucun.errors import DomainError, flash_refused, page_errors
from lucun.scoping import communities_for, require_role, streets_for
from lucun.selectors import audit_for_object

from .. import forms, selectors, services
from ..models import Feedback
from ..services.feedback import TRIAGE_ROLES

PAGE_SIZE = 25


def _require_triage_role(user) -> None:
    require_role(user, TRIAGE_ROLES, message=_("只有村居干部、机关干部、班子成员和督办人员可以分拣群众反馈。"))


@login_required
def feedback_queue(request: HttpRequest) -> HttpResponse:
    """The intake queue: messages waiting for triage (or filtered by state), newest first."""
    _require_triage_role(request.user)
    communities = communities_for(request.user).order_by("sort_order", "name")
    filter_form = forms.QueueFilterForm(request.GET or None, communities=communities)
    page = Paginator(selectors.feedback_queue(user=request.user, filters=filter_form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page_obj": page, "filter_form": filter_form, **bulk_context(request, "cases:feedback_queue")}
    return render(request, "cases/feedback_queue.html", context)


@dataclass(frozen=True)
class Action:
    label: str
    form: type
    run: object


def _create_case(feedback, user, data, request):
    case = services.feedback_create_case(
        feedback=feedback,
        user=user,
        title=data["title"],
        category=data["category"],
        tier=data["tier"],
        case_list=data["case_list"],
        grid=data["grid"],
        public_title=data["public_title"],
    )
    return _("已立案:%(number)s。") % {"number": case.number}


def _merge(feedback, user, data, request):
    try:
        case = selectors.case_get(user=user, number=data["case_number"].strip())
    except Http404 as exc:
        raise DomainError(_("在您可见的诉求中找不到这个编号。")) from exc
    services.feedback_merge(feedback=feedback, user=user, case=case, note=data["note"])
    return _("已并入诉求 %(number)s。") % {"number": case.number}


def _reject(feedback, user, data, request):
    services.feedback_reject(feedback=feedback, user=user, state=data["state"], reason=data["reason"])
    return _("已标记为%(state)s。") % {"state": Feedback.State(data["state"]).label}


def _move(feedback, user, data, request):
    services.feedback_move(feedback=feedback, user=user, community=data["community"], reason=data["reason"])
    return _("已转到%(community)s。") % {"community": data["community"].name}


def _redact(feedback, user, data, request):
    services.feedback_redact(feedback=feedback, user=user, redacted_text=data["redacted_text"])
    return _("脱敏文本已保存。")


ACTIONS = {
    "create-case": Action(gettext_lazy("立案"), forms.CreateCaseForm, _create_case),
    "merge": Action(gettext_lazy("并入已有诉求"), forms.MergeForm, _merge),
    "reject": Action(gettext_lazy("无效或无法办理"), forms.RejectForm, _reject),
    "move": Action(gettext_lazy("转到其他村(居)"), forms.FeedbackMoveForm, _move),
    "redact": Action(gettext_lazy("脱敏"), forms.RedactForm, _redact),
}


def _action_form(name: str, feedback: Feedback, data=None):
    form_class = ACTIONS[name].form
    if form_class in (forms.CreateCaseForm, forms.FeedbackMoveForm):
        return form_class(data, prefix=name, feedback=feedback)
    if form_class is forms.RedactForm:
        initial = {"redacted_text": feedback.redacted_text or services.redaction_suggest(feedback.text)}
        return form_class(data, prefix=name, initial=initial)
    return form_class(data, prefix=name)


def _detail_context(feedback: Feedback, failed: tuple[str, object] | None = None) -> dict:
    actionable = feedback.state in (Feedback.State.NEW, Feedback.State.SPAM, Feedback.State.NOT_ACTIONABLE)
    names = ["redact"]
    if actionable:
        new = feedback.state == Feedback.State.NEW
        names = ["create-case", "merge", *(["reject", "move"] if new else []), "redact"]
    actions = [
        {
            "name": name,
            "label": ACTIONS[name].label,
            "form": failed[1] if failed and failed[0] == name else _action_form(name, feedback),
            "open": bool(failed) and failed[0] == name,
        }
        for name in names
    ]
    return {
        "feedback": feedback,
        "photos": list(feedback.photos.all()),
        "actions": actions,
        "audit_events": audit_for_object(obj=feedback),
        "duplicates": selectors.feedback_duplicates(feedback=feedback),
    }


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_triage_role(request.user)
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    return render(request, "cases/feedback_detail.html", _detail_context(feedback))


@login_required
@require_POST
def feedback_triage(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_triage_role(request.user)
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    form = _action_form(action, feedback, request.POST)
    if form.is_valid():
        with page_errors(request, form) as call:
            message = ACTIONS[action].run(feedback, request.user, form.cleaned_data, request)
        if call.ok:
            messages.success(request, message)
            if action == "redact":
                return redirect(feedback)
            return redirect("cases:feedback_queue")
    flash_refused(request, ACTIONS[action].label, form)
    feedback = selectors.feedback_get(user=request.user, pk=pk)
    return render(request, "cases/feedback_detail.html", _detail_context(feedback, failed=(action, form)), status=400)


@login_required
def feedback_channels(request: HttpRequest) -> HttpResponse:
    """The channels with their public addresses, and the messages each brought, month by month."""
    _require_triage_role(request.user)
    figures = selectors.channel_figures(user=request.user)
    for row in figures.channels:
        row["url"] = selectors.feedback_channel_public_url(channel=row["channel"], request=request)
    communities = communities_for(request.user).order_by("sort_order", "name")
    form = forms.ChannelForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with page_errors(request, form) as call:
            channel = services.feedback_channel_create(
                kind=data["kind"],
                label=data["label"],
                community=data["community"],
                street=streets_for(request.user).order_by("name").first() if data["community"] is None else None,
                created_by=request.user,
            )
        if call.ok:
            messages.success(request, _("已创建渠道:%(label)s。") % {"label": channel.label})
            return redirect("cases:feedback_channels")
    return render(
        request,
        "cases/feedback_channels.html",
        {"figures": figures, "form": form, "deactivate_form": forms.DeactivateForm()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def feedback_channel_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_triage_role(request.user)
    channel = get_object_or_404(selectors.channels_for(user=request.user), pk=pk)
    form = forms.DeactivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
    else:
        with page_errors(request) as call:
            services.feedback_channel_deactivate(channel=channel, user=request.user, reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("已停用:%(label)s。") % {"label": channel.label})
    return redirect("cases:feedback_channels")


@login_required
def feedback_channel_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The channel's QR code as SVG, for a notice or a poster printed on the spot."""
    _require_triage_role(request.user)
    channel = get_object_or_404(selectors.channels_for(user=request.user), pk=pk)
    url = selectors.feedback_channel_public_url(channel=channel, request=request)
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=4)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="feedback-{channel.pk}.svg"'
    return response
