import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import Case, CaseEvent, Feedback, FeedbackChannel
from cases.selectors import feedback_channel_public_url
from tests.cases.factories import channel

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.cases.root_urls")
def test_short_root_addresses_are_used_once_the_project_mounts_them(client, community):
    cache.clear()
    poster = channel(community=community)
    assert feedback_channel_public_url(channel=poster) == f"/f/{poster.token}/"
    response = client.post(f"/f/{poster.token}/", {"community": community.pk, "text": "路灯坏了"})
    code = Feedback.objects.get().lookup_code
    assert f'href="/s/{code}/"' in response.content.decode()  # the receipt links the short status address
    assert reverse("cases:feedback:form", kwargs={"token": poster.token}) == f"/cases/f/{poster.token}/"


def test_demo_feedback_is_linked_to_cases_and_idempotent():
    from cases.demo import seed
    from lucun.demo import seed_org

    ctx = seed_org(log=lambda *a: None)
    seed(ctx)
    counts = (FeedbackChannel.objects.count(), Feedback.objects.count(), CaseEvent.objects.count())
    seed(ctx)
    assert (FeedbackChannel.objects.count(), Feedback.objects.count(), CaseEvent.objects.count()) == counts
    assert FeedbackChannel.objects.filter(kind="street").count() == 1
    assert FeedbackChannel.objects.filter(kind="poster").count() == 14
    assert FeedbackChannel.objects.filter(kind="card_batch", is_active=False).exists()
    states = {s: Feedback.objects.filter(state=s).count() for s in Feedback.State.values}
    assert all(states.values()), states
    assert states["case_created"] + states["merged"] > sum(states.values()) / 2
    from_feedback = Case.objects.filter(source=Case.Source.FEEDBACK)
    assert from_feedback.exists() and not from_feedback.filter(source_id__isnull=True).exists()
    assert all(f.source_object.case_id == f.pk for f in from_feedback[:20])
    assert not Feedback.objects.exclude(received_at__minute=0).exists()
