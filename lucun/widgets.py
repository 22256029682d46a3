"""The date and time inputs of every form: the browser's own pickers, with the value written as they need it.

``<input type="date">`` accepts only ``2027-01-18`` and ``datetime-local`` only ``2027-01-18T09:30``; the
Chinese locale writes ``2027/01/18``, which the browser discards, so a pre-filled date would show blank.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class Select(forms.Select):
    """A drop-down written in Python: the same markup as Django's ``Select``, without a template per option.

    A filter bar lists every community, category and official of a county; rendering each option through the
    widget templates costs more than reading the page's figures.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(_as_text(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(_as_text(option['label']))}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped


def _as_text(value) -> str:
    """A value as ``{{ value }}`` and ``|stringformat:'s'`` write it: text kept safe if it was marked safe."""
    return value if isinstance(value, str) else str(value)


def _attrs(attrs: dict) -> str:
    """The attributes as ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(_as_text(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ReadChoices(ModelChoiceIterator):
    """A model drop-down's options read with one plain statement (``ModelChoiceIterator`` opens a server-side
    cursor on PostgreSQL: a statement and two more round trips for a list of a few hundred rows)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def read_choices_plainly(field: forms.ModelChoiceField) -> None:
    """Make ``field`` read its options with ``ReadChoices``."""
    field.iterator = ReadChoices
    field.widget.choices = field.choices
