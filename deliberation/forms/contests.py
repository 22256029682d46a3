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


# The five tiles a resident picks from for each criterion: a share of its full marks, best first.
BALLOT_LEVELS = (
    (5, _("很好")),
    (4, _("较好")),
    (3, _("一般")),
    (2, _("较差")),
    (1, _("差")),
)


def ballot_tile_score(criterion: ContestCriterion, level: int) -> int:
    """Return the score a tile of ``level`` (1–5) stands for on ``criterion``: that many fifths of its full marks."""
    return round(criterion.max_score * level / len(BALLOT_LEVELS))


class BallotForm(forms.Form):
    """A resident's ballot: for each community, one tile per criterion; a community left blank is not scored."""

    def __init__(self, *args, communities: list[Community], criteria: list[ContestCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.communities, self.criteria = communities, criteria
        for community in communities:
            for criterion in criteria:
                self.fields[self.key(community, criterion)] = forms.TypedChoiceField(
                    label=f"{community.name} · {criterion.name}",
                    choices=[
                        (ballot_tile_score(criterion, level), f"{label} {ballot_tile_score(criterion, level)}")
                        for level, label in BALLOT_LEVELS
                    ],
                    coerce=int,
                    required=False,
                    empty_value=None,
                )

    @staticmethod
    def key(community: Community, criterion: ContestCriterion) -> str:
        return f"s_{community.pk}_{criterion.pk}"

    def groups(self) -> list[dict]:
        """Return the communities, each with its criteria as tile groups, for the page."""
        data = self.data if self.is_bound else {}
        groups = []
        for community in self.communities:
            rows = []
            for criterion in self.criteria:
                name = self.key(community, criterion)
                chosen = str(data.get(name, ""))
                rows.append(
                    {
                        "criterion": criterion,
                        "tiles": {
                            "name": name,
                            "choices": [(v, label, str(v) == chosen) for v, label in self.fields[name].choices],
                        },
                    }
                )
            scored = any(str(data.get(self.key(community, c), "")) for c in self.criteria)
            groups.append({"community": community, "rows": rows, "open": scored})
        return groups

    def scores(self) -> dict[tuple[Community, ContestCriterion], int]:
        return {
            (community, criterion): self.cleaned_data[self.key(community, criterion)]
            for community in self.communities
            for criterion in self.criteria
            if self.cleaned_data.get(self.key(community, criterion)) is not None
        }


class BallotIssueForm(forms.Form):
    count = forms.IntegerField(label=_("发放张数"), min_value=1, max_value=2000, initial=50)


class BallotVoidForm(forms.Form):
    first = forms.IntegerField(
        label=_("起始票号"), min_value=1, required=False, help_text=_("不填则作废全部未使用选票。")
    )
    last = forms.IntegerField(label=_("截止票号"), min_value=1, required=False)
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class BallotWeightForm(forms.Form):
    resident_weight = forms.IntegerField(label=_("群众评分权重(%)"), min_value=0, max_value=100)
