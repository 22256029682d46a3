"""The form of a 通报: its street, title and period, and the violations of the period it lists with their handling.

The violations offered are those of the street and period the form is sent with (or shows at first), so changing
the period and pressing 列出 offers that period's; each has a box to tick and a line for its handling.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lucun.models import Street
from lucun.widgets import DateInput

from ..models import ConductViolation
from ..services.notices import HANDLING_MAX, BulletinEntry


@dataclass
class CandidateRow:
    """One violation the form offers: the violation, its box and its handling line."""

    violation: ConductViolation
    chosen: forms.BoundField
    handling: forms.BoundField


class BulletinForm(forms.Form):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=100, help_text=_("如:2026年3月作风问题通报。"))
    period_from = forms.DateField(label=_("通报期间自"), widget=DateInput())
    period_to = forms.DateField(label=_("通报期间至"), widget=DateInput())
    body = forms.CharField(
        label=_("通报说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("印在通报开头,可写明背景和要求。"),
    )

    def __init__(
        self,
        data=None,
        *,
        streets,
        candidates: Callable[[Street, date, date], Iterable[ConductViolation]],
        initial: dict,
        chosen: dict[int, str] | None = None,
        street_fixed: bool = False,
        listing: bool = False,
    ):
        super().__init__(data, initial=initial)
        self.listing = listing
        field = self.fields["street"]
        field.queryset = streets
        if street_fixed:
            field.disabled = True
        if street_fixed or len(streets) == 1:
            field.widget = forms.HiddenInput()
        if listing:
            self.fields["title"].required = False
        street, start, end = self._shown()
        self.candidates = list(candidates(street, start, end)) if street is not None and start <= end else []
        chosen = chosen or {}
        for v in self.candidates:
            self.fields[f"item-{v.pk}"] = forms.BooleanField(
                label=_("列入本期:%(date)s %(official)s · %(kind)s")
                % {"date": v.occurred_on.isoformat(), "official": v.official, "kind": v.kind.display_name},
                required=False,
                initial=v.pk in chosen,
            )
            self.fields[f"handling-{v.pk}"] = forms.CharField(
                label=_("处理情况"),
                required=False,
                max_length=HANDLING_MAX,
                initial=chosen.get(v.pk, ""),
                help_text=_("如:诫勉谈话、通报批评、责令整改。"),
            )

    def _shown(self) -> tuple[Street | None, date, date]:
        """The street and period whose violations the form offers: those sent, where they are valid."""

        def value(name: str):
            field = self.fields[name]
            if self.is_bound and not field.disabled:
                try:
                    return field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
                except ValidationError:
                    pass
            found = self.initial.get(name)
            if name == "street" and found is not None and not isinstance(found, Street):
                found = field.queryset.filter(pk=found).first()
            return found

        return value("street"), value("period_from"), value("period_to")

    @property
    def rows(self) -> list[CandidateRow]:
        return [CandidateRow(v, self[f"item-{v.pk}"], self[f"handling-{v.pk}"]) for v in self.candidates]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("结束日期不能早于开始日期。"))
        if self.listing:
            return data
        entries = []
        for v in self.candidates:
            if not data.get(f"item-{v.pk}"):
                continue
            handling = (data.get(f"handling-{v.pk}") or "").strip()
            if not handling:
                self.add_error(f"handling-{v.pk}", _("请填写这起问题的处理情况。"))
            entries.append(BulletinEntry(violation=v, handling=handling))
        if not entries and not self.errors:
            raise ValidationError(_("请至少勾选一起作风问题列入通报。"))
        data["entries"] = entries
        return data
