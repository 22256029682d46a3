"""The meeting page: the meeting with its agenda, parties, minutes and photos, its printable notice, and the
forms posted from it (each calls one service)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.models import Case
from lucun.errors import DomainError, flash_refused, page_errors
from lucun.models import User
from lucun.scoping import communities_for
from lucun.selectors import audit_for_object

from .. import figures as figures_module
from .. import forms, permissions, selectors, services
from ..models import ContestCriterion, Decision, Meeting, ProcedureStep
from ..richtext import render_minutes
from ..services import ParticipationSpec, TaskSpec


def _officials(meeting: Meeting) -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in selectors.officials_for_meeting(meeting=meeting)]


def _detail_context(request: HttpRequest, meeting: Meeting, failed: tuple[str, object] | None = None) -> dict:
    user = request.user
    can_manage = permissions.can_manage(user, meeting) and meeting.cancelled_at is None
    can_decide = permissions.can_decide(user, meeting) and meeting.cancelled_at is None
    items = list(selectors.agenda_items(meeting=meeting, user=user))
    failed_name, failed_form = failed if failed else (None, None)

    def bound(name: str, factory: Callable[[], object]):
        return failed_form if failed_name == name else factory()

    officials = _officials(meeting) if (can_decide and any(not i.decision for i in items)) else []
    for item in items:
        item.form = None
        if can_decide and not item.decision and item.case.is_open:
            item.form = bound(
                f"decide-{item.pk}",
                lambda item=item: forms.DecideForm(prefix=f"item-{item.pk}", meeting=meeting, officials=officials),
            )
    participations = list(selectors.participations(meeting=meeting))
    context = {
        "meeting": meeting,
        "steps": selectors.meeting_steps(meeting=meeting),
        "items": items,
        "participations": participations,
        "attendance_total": sum(p.attended or 0 for p in participations),
        "invited_total": sum(p.invited for p in participations),
        "minutes_html": render_minutes(meeting.minutes),
        "photos": list(meeting.photos.all()),
        "can_manage": can_manage,
        "can_decide": can_decide,
        "failed": failed_name,
        "audit_events": audit_for_object(obj=meeting, limit=20),
    }
    if can_manage:
        context["step_form"] = bound("step", lambda: forms.StepForm())
        context["attendance_form"] = bound(
            "attendance", lambda: forms.AttendanceForm(participations=participations, prefix="att")
        )
        context["minutes_form"] = bound("minutes", lambda: forms.MinutesForm(initial={"minutes": meeting.minutes}))
        context["photo_form"] = bound("photo", lambda: forms.PhotoForm())
        context["cancel_form"] = bound("cancel", lambda: forms.CancelForm())
        if meeting.kind != Meeting.Kind.CONTEST:
            context["agenda_form"] = bound(
                "agenda",
                lambda: forms.AgendaAddForm(candidates=selectors.agenda_candidates(meeting=meeting, user=user)),
            )
            context["raise_form"] = bound(
                "raise",
                lambda: forms.RaiseCaseForm(
                    meeting=meeting, communities=communities_for(user).order_by("sort_order"), prefix="raise"
                ),
            )
        if meeting.kind == Meeting.Kind.JOINT:
            proposals = selectors.joint_agenda_proposals(meeting=meeting)
            context["proposals"] = list(proposals[:100])
            context["propose_form"] = bound("propose", lambda: forms.ProposeForm(proposals=proposals))
    if meeting.kind == Meeting.Kind.CONTEST:
        rounds = figures_module.contest_rankings(user=user)
        context["contest"] = next((r for r in rounds if r["meeting"].pk == meeting.pk), None)
        if can_manage:
            context["score_form"] = bound(
                "score",
                lambda: forms.ScoreForm(
                    communities=communities_for(user).filter(street_id=meeting.street_id).order_by("sort_order"),
                    criteria=list(ContestCriterion.objects.active()),
                    prefix="score",
                ),
            )
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(request, "deliberation/meeting_detail.html", _detail_context(request, meeting))


@login_required
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice (公示) of the meeting and its results."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    items = list(selectors.agenda_items(meeting=meeting, user=request.user))
    participations = list(selectors.participations(meeting=meeting))
    return render(
        request,
        "deliberation/meeting_notice.html",
        {
            "meeting": meeting,
            "items": items,
            "participations": participations,
            "attendance_total": sum(p.attended or 0 for p in participations),
            "printed_on": timezone.localdate(),
            "street": meeting.street or meeting.community.street,
        },
    )


@dataclass(frozen=True)
class Action:
    """A form on the meeting page and the service it calls."""

    label: str
    build: Callable
    run: Callable
    anchor: str


def _run_step(request, meeting, form):
    try:
        step = ProcedureStep.objects.get(pk=form.cleaned_data["step"])
    except ProcedureStep.DoesNotExist as exc:
        raise DomainError(_("该步骤不存在。")) from exc
    services.step_complete(meeting=meeting, user=request.user, step=step, note=form.cleaned_data["note"])


def _run_agenda(request, meeting, form):
    case = form.cleaned_data["case"]
    if case is None:
        number = form.cleaned_data["number"].strip()
        case = selectors.agenda_candidates(meeting=meeting, user=request.user).filter(number=number).first()
        if case is None:
            visible = Case.objects.filter(number=number, community__in=communities_for(request.user)).first()
            if visible is None:
                raise DomainError(_("找不到编号为 %(number)s 的诉求。") % {"number": number})
            case = visible  # the service says why it cannot be added
    services.agenda_add(meeting=meeting, user=request.user, case=case)


def _run_raise(request, meeting, form):
    data = form.cleaned_data
    services.agenda_raise_case(
        meeting=meeting,
        user=request.user,
        title=data["title"],
        description=data["description"],
        category=data["category"],
        tier=data["tier"],
        case_list=data["case_list"],
        community=data.get("community"),
    )


def _run_propose(request, meeting, form):
    chosen = list(form.cleaned_data["cases"])
    items = services.joint_meeting_propose_agenda(meeting=meeting, user=request.user, cases=chosen or None)
    if not items:
        raise DomainError(_("没有可列入的上级帮办诉求。"))


def _run_attendance(request, meeting, form):
    rows = [
        ParticipationSpec(role=role, invited=invited, attended=attended, note=note)
        for role, invited, attended, note in form.values()
    ]
    services.participations_record(meeting=meeting, user=request.user, rows=rows)


def _run_score(request, meeting, form):
    services.contest_score_record(
        meeting=meeting,
        user=request.user,
        community=form.cleaned_data["community"],
        judge=form.cleaned_data["judge"],
        scores=form.scores(),
    )


ACTIONS: dict[str, Action] = {
    "step": Action(gettext_lazy("完成步骤"), lambda r, m: forms.StepForm(r.POST), _run_step, "steps"),
    "agenda": Action(
        gettext_lazy("列入议程"),
        lambda r, m: forms.AgendaAddForm(r.POST, candidates=selectors.agenda_candidates(meeting=m, user=r.user)),
        _run_agenda,
        "agenda",
    ),
    "raise": Action(
        gettext_lazy("会上登记诉求"),
        lambda r, m: forms.RaiseCaseForm(
            r.POST, meeting=m, communities=communities_for(r.user).order_by("sort_order"), prefix="raise"
        ),
        _run_raise,
        "agenda",
    ),
    "propose": Action(
        gettext_lazy("列入建议议题"),
        lambda r, m: forms.ProposeForm(r.POST, proposals=selectors.joint_agenda_proposals(meeting=m)),
        _run_propose,
        "agenda",
    ),
    "attendance": Action(
        gettext_lazy("登记参会情况"),
        lambda r, m: forms.AttendanceForm(r.POST, participations=selectors.participations(meeting=m), prefix="att"),
        _run_attendance,
        "participants",
    ),
    "minutes": Action(
        gettext_lazy("保存纪要"),
        lambda r, m: forms.MinutesForm(r.POST),
        lambda r, m, f: services.meeting_minutes_save(meeting=m, user=r.user, minutes=f.cleaned_data["minutes"]),
        "minutes",
    ),
    "photo": Action(
        gettext_lazy("上传照片"),
        lambda r, m: forms.PhotoForm(r.POST, r.FILES),
        lambda r, m, f: services.meeting_photo_add(
            meeting=m, user=r.user, upload=f.cleaned_data["image"], caption=f.cleaned_data["caption"]
        ),
        "photos",
    ),
    "cancel": Action(
        gettext_lazy("取消会议"),
        lambda r, m: forms.CancelForm(r.POST),
        lambda r, m, f: services.meeting_cancel(meeting=m, user=r.user, reason=f.cleaned_data["reason"]),
        "",
    ),
    "score": Action(
        gettext_lazy("记录评分"),
        lambda r, m: forms.ScoreForm(
            r.POST,
            communities=communities_for(r.user).filter(street_id=m.street_id),
            criteria=list(ContestCriterion.objects.active()),
            prefix="score",
        ),
        _run_score,
        "contest",
    ),
}


def _failed(request: HttpRequest, meeting: Meeting, name: str, label: str, form) -> HttpResponse:
    flash_refused(request, label, form)
    meeting.refresh_from_db()
    return render(
        request, "deliberation/meeting_detail.html", _detail_context(request, meeting, failed=(name, form)), status=400
    )


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    form = spec.build(request, meeting)
    if form.is_valid():
        with page_errors(request, form, database_errors=True) as call:
            spec.run(request, meeting, form)
        if call.ok:
            messages.success(request, _("已%(action)s。") % {"action": spec.label})
            return redirect(meeting.get_absolute_url() + (f"#{spec.anchor}" if spec.anchor else ""))
    return _failed(request, meeting, action, spec.label, form)


@login_required
@require_POST
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, pk=pk)
    meeting = selectors.meeting_get(user=request.user, pk=item.meeting_id)
    officials = _officials(meeting)
    form = forms.DecideForm(request.POST, prefix=f"item-{item.pk}", meeting=meeting, officials=officials)
    if form.is_valid():
        data = form.cleaned_data
        users = {
            u.pk: u
            for u in User.objects.filter(pk__in=[o for _t, o, _d in form.tasks() if o] + [data.get("handler") or 0])
        }
        with page_errors(request, form, database_errors=True) as call:
            decided = services.agenda_decide(
                item=item,
                user=request.user,
                decision=data["decision"],
                summary=data["summary"],
                result=data["result"],
                public_reply=data["public_reply"],
                case_list=data.get("case_list") or "community",
                tasks=[TaskSpec(title, users[owner], due) for title, owner, due in form.tasks()],
                special_tier=data.get("special_tier", False),
                department=data.get("department", ""),
                handler=users.get(data.get("handler") or 0),
                due_on=data.get("due_on"),
            )
        if call.ok:
            messages.success(
                request,
                _("已记录决定:%(number)s %(decision)s。")
                % {"number": item.case.number, "decision": Decision(decided.decision).label},
            )
            if decided.warning:
                messages.warning(request, decided.warning)
            return redirect(meeting.get_absolute_url() + f"#item-{item.pk}")
    return _failed(request, meeting, f"decide-{item.pk}", _("记录决定"), form)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.follow_up_tasks(user=request.user, open_only=False).filter(pk=pk).first()
    if task is None:
        raise Http404
    form = forms.TaskDoneForm(request.POST)
    if form.is_valid():
        with page_errors(request) as call:
            services.followup_task_complete(task=task, user=request.user, note=form.cleaned_data["note"])
        if call.ok:
            messages.success(request, _("跟进事项已完成。"))
    return redirect(task.item.meeting.get_absolute_url() + f"#item-{task.item_id}")
