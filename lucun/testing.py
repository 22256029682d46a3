"""Checks the test settings switch on: a page that shows a template variable which does not exist fails.

Django renders a missing variable as an empty string, so a template that reads a name its view never
provides (a form's choices, a count) looks fine to a test and shows nothing to a person. The test settings
render it as ``INVALID_MARKER`` instead, and ``InvalidTemplateVariableMiddleware`` turns any response
that contains the marker into an error, so the test that opened the page fails and names the variable.

``{% for %}`` over a missing variable is skipped silently even then (Django resolves the loop's sequence
ignoring failures), which is how a list of choices can go missing from a page; while the middleware is
loaded such a loop writes the marker too. ``{% if %}`` keeps Django's behaviour: testing whether an
optional value is there is what it is for.
"""

import re

# Only the standard library at import time: the test settings import this module.

INVALID_MARKER = "INVALID_TEMPLATE_VARIABLE"
STRING_IF_INVALID = INVALID_MARKER + "[%s]"
_FOUND = re.compile(re.escape(INVALID_MARKER) + r"\[([^\]]*)\]")

# Django's own admin templates rely on missing variables rendering as nothing (Django's documentation,
# "How invalid variables are handled"); they are not ours to fix, so the admin is not checked.
EXEMPT_PREFIXES = ("/admin/",)


class InvalidTemplateVariable(AssertionError):
    """A page rendered a template variable that does not exist."""


class _Resolved:
    """A loop sequence already resolved, standing in for the FilterExpression of a copied ForNode."""

    def __init__(self, value):
        self.value = value

    def resolve(self, context, ignore_failures=False):
        return self.value


def strict_for_loops() -> None:
    """Make ``{% for x in missing %}`` write the marker (and then render its ``{% empty %}`` part)."""
    import copy

    from django.template.defaulttags import ForNode

    if getattr(ForNode.render, "strict", False):
        return
    original = ForNode.render

    def render(self, context):
        # Resolve once, as Django would; a missing variable gives the marker (string_if_invalid).
        value = self.sequence.resolve(context)
        node = copy.copy(self)  # nodes are shared between threads: never change the template's own
        if isinstance(value, str) and value.startswith(INVALID_MARKER):
            node.sequence = _Resolved(None)
            return value + original(node, context)
        node.sequence = _Resolved(value)
        return original(node, context)

    render.strict = True
    ForNode.render = render


class InvalidTemplateVariableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        strict_for_loops()

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if request.path.startswith(EXEMPT_PREFIXES) or response.streaming:
            return response
        if not response.get("Content-Type", "").startswith(("text/", "application/json")):
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        content = response.content.decode(response.charset or settings.DEFAULT_CHARSET, errors="replace")
        found = [(m.group(1), m.start()) for m in _FOUND.finditer(content)]
        if found:
            names = sorted({name for name, _ in found})
            start = found[0][1]
            excerpt = content[max(0, start - 200) : start + 100]
            raise InvalidTemplateVariable(
                f"{request.method} {request.get_full_path()} rendered missing template variables {names}; "
                f"first one here:\n{excerpt}"
            )
        return response
