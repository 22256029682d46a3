"""Demo anonymous feedback: the street-wide code, a poster per community, card batches, a year of messages.

The demo cases whose source is 匿名反馈 get the message they came from; more messages were merged into
existing cases as duplicates, some were spam or not actionable, and the latest wait in the queue. Residents
write from 07:00 to 22:00 on any day; officials triage in office hours on working days (``lucun.demo_time``).
The senders' answers follow the year's satisfaction (78 % rising to 90 %, ``lucun.demo.satisfaction_target``).
Villagers who scanned a code while a case with a public title was open said "我也遇到" on about half of them
(同问: a row without text, merged at once, counted on the case).
Rows are bulk-inserted; the result is what the services would have produced.
"""

import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from lucun import demo_time
from lucun.demo import DemoContext, satisfaction_target, year_start
from lucun.demo_time import RESIDENT

from .models import (
    LOOKUP_ALPHABET,
    LOOKUP_LENGTH,
    Case,
    CaseEvent,
    CaseState,
    Category,
    Feedback,
    FeedbackChannel,
    to_hour,
)

PLACES = ["文化广场", "党群服务中心", "便民超市门口", "健身广场", "村委会公告栏", "小区南门"]
DETAILS = [
    "希望尽快有人来看看。",
    "已经好几天了,老人出行不方便。",
    "麻烦工作人员处理一下,谢谢。",
    "之前反映过一次,还没有解决。",
    "晚上尤其明显,存在安全隐患。",
]
DUPLICATES = ["同样的问题,我们这边也遇到了。", "这个事情大家都在说,希望快点解决。", "再反映一次,情况还在。"]
SPAM = ["低价办证,联系微信", "测试", "哈哈哈哈", "转发有红包", "1111"]
NOT_ACTIONABLE = [
    ("希望提高全国养老金标准", "超出街道职权,已通过公开答复说明政策渠道"),
    ("建议修建高铁站", "非街道职能,已转为意见建议登记"),
    ("反映外省亲戚的工作问题", "不属于本街道辖区"),
]
PENDING = [
    "路灯坏了好几盏,晚上看不清路。",
    "垃圾桶满了没人清,味道很大。",
    "楼道里堆了很多杂物,怕着火。",
    "下雨后路上积水,老人走路容易滑倒。",
    "想咨询高龄补贴怎么申请。",
    "小区门口电动车乱停,救护车进不来。",
]
PLAN = {"merged": 60, "spam": 25, "not_actionable": 20, "pending": 30}
SAME_QUESTION_SHARE, SAME_QUESTION_MOST = 0.5, 6  # of the open cases with a public title; villagers per case
URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def seed_feedback(ctx: DemoContext) -> None:
    if FeedbackChannel.objects.filter(street=ctx.street).exists():
        ctx.log(f"群众反馈:已有 {Feedback.objects.filter(street=ctx.street).count()} 条,跳过")
        return
    with transaction.atomic():
        _seed(ctx)


def _triaged(rng, received):
    """When an official took up a message: in office hours, within a working day of its arrival."""
    start = received + timedelta(minutes=30)
    return demo_time.draw(rng, start, start + timedelta(hours=20)) or demo_time.next_working(start)


def _answers(rng, answered: list[Feedback], now) -> None:
    """Give the senders' answers the year's satisfaction: each quarter's share of satisfied answers exactly."""
    by_quarter: dict[float, list[Feedback]] = {}
    for feedback in answered:
        by_quarter.setdefault(satisfaction_target(feedback.answered_at, now), []).append(feedback)
    for target, rows in by_quarter.items():
        positive = round(target * len(rows))
        rng.shuffle(rows)
        for index, feedback in enumerate(rows):
            if index < positive:
                feedback.solved = True
                feedback.satisfaction = rng.choice(["satisfied"] * 7 + ["basically"] * 2)
            else:
                feedback.solved = rng.random() < 0.3
                feedback.satisfaction = "dissatisfied"


def _same_questions(street, rows: list[Feedback], used_codes: set, street_channel, by_community, now) -> dict[int, int]:
    """Add the 同问 rows of the open cases with a public title to ``rows``; return how many each case got.

    A generator of its own, so that the other figures of the demo stay as they were.
    """
    rng = random.Random(1919)
    counts: dict[int, int] = {}

    def code() -> str:
        while True:
            value = "".join(rng.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
            if value not in used_codes:
                used_codes.add(value)
                return value

    open_cases = Case.objects.filter(street=street, resolved_at__isnull=True).exclude(public_title="").order_by("pk")
    for case in open_cases:
        if rng.random() >= SAME_QUESTION_SHARE:
            continue
        for _i in range(rng.randint(1, SAME_QUESTION_MOST)):
            received = demo_time.draw(rng, case.opened_at + timedelta(hours=1), now - timedelta(hours=1), RESIDENT)
            if received is None:
                continue
            pool = [c for c in by_community.get(case.community_id, []) if c.is_active and c.created_at <= received]
            rows.append(
                Feedback(
                    channel=rng.choice([*pool, street_channel]),
                    street=street,
                    community_id=case.community_id,
                    category_id=case.category_id,
                    text="",
                    received_at=to_hour(received),
                    lookup_code=code(),
                    same_question=True,
                    state=Feedback.State.MERGED,
                    case=case,
                )
            )
            counts[case.pk] = counts.get(case.pk, 0) + 1
    return counts


def _seed(ctx: DemoContext) -> None:
    rng, street, now = ctx.rng, ctx.street, timezone.now()
    year_ago = demo_time.on_day(rng, demo_time.previous_working_day(year_start(now).date() - timedelta(days=7)))
    used_codes = set(Feedback.objects.values_list("lookup_code", flat=True))

    def token() -> str:
        return "".join(rng.choice(URLSAFE) for _ in range(16))

    def code() -> str:
        while True:
            value = "".join(rng.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
            if value not in used_codes:
                used_codes.add(value)
                return value

    channels = [
        FeedbackChannel(
            token=token(),
            kind=FeedbackChannel.Kind.STREET,
            street=street,
            label=f"{street.name} 街道总码",
            created_at=year_ago,
        )
    ]
    for index, community in enumerate(ctx.communities):
        channels.append(
            FeedbackChannel(
                token=token(),
                kind=FeedbackChannel.Kind.POSTER,
                street=street,
                community=community,
                label=f"{community.name}{PLACES[index % len(PLACES)]}",
                created_at=year_ago,
            )
        )
        if index < 6:
            for batch in (1, 2):
                lost = index == 0 and batch == 1
                channels.append(
                    FeedbackChannel(
                        token=token(),
                        kind=FeedbackChannel.Kind.CARD_BATCH,
                        street=street,
                        community=community,
                        label=f"{community.name} 联系卡第{batch}批",
                        created_at=demo_time.next_working(year_ago + timedelta(days=30 * batch)),
                        is_active=not lost,
                        deactivated_at=demo_time.next_working(year_ago + timedelta(days=90)) if lost else None,
                        deactivated_reason="联系卡遗失,已换发第2批" if lost else "",
                    )
                )
    FeedbackChannel.objects.bulk_create(channels)
    channels = list(FeedbackChannel.objects.filter(street=street))
    by_community: dict[int | None, list[FeedbackChannel]] = {}
    for channel in channels:
        by_community.setdefault(channel.community_id, []).append(channel)
    street_channel = by_community[None][0]

    def channel_for(community_id: int, at) -> FeedbackChannel:
        pool = [
            c
            for c in by_community.get(community_id, [])
            if c.created_at <= at and (c.is_active or c.deactivated_at > at)
        ]
        return rng.choice([*pool, *pool, street_channel]) if pool else street_channel

    categories = list(Category.objects.active())
    triager = ctx.users.get("staff")
    rows: list[Feedback] = []
    links: list[tuple[Feedback, Case]] = []

    # 1. The demo cases that came in as anonymous feedback get their message.
    sourced = list(
        Case.objects.filter(street=street, source=Case.Source.FEEDBACK, source_type__isnull=True).order_by("pk")
    )
    answered: list[Feedback] = []
    for case in sourced:
        latest = case.opened_at - timedelta(minutes=30)
        received = demo_time.draw(rng, latest - timedelta(hours=30), latest, RESIDENT) or latest
        feedback = Feedback(
            channel=channel_for(case.community_id, received),
            street=street,
            community_id=case.community_id,
            category_id=case.category_id,
            text=f"{case.title}。{rng.choice(DETAILS)}",
            received_at=to_hour(received),
            lookup_code=code(),
            state=Feedback.State.CASE_CREATED,
            case=case,
            triaged_by_id=case.created_by_id,
            triaged_at=case.opened_at,
        )
        if case.state in (CaseState.RESOLVED, CaseState.CLOSED) and rng.random() < 0.6:
            start = case.resolved_at + timedelta(hours=2)
            at = demo_time.draw(rng, start, min(start + timedelta(hours=70), now), RESIDENT)
            if at is not None:
                feedback.answered_at = to_hour(at)
                answered.append(feedback)
        rows.append(feedback)
        links.append((feedback, case))

    # 2. Duplicates merged into cases already registered.
    candidates = list(Case.objects.filter(street=street).exclude(state=CaseState.CANCELLED).order_by("pk"))
    events: list[CaseEvent] = []
    for case in rng.sample(candidates, min(len(candidates), PLAN["merged"] * ctx.scale)):
        after = case.opened_at + timedelta(hours=1)
        received = demo_time.draw(rng, after, after + timedelta(hours=71), RESIDENT)
        triaged = _triaged(rng, received)
        if triaged >= now:
            continue
        rows.append(
            Feedback(
                channel=channel_for(case.community_id, received),
                street=street,
                community_id=case.community_id,
                category_id=case.category_id,
                text=f"{case.title}。{rng.choice(DUPLICATES)}",
                received_at=to_hour(received),
                lookup_code=code(),
                state=Feedback.State.MERGED,
                case=case,
                triaged_by=triager,
                triaged_at=triaged,
            )
        )
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.MERGED, actor=triager, at=triaged))

    # 3. Spam and messages that cannot be handled as a case, each with its reason.
    for kind, count in (("spam", PLAN["spam"]), ("not_actionable", PLAN["not_actionable"])):
        for _i in range(count * ctx.scale):
            community = rng.choice(ctx.communities)
            # Two weeks back at the latest: taken up by now even across the longest holiday.
            received = demo_time.draw(rng, year_start(now), now - timedelta(days=14), RESIDENT)
            if kind == "spam":
                text, reason = rng.choice(SPAM), "广告或无意义内容"
            else:
                text, reason = rng.choice(NOT_ACTIONABLE)
            rows.append(
                Feedback(
                    channel=channel_for(community.pk, received),
                    street=street,
                    community=community,
                    text=text,
                    received_at=to_hour(received),
                    lookup_code=code(),
                    state=kind,
                    state_reason=reason,
                    triaged_by=triager,
                    triaged_at=_triaged(rng, received),
                )
            )

    # 4. The latest messages, waiting in the queue.
    for _i in range(PLAN["pending"] * ctx.scale):
        community = rng.choice(ctx.communities)
        received = demo_time.draw(rng, now - timedelta(hours=72), now - timedelta(hours=1), RESIDENT)
        rows.append(
            Feedback(
                channel=channel_for(community.pk, received),
                street=street,
                community=community,
                category=rng.choice([*categories, None]),
                text=rng.choice(PENDING),
                received_at=to_hour(received),
                lookup_code=code(),
                reply_phone=ctx.random_phone() if rng.random() < 0.15 else "",
            )
        )

    # 5. 我也遇到: more villagers with the problem of an open case, each with a lookup code of their own.
    same_counts = _same_questions(street, rows, used_codes, street_channel, by_community, now)

    _answers(rng, answered, now)
    Feedback.objects.bulk_create(rows, batch_size=1000)
    for case_id, count in same_counts.items():
        Case.objects.filter(pk=case_id).update(same_question_count=count)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    ids = dict(Feedback.objects.filter(street=street).values_list("lookup_code", "pk"))
    feedback_type = ContentType.objects.get_for_model(Feedback)
    for feedback, case in links:
        case.source_type, case.source_id = feedback_type, ids[feedback.lookup_code]
    Case.objects.bulk_update([case for _f, case in links], ["source_type", "source_id"], batch_size=500)

    counts = {state: sum(1 for r in rows if r.state == state) for state in Feedback.State.values}
    ctx.log(
        f"群众反馈:{len(channels)} 个渠道,{len(rows)} 条(立案 {counts['case_created']},并入 {counts['merged']},"
        f"无效 {counts['spam']},无法办理 {counts['not_actionable']},待分拣 {counts['new']};"
        f"我也遇到 {sum(same_counts.values())} 人次,{len(same_counts)} 件)"
    )
    poster = next(
        c for c in channels if c.kind == FeedbackChannel.Kind.POSTER and c.community_id == ctx.communities[0].pk
    )
    answerable = next(
        (
            r
            for r in rows
            if r.case_id and r.answered_at is None and r.case.state in (CaseState.RESOLVED, CaseState.CLOSED)
        ),
        None,
    )
    titled = (
        Case.objects.filter(community=ctx.communities[0], resolved_at__isnull=True)
        .exclude(public_title="")
        .select_related("category")
        .order_by("pk")
        .first()
    )
    ctx.log(
        f"群众反馈演示:扫码页 /cases/f/{poster.token}/"
        + (f",已办结待评价的查询码 {answerable.lookup_code}" if answerable else "")
        + (f";我也遇到:选“{titled.category.name}”,写“{titled.public_title}”" if titled else "")
    )
