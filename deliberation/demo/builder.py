"""The demo's meetings before they are written: a builder that collects meetings with their parties, agenda
items, follow-up tasks and procedure steps, and the windows of the cases a meeting may take up."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lucun import demo_time
from lucun.demo import DemoContext
from lucun.models import Community

from ..models import (
    AgendaItem,
    FollowUpTask,
    Meeting,
    MeetingStep,
    ParticipantRole,
    Participation,
    ProcedureStep,
    Venue,
)

LEAD = timedelta(hours=2)  # a case can be on a meeting's agenda from two hours after it came in
FIELD_PLACES = ["田间地头", "村委会院内", "小区楼道口", "村文化广场"]
# When each step of the procedure was done, by its place in the order: the notice, the agenda and the roll three,
# two and one days before; the discussion and the decision during the meeting; the notice of results the next day,
# the follow-up a week later. Steps not done yet by now are left open.
STEP_OFFSETS = [
    timedelta(days=-3),
    timedelta(days=-2),
    timedelta(days=-1),
    timedelta(minutes=20),
    timedelta(minutes=60),
    timedelta(days=1),
    timedelta(days=7),
]


def announced(rng: random.Random, at: datetime, low: int, high: int) -> datetime:
    """When a meeting starting at ``at`` was put on the calendar: ``low`` to ``high`` days before, in office hours."""
    latest = at - timedelta(days=low)
    return demo_time.draw(rng, at - timedelta(days=high), latest) or demo_time.previous_working(latest)


def step_done(meeting_start: datetime, index: int) -> datetime:
    offset = STEP_OFFSETS[min(index, len(STEP_OFFSETS) - 1)]
    if timedelta(0) < offset < timedelta(days=1):
        return meeting_start + offset  # during the meeting
    if offset < timedelta(0):
        return demo_time.previous_working(meeting_start + offset)
    return demo_time.next_working(meeting_start + offset)


@dataclass
class Window:
    """A demo case and the time it was open: a meeting can take it up only in between."""

    pk: int
    community_id: int
    opened_at: datetime
    resolved_at: datetime | None
    case_list: str
    handler_id: int | None
    tier: str
    title: str

    def contains(self, t: datetime) -> bool:
        end = self.resolved_at or timezone.now()
        return self.opened_at + LEAD <= t <= end - timedelta(hours=1)


class Builder:
    """Collects meetings and their rows, then writes them in a few bulk inserts."""

    def __init__(self, ctx: DemoContext, venues: dict[int, list[Venue]]):
        self.ctx = ctx
        self.rng = ctx.rng
        self.venues = venues
        self.meetings: list[Meeting] = []
        self.items: dict[int, list[dict]] = defaultdict(list)  # meeting index → agenda rows
        self.parties: dict[int, list[tuple[str, int, int | None]]] = {}
        self.secretaries = {
            c.pk: ctx.users["cadre" if i == 1 else f"cadre{i}"] for i, c in enumerate(ctx.communities, start=1)
        }

    def add(self, meeting: Meeting, parties: list[tuple[str, int]]) -> int:
        held = meeting.held_at is not None
        self.meetings.append(meeting)
        index = len(self.meetings) - 1
        self.parties[index] = [
            (role, invited, max(0, invited - self.rng.randint(0, max(1, invited // 5))) if held else None)
            for role, invited in parties
        ]
        return index

    def retitle(self, index: int, title: str) -> None:
        """Name a meeting once its agenda is known; minutes written for it are headed with the new name."""
        meeting = self.meetings[index]
        meeting.title = title
        if meeting.minutes:
            meeting.minutes = _minutes(title)

    def community_meeting(self, community_id: int, at: datetime, title: str, held: bool = True) -> int:
        rng = self.rng
        venues = self.venues.get(community_id, [])
        venue = rng.choice(venues) if venues and rng.random() < 0.8 else None
        community = next(c for c in self.ctx.communities if c.pk == community_id)
        meeting = Meeting(
            kind=Meeting.Kind.FAMILY_FORUM,
            title=title,
            community_id=community_id,
            venue=venue,
            location="" if venue else rng.choice(FIELD_PLACES),
            starts_at=at,
            organiser=self.secretaries[community_id],
            held_at=at + timedelta(minutes=30) if held else None,
            created_at=announced(rng, at, 3, 7),
            minutes=_minutes(title) if held and rng.random() < 0.4 else "",
        )
        parties = [
            (ParticipantRole.RESIDENT_REPS, rng.randint(8, 20)),
            (ParticipantRole.BUILDING_HEADS, rng.randint(2, 6)),
            (ParticipantRole.COMMITTEES, rng.randint(3, 5)),
        ]
        if community.kind == Community.Kind.NEIGHBOURHOOD:
            parties += [(ParticipantRole.OWNERS_COMMITTEE, rng.randint(2, 4)), (ParticipantRole.PROPERTY, 1)]
        elif rng.random() < 0.5:
            parties.append((ParticipantRole.PROPERTY, rng.randint(1, 2)))
        return self.add(meeting, parties)

    def item(self, meeting: int, case: Window, decision: str = "", **fields) -> None:
        self.items[meeting].append({"case": case, "decision": decision, **fields})

    def save(self) -> None:
        Meeting.objects.bulk_create(self.meetings, batch_size=500)
        Participation.objects.bulk_create(
            [
                Participation(meeting=self.meetings[i], role=role, invited=invited, attended=attended)
                for i, rows in self.parties.items()
                for role, invited, attended in rows
            ],
            batch_size=2000,
        )
        items, tasks = [], []
        for index, rows in self.items.items():
            meeting = self.meetings[index]
            for position, row in enumerate(rows, start=1):
                decided = bool(row["decision"])
                decided_at = meeting.starts_at + timedelta(minutes=40 + 10 * position) if decided else None
                item = AgendaItem(
                    meeting=meeting,
                    case_id=row["case"].pk,
                    position=position,
                    added_by=meeting.organiser,
                    added_at=meeting.created_at,
                    summary=row.get("summary", ""),
                    decision=row["decision"],
                    result=row.get("result", ""),
                    department=row.get("department", ""),
                    due_on=row.get("due_on"),
                    decided_by=meeting.organiser if decided else None,
                    decided_at=decided_at,
                )
                items.append(item)
                for title, owner, due, done in row.get("tasks", []):
                    tasks.append((item, title, owner, due, done))
        AgendaItem.objects.bulk_create(items, batch_size=1000)
        FollowUpTask.objects.bulk_create(
            [
                FollowUpTask(
                    item=item,
                    title=title,
                    owner_id=owner,
                    due_on=due,
                    done_at=done,
                    done_by_id=owner if done else None,
                    done_note="已落实" if done else "",
                )
                for item, title, owner, due, done in tasks
            ]
        )
        steps = list(ProcedureStep.objects.active().order_by("sort_order"))
        now = timezone.now()
        MeetingStep.objects.bulk_create(
            [
                MeetingStep(meeting=meeting, step=step, completed_by=meeting.organiser, completed_at=done)
                for meeting in self.meetings
                if meeting.held_at is not None
                for i, step in enumerate(steps)
                if (done := step_done(meeting.starts_at, i)) <= now
            ],
            batch_size=2000,
        )
        self.item_count = len(items)


def _minutes(title: str) -> str:
    return (
        f"# {title}\n"
        "- 村(居)“两委”通报近期群众反映的问题和办理情况\n"
        "- 群众代表、红色楼长逐项发表意见\n"
        "- **议定事项**见议题记录,会后公示\n"
    )


def stab(windows: list[Window], count: int, capacity: int, gap: timedelta) -> list[tuple[datetime, list]]:
    """Pick ``count`` meeting times that each fall inside as many open windows as possible (at most ``capacity``).

    The candidates are the first meeting slot a day after a case was registered, halfway, and the last one six
    hours before it was resolved, so every time picked is a working-day slot (``demo_time.MEETING_STARTS``).
    """
    left = list(windows)
    chosen: list[tuple[datetime, list[Window]]] = []
    for _ in range(count):
        best, best_hits = None, []
        for w in left:
            end = w.resolved_at or timezone.now()
            for t in (
                demo_time.next_slot(w.opened_at + timedelta(days=1)),
                demo_time.next_slot(w.opened_at + (end - w.opened_at) / 2),
                demo_time.previous_slot(end - timedelta(hours=6)),
            ):
                if any(abs(t - c) < gap for c, _ in chosen):
                    continue
                hits = [x for x in left if x.contains(t)]
                if len(hits) > len(best_hits):
                    best, best_hits = t, hits
        if best is None:
            break
        taken = sorted(best_hits, key=lambda w: w.resolved_at or timezone.now())[:capacity]
        chosen.append((best, taken))
        left = [w for w in left if w not in taken]
    return chosen
