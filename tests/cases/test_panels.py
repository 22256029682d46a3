"""Sections other apps add to the case page (cases.panels): shown in order, each only where it has something."""

import pytest

from cases import panels
from cases.models import Case, CaseState
from cases.panels import CasePanel, panels_for


@pytest.fixture
def registered():
    """Two panels of a test app, taken away again afterwards (the registry lives as long as the process)."""
    added = (
        CasePanel(key="test.later", template="later.html", order=90, context=lambda *, user, case: {"n": case}),
        CasePanel(
            key="test.sooner",
            template="sooner.html",
            order=10,
            context=lambda *, user, case: {"who": user} if user == "supervisor" else None,
        ),
    )
    panels.register(*added)
    yield
    for panel in added:
        del panels._registry.entries[panel.key]


def test_each_panel_shows_in_its_order_and_only_where_it_has_something(registered):
    case = Case(state=CaseState.REGISTERED)  # not resolved: the apps' own panels have nothing for it
    shown = [p for p in panels_for(user="supervisor", case=case) if p["key"].startswith("test.")]
    assert shown == [
        {"key": "test.sooner", "template": "sooner.html", "data": {"who": "supervisor"}},
        {"key": "test.later", "template": "later.html", "data": {"n": case}},
    ]
    assert [p["key"] for p in panels_for(user="grid worker", case=case) if p["key"].startswith("test.")] == [
        "test.later"
    ]
