"""Reads for "我也遇到" (同问): the open cases a villager's words resemble, and a new message's likely duplicates.

Both compare against a bounded candidate set (the newest open cases of one community, and of one category on the
public form), scored in Python by ``cases.similarity``: a few hundred short strings, one indexed query.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.models import Community

from .. import similarity
from ..models import OPEN_STATES, Case, CaseState, Category, Feedback

# The newest open cases compared with a text: enough for a community's live problems, cheap to score.
CANDIDATES = 200
SUGGESTIONS = 3


@dataclass(frozen=True)
class PublicSuggestion:
    """What a villager may read of a case: its public title, a status, how many days it is open, the public reply."""

    number: str
    title: str
    status: str
    days_open: int
    public_reply: str

    def as_json(self) -> dict:
        return {
            "case": self.number,
            "title": self.title,
            "status": self.status,
            "days_open": self.days_open,
            "public_reply": self.public_reply,
        }


def _public_status(state: str) -> str:
    return _("已受理,待办理") if state == CaseState.REGISTERED else _("办理中")


def _days_open(opened_at, today: date) -> int:
    return max((today - timezone.localdate(opened_at)).days, 0)


def same_question_candidates(*, community: Community, category: Category):
    """The open cases of ``community`` and ``category`` with a public title, newest first, at most CANDIDATES."""
    return (
        Case.objects.filter(community=community, category=category, state__in=OPEN_STATES)
        .exclude(public_title="")
        .order_by("-opened_at", "-pk")[:CANDIDATES]
    )


def same_question_suggestions(*, community: Community, category: Category | None, text: str) -> list[PublicSuggestion]:
    """Return up to three open cases of the community and category whose public title resembles ``text``.

    Only public fields leave here: the query reads nothing else (not the title, description or contact).
    """
    if category is None or len(similarity.normalize(text).replace(" ", "")) < 2:
        return []
    rows = same_question_candidates(community=community, category=category).values_list(
        "number", "public_title", "state", "opened_at", "public_reply"
    )
    best = similarity.rank(text, ((row, row[1]) for row in rows), limit=SUGGESTIONS)
    today = timezone.localdate()
    return [
        PublicSuggestion(
            number=number,
            title=title,
            status=_public_status(state),
            days_open=_days_open(opened_at, today),
            public_reply=public_reply,
        )
        for (number, title, state, opened_at, public_reply), _score in best
    ]


def same_question_case(*, community: Community, number: str) -> Case | None:
    """Return the open case a villager joins by "我也遇到": of that community, open, with a public title."""
    return (
        Case.objects.filter(community=community, number=number, state__in=OPEN_STATES)
        .exclude(public_title="")
        .select_related("street")
        .first()
    )


@dataclass(frozen=True)
class Duplicate:
    case: Case
    score: float


def feedback_duplicates(*, feedback: Feedback, limit: int = 3) -> list[Duplicate]:
    """Return the open cases of the message's community it most resembles, best first, with their scores.

    For the officials who triage it: compared with each case's title, public title and description (they see all
    three), preferring the message's category, among the community's newest open cases.
    """
    if feedback.state != Feedback.State.NEW:
        return []
    cases = list(
        Case.objects.filter(community_id=feedback.community_id, state__in=OPEN_STATES)
        .select_related("category")
        .order_by("-opened_at", "-pk")[:CANDIDATES]
    )
    text = feedback.text

    def score(case: Case) -> float:
        best = max(similarity.similarity(text, t) for t in (case.title, case.public_title, case.description[:300]))
        return best

    scored = [(case, score(case)) for case in cases]
    scored = [pair for pair in scored if pair[1] >= similarity.THRESHOLD]
    scored.sort(key=lambda pair: (-pair[1], pair[0].category_id != feedback.category_id))
    return [Duplicate(case=case, score=s) for case, s in scored[:limit]]
