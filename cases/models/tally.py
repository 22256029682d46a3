"""Open cases counted by what the dashboard groups and filters on, kept by database triggers.

Every insert, update or delete of a case adjusts the counts in the same transaction, whatever wrote
it (a service, the set-based sweep, a bulk load), so the dashboard reads a few hundred rows instead
of every open case. The counts are by stored colour; the dashboard adds the few cases that crossed
a threshold since the last sweep (found through the sweep's partial indexes).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.models import Community

from .case import Category, Colour, Tier


class CaseTally(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("村(居)")
    )
    tier = models.ForeignKey(Tier, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    colour = models.CharField(max_length=10, choices=Colour.choices)
    open_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("未办结诉求计数")
        verbose_name_plural = _("未办结诉求计数")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "tier", "category", "first_responder", "colour"], name="casetally_one_row_per_key"
            ),
            models.CheckConstraint(condition=models.Q(open_count__gte=0), name="casetally_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.tier_id}/{self.colour}: {self.open_count}"
