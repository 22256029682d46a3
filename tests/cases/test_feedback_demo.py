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


def test_the_demo_offers_me_too_on_its_open_cases(client):
    from cases.demo import seed
    from lucun.demo import seed_org

    cache.clear()
    seed(seed_org(log=lambda *a: None))
    open_cases = Case.objects.filter(resolved_at__isnull=True)
    titled = open_cases.exclude(public_title="")
    assert 0.5 * open_cases.count() <= titled.count() < open_cases.count()
    assert not Case.objects.filter(resolved_at__isnull=False).exclude(public_title="").exists()
    assert not titled.filter(public_title__regex=r"[0-9]{2,}号|1[3-9][0-9]{9}").exists()  # no doors, no phones
    same = Feedback.objects.filter(same_question=True)
    assert same.exists() and not same.exclude(text="").exists()
    for case in Case.objects.filter(same_question_count__gt=0):
        assert same.filter(case=case).count() == case.same_question_count
    assert not same.exclude(case__in=titled).exists()  # only on open cases with a public title
    case = titled.first()
    poster = FeedbackChannel.objects.get(kind="poster", community=case.community)
    url = reverse("cases:feedback:similar", kwargs={"token": poster.token})
    data = {"community": case.community_id, "category": case.category_id, "text": case.public_title + ",好几天了"}
    found = client.post(url, data).json()["suggestions"]
    assert case.number in [s["case"] for s in found]
