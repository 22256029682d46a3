import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

# What seed_demo builds, and that a second run adds nothing, is checked on one run of it in test_demo_figures.py.


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
