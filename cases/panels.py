"""Sections other apps add to the case page, registered in their ``AppConfig.ready()``: the apps above cases (the
callbacks of outcomes, for one) show what they hold about a case there, and cases imports none of them.

A panel names the template the case page includes and a function of the person and the case giving what that
template shows, or None when the panel has nothing for this person on this case.
"""

from collections.abc import Callable
from dataclasses import dataclass

from lucun.registry import Registry


@dataclass(frozen=True)
class CasePanel:
    key: str
    template: str  # included with ``panel`` (what ``context`` gave) and the page's ``case``
    context: Callable[..., dict | None]  # (user=, case=) -> the template's ``panel``; None: nothing to show
    order: int = 50


_registry: Registry[CasePanel] = Registry(ordered=True)
register = _registry.register


def panels_for(*, user, case) -> list[dict]:
    """The panels this person sees on this case's page, in order: ``{"key", "template", "data"}`` each."""
    shown = []
    for panel in _registry.registered():
        data = panel.context(user=user, case=case)
        if data is not None:
            shown.append({"key": panel.key, "template": panel.template, "data": data})
    return shown
