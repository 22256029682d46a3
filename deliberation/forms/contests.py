"""The 擂台比武 score sheet of one judge. Forms check shape only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lucun.models import Community

from ..models import ContestCriterion


class ScoreForm(forms.Form):
    community = forms.ModelChoiceField(label=_("参赛村(居)"), queryset=Community.objects.none(), empty_label=None)
    judge = forms.IntegerField(label=_("评委编号"), min_value=1, max_value=999)

    def __init__(self, *args, communities, criteria: list[ContestCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s(满分 %(max)d)") % {"name": criterion.display_name, "max": criterion.max_score},
                min_value=0,
                max_value=criterion.max_score,
                required=False,
            )

    def scores(self) -> dict[ContestCriterion, int]:
        return {
            c: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }
