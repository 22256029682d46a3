"""Triage of anonymous feedback by the community's dispatchers: a new case, merged into a case, rejected, moved to
the community it belongs to, or its text redacted. Every decision is audited."""

import re
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, error_message, require, require_permission
from lucun.models import Community, Grid, User
from lucun.scoping import has_role
from lucun.services import audit_record, notification_send
from lucun.text import listed

from ..audit import AuditAction
from ..models import Case, CaseEvent, CaseList, CasePhoto, CaseState, Category, Feedback, Tier
from .feedback import TRIAGE_ROLES, can_triage
from .opening import case_open

State = Feedback.State


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update(of=("self",)).select_related("community__street").get(pk=feedback.pk)


def _mark(feedback: Feedback, user: User, state: str, case: Case | None = None, reason: str = "") -> dict:
    before = {"state": feedback.state, "case": feedback.case.number if feedback.case_id else ""}
    feedback.state = state
    feedback.case = case
    feedback.state_reason = reason
    feedback.triaged_by = user
    feedback.triaged_at = timezone.now()
    feedback.save(update_fields=["state", "case", "state_reason", "triaged_by", "triaged_at"])
    return before


@transaction.atomic
def feedback_create_case(
    *,
    feedback: Feedback,
    user: User,
    title: str,
    category: Category | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    grid: Grid | None = None,
    handler: User | None = None,
    public_title: str = "",
) -> Case:
    """立案: open a case from the message (source 匿名反馈); the message links to it, its status page follows it."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(feedback.state in (State.NEW, State.SPAM, State.NOT_ACTIONABLE), _("该反馈已立案或已并入诉求。"))
    case = case_open(
        community=feedback.community,
        title=title,
        created_by=user,
        source=Case.Source.FEEDBACK,
        source_object=feedback,
        category=category or feedback.category,
        description=feedback.shareable_text,
        tier=tier,
        case_list=case_list,
        grid=grid,
        handler=handler,
        contact_phone=feedback.reply_phone,
        public_title=public_title,
    )
    CasePhoto.objects.bulk_create(
        [CasePhoto(case=case, image=photo.image.name, uploaded_by=None) for photo in feedback.photos.all()]
    )
    before = _mark(feedback, user, State.CASE_CREATED, case=case)
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_CREATE_CASE,
        obj=feedback,
        community=feedback.community,
        summary=case.number,
        before=before,
        after={"state": feedback.state, "case": case.number},
    )
    return case


@transaction.atomic
def feedback_merge(*, feedback: Feedback, user: User, case: Case, note: str = "") -> Feedback:
    """并入: the message repeats a case already registered; the case records it, the message follows it."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(feedback.state in (State.NEW, State.SPAM, State.NOT_ACTIONABLE), _("该反馈已立案或已并入诉求。"))
    require(case.street_id == feedback.street_id, _("只能并入本街道的诉求。"))
    require_permission(has_role(user, TRIAGE_ROLES, case.community), _("您无权操作该诉求。"))
    require(case.state != CaseState.CANCELLED, _("该诉求已撤销,不能并入。"))
    note = (note or "").strip()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.MERGED,
        actor=user,
        note=(_("并入%(feedback)s") % {"feedback": feedback}) + (f":{note}" if note else ""),
        after={"feedback": feedback.pk},
        at=timezone.now(),
    )
    before = _mark(feedback, user, State.MERGED, case=case, reason=note[:300])
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_MERGE,
        obj=feedback,
        community=feedback.community,
        summary=case.number,
        before=before,
        after={"state": feedback.state, "case": case.number},
    )
    return feedback


@contextmanager
def _naming(position: int, feedback: Feedback):
    """Say which of the chosen messages a refusal is about: the same kind of refusal (403 stays 403), named."""
    try:
        yield
    except DomainError as exc:  # NotAllowed too
        raise type(exc)(
            _("第 %(position)d 条反馈(%(feedback)s):%(why)s")
            % {"position": position, "feedback": feedback, "why": error_message(exc)},
            code=exc.code,
        ) from exc


@transaction.atomic
def feedback_create_case_merged(
    *,
    feedbacks: list[Feedback],
    user: User,
    title: str,
    category: Category | None = None,
    tier: Tier | None = None,
    case_list: str = CaseList.COMMUNITY,
    grid: Grid | None = None,
    handler: User | None = None,
    public_title: str = "",
    note: str = "",
) -> Case:
    """合并立案: several messages of one community about one matter become one case in one step.

    The first message opens the case (``feedback_create_case``) and every other one is merged into it
    (``feedback_merge``), so each follows the case by its own lookup code. One transaction: when any message is
    refused, nothing of the case remains and the refusal says which message and why.
    """
    chosen = list(dict.fromkeys(feedbacks))
    require(len(chosen) >= 2, _("合并立案请至少选择两条反馈;只有一条时请直接立案。"))
    # Lock them all in one order first, so two officials merging overlapping messages wait instead of deadlocking.
    locked = {
        item.pk: item
        for item in Feedback.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk__in=[item.pk for item in chosen])
        .order_by("pk")
    }
    require(len(locked) == len(chosen), _("所选反馈中有的已不存在。"))
    communities = {locked[item.pk].community for item in chosen}
    require(
        len(communities) == 1,
        _("所选反馈属于不同的村(居)(%(names)s),不能合并立案:请只选同一村(居)的反馈,或先把反馈转到它所反映的村(居)。")
        % {"names": listed(sorted(community.name for community in communities))},
    )
    first, *rest = (locked[item.pk] for item in chosen)
    with _naming(1, first):
        case = feedback_create_case(
            feedback=first,
            user=user,
            title=title,
            category=category,
            tier=tier,
            case_list=case_list,
            grid=grid,
            handler=handler,
            public_title=public_title,
        )
    for position, item in enumerate(rest, 2):
        with _naming(position, item):
            feedback_merge(feedback=item, user=user, case=case, note=note)
    return case


_REJECTED = {
    State.SPAM: AuditAction.FEEDBACK_REJECT_SPAM,
    State.NOT_ACTIONABLE: AuditAction.FEEDBACK_REJECT_NOT_ACTIONABLE,
}


@transaction.atomic
def feedback_reject(*, feedback: Feedback, user: User, state: str, reason: str) -> Feedback:
    """Mark a message as spam (无效信息) or not actionable (无法办理), with a reason; nothing is deleted."""
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(state in (State.SPAM, State.NOT_ACTIONABLE), _("处理方式无效。"))
    require(feedback.state == State.NEW, _("只有待分拣的反馈可以标记为无效或无法办理。"))
    reason = (reason or "").strip()
    require(bool(reason), _("请填写原因。"))
    before = _mark(feedback, user, state, reason=reason[:300])
    audit_record(
        actor=user,
        action=_REJECTED[state],
        obj=feedback,
        community=feedback.community,
        summary=reason[:300],
        before=before,
        after={"state": feedback.state},
    )
    return feedback


@transaction.atomic
def feedback_move(*, feedback: Feedback, user: User, community: Community, reason: str) -> Feedback:
    """转到其他村(居): a message sent to the wrong village goes to the queue of the community it concerns.

    Only a message not yet triaged moves; it leaves the old community's queue at once, and the receiving
    community's officials are told: they triage it there, or move it on (back) with a reason of their own.
    """
    from .relocating import receiving_officials

    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能分拣该村(居)的群众反馈。"))
    require(feedback.state == State.NEW, _("只有待分拣的反馈可以转到其他村(居)。"))
    reason = (reason or "").strip()
    require(bool(reason), _("请填写转出原因。"))
    require(community.street_id == feedback.street_id, _("只能转到本街道的村(居)。"))
    require(community.pk != feedback.community_id, _("该反馈已在这个村(居)。"))
    before = {"community": feedback.community.name}
    old = feedback.community
    feedback.community = community
    feedback.save(update_fields=["community"])
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_MOVE,
        obj=feedback,
        community=community,
        summary=f"{old.name} → {community.name}:{reason[:200]}",
        before=before,
        after={"community": community.name},
    )
    recipients = [official for official in receiving_officials(community) if official.pk != user.pk]
    if recipients:
        notification_send(
            recipients=recipients,
            title=_("%(community)s转来一条群众反馈待分拣") % {"community": old.name},
            body=reason,
            url=feedback.get_absolute_url(),
        )
    return feedback


_PATTERNS = [
    # ID card numbers (18 digits, the last may be X), then mobile and landline numbers.
    (re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)"), lambda m: f"{m.group(1)}**********{m.group(2)}"),
    (re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)"), lambda m: f"{m.group(1)}****{m.group(2)}"),
    (re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)"), lambda m: f"{m.group(1)}****{m.group(2)}"),
]


def redaction_suggest(text: str) -> str:
    """Return the text with ID card and phone numbers masked: a starting point for the redaction tool."""
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return text


@transaction.atomic
def feedback_redact(*, feedback: Feedback, user: User, redacted_text: str) -> Feedback:
    """Store the copy of the text with personal details masked; the original stays for the handling office.

    When the message already became a case whose description is still the original text, the case gets
    the redacted copy too.
    """
    feedback = _locked(feedback)
    require_permission(can_triage(user, feedback.community), _("您的职务不能处理该村(居)的群众反馈。"))
    redacted_text = (redacted_text or "").strip()
    require(bool(redacted_text), _("脱敏后的文本不能为空。"))
    require(len(redacted_text) <= Feedback.TEXT_MAX, _("脱敏后的文本过长。"))
    had = bool(feedback.redacted_text)
    feedback.redacted_text = redacted_text
    feedback.redacted_by = user
    feedback.redacted_at = timezone.now()
    feedback.save(update_fields=["redacted_text", "redacted_by", "redacted_at"])
    if feedback.case_id and feedback.state == State.CASE_CREATED:
        case = Case.objects.select_for_update().get(pk=feedback.case_id)
        if case.description == feedback.text:
            case.description = redacted_text
            case.save(update_fields=["description"])
            CaseEvent.objects.create(
                case=case, kind=CaseEvent.Kind.NOTE, actor=user, note=_("情况描述已按群众反馈脱敏文本更新。")
            )
    # The audit keeps who and when, not the text: the original holds the personal details.
    audit_record(
        actor=user,
        action=AuditAction.FEEDBACK_REDACT,
        obj=feedback,
        community=feedback.community,
        summary=_("更新脱敏文本") if had else _("新增脱敏文本"),
    )
    return feedback
