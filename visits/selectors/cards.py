"""Scoped reads of 党群联系卡 and 意见收集二维码: per-community lists, messages per code, print jobs."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Feedback
from lucun.models import Community, User
from lucun.scoping import communities_for, scope

from ..models import ContactCardBatch, FeedbackPoint, PrintJob


def _messages():
    """Messages that came in through the row's channel (a subquery: no join that multiplies rows)."""
    return Coalesce(
        Subquery(
            Feedback.objects.filter(channel=OuterRef("channel"))
            .order_by()
            .values("channel")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def card_batch_list(*, user: User, community: Community | None = None) -> QuerySet[ContactCardBatch]:
    """Return the card batches the user may see, newest first, with their channel, team and message count."""
    qs = scope(ContactCardBatch.objects.all(), user)
    if community is not None:
        qs = qs.filter(community=community)
    return (
        qs.select_related("community", "community__street", "team", "channel", "created_by")
        .annotate(messages=_messages())
        .order_by("community__sort_order", "community_id", "-number")
    )


def feedback_point_list(*, user: User, community: Community | None = None) -> QuerySet[FeedbackPoint]:
    """Return the posters the user may see, those in use first, with their channel and message count."""
    qs = scope(FeedbackPoint.objects.all(), user)
    if community is not None:
        qs = qs.filter(community=community)
    return (
        qs.select_related("community", "community__street", "channel", "created_by")
        .annotate(messages=_messages())
        .order_by("community__sort_order", "community_id", "-is_active", "name", "pk")
    )


def print_job_list(*, user: User) -> QuerySet[PrintJob]:
    return (
        scope(PrintJob.objects.all(), user, "batch__community")
        .select_related("batch", "batch__community", "created_by")
        .order_by("-created_at", "-pk")
    )


def print_files_visible(*, user: User) -> QuerySet[PrintJob]:
    """Return the finished print jobs whose PDF the user may download: those of the user's communities."""
    return scope(PrintJob.objects.filter(state=PrintJob.State.DONE), user, "batch__community").select_related("batch")


@dataclass
class CommunityCards:
    community: Community
    batches: int = 0
    cards: int = 0
    posters: int = 0
    messages: int = 0


def card_overview(*, user: User) -> list[CommunityCards]:
    """Per community the user sees: batches and cards in use, posters in use, messages through them all.

    Three grouped queries, whatever the number of communities.
    """
    communities = list(communities_for(user).select_related("street").order_by("street__name", "sort_order", "name"))
    ids = [c.pk for c in communities]
    batches = {
        r["community"]: r
        for r in ContactCardBatch.objects.filter(community__in=ids, is_active=True)
        .order_by()
        .values("community")
        .annotate(batches=Count("pk"), cards=Sum("quantity"))
    }
    posters = dict(
        FeedbackPoint.objects.filter(community__in=ids, is_active=True)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    messages = dict(
        Feedback.objects.filter(channel__community__in=ids)
        .filter(Q(channel__contactcardbatch__isnull=False) | Q(channel__feedbackpoint__isnull=False))
        .order_by()
        .values("channel__community")
        .annotate(n=Count("pk"))
        .values_list("channel__community", "n")
    )
    return [
        CommunityCards(
            community=c,
            batches=batches.get(c.pk, {}).get("batches", 0),
            cards=batches.get(c.pk, {}).get("cards", 0) or 0,
            posters=posters.get(c.pk, 0),
            messages=messages.get(c.pk, 0),
        )
        for c in communities
    ]
