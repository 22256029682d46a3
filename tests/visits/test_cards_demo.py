import pytest

from cases import demo as cases_demo
from cases.models import FeedbackChannel
from lucun.demo import seed_org
from visits import demo
from visits.models import ContactCardBatch, FeedbackPoint

pytestmark = pytest.mark.django_db


def test_demo_prints_twelve_thousand_cards_and_35_posters_on_the_feedback_demo_channels(monkeypatch):
    monkeypatch.setattr(demo, "HOUSEHOLDS_AT_SCALE_1", 280)  # cards follow the households' shares
    ctx = seed_org(log=lambda *a: None)
    cases_demo.seed(ctx)  # seed_demo runs the cases app's seeder first (INSTALLED_APPS order)
    demo.seed(ctx)
    batches = list(ContactCardBatch.objects.select_related("channel"))
    assert sum(b.quantity for b in batches) == demo.CARDS_AT_SCALE_1
    assert FeedbackPoint.objects.count() == demo.POSTERS_AT_SCALE_1
    assert {b.community_id for b in batches} == {c.pk for c in ctx.communities}
    # Every card or poster channel belongs to exactly one batch or poster: none duplicated, none left over.
    channels = FeedbackChannel.objects.filter(kind__in=["card_batch", "poster"])
    linked = (
        channels.filter(contactcardbatch__isnull=False).count() + channels.filter(feedbackpoint__isnull=False).count()
    )
    assert linked == channels.count() == len(batches) + demo.POSTERS_AT_SCALE_1
    # The feedback demo's messages arrived through channels that are now batches and posters.
    assert channels.filter(feedbacks__isnull=False).exists()
    # The lost batch of the feedback demo is a stopped batch here.
    lost = [b for b in batches if not b.channel.is_active]
    assert lost and all(not b.is_active and b.deactivation_reason == "lost" for b in lost)
    counts = (ContactCardBatch.objects.count(), FeedbackPoint.objects.count(), FeedbackChannel.objects.count())
    demo.seed(ctx)
    assert (ContactCardBatch.objects.count(), FeedbackPoint.objects.count(), FeedbackChannel.objects.count()) == counts
