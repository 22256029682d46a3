import pytest

from lucun.demo import seed_org
from outcomes.demo import seed
from outcomes.models import CadreAdjustment, Callback, SurveySample, TalentRecord, TermGoal

pytestmark = pytest.mark.django_db


def test_demo_seeds_outcomes_once():
    ctx = seed_org(log=lambda *a: None)
    ctx.log = lambda *a: None
    seed(ctx)  # without cases or visits: goals, adjustments, talent and external figures still come
    counts = [m.objects.count() for m in (Callback, SurveySample, TermGoal, CadreAdjustment, TalentRecord)]
    seed(ctx)
    assert [m.objects.count() for m in (Callback, SurveySample, TermGoal, CadreAdjustment, TalentRecord)] == counts
    assert TalentRecord.objects.count() == 137
    assert TalentRecord.objects.filter(stage="reserve_secretary").count() == 10
    assert CadreAdjustment.objects.filter(kind="withdrew").count() == 15
