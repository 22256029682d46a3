import pytest
from django.core.management import CommandError, call_command

from lucun.models import Community, Grid, Position, Street, User

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Street, Community, Grid, User, Position)]


def test_seed_demo_builds_luhu_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    street = Street.objects.get(code="LH")
    assert street.name == "芦湖街道"
    assert street.communities.count() == 14
    assert {"芦湖村", "稻香村", "赵店村", "雍翠园社区"} <= set(street.communities.values_list("name", flat=True))
    out = capsys.readouterr().out
    assert "leader" in out and "cadre" in out


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
