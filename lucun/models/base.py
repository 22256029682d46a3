"""Abstract bases the apps build on: configuration rows switched off rather than deleted, and append-only history."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ConfigRowQuerySet(models.QuerySet):
    def active(self) -> "ConfigRowQuerySet":
        return self.filter(is_active=True)


def localized_name(name: str, name_en: str) -> str:
    """Return the English name when English is active and there is one, else the Chinese name.

    For names read as plain values (``values("category__name", "category__name_en")``) rather than rows.
    """
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class EnglishNamed(models.Model):
    """A named row of configuration that carries an English name beside its Chinese one.

    ``str()`` and ``display_name`` give the name in the active language: the English name when English is
    active and one is set, the Chinese name otherwise (Chinese is the first language).
    """

    name_en = models.CharField(
        _("英文名称"), max_length=100, blank=True, help_text=_("界面为英文时显示;留空则显示中文名称。")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)


class ConfigRow(EnglishNamed):
    """A row of configuration a street edits in the admin (a category, a service type, a red line …).

    Rows are switched off, never deleted, so what was recorded against them keeps its meaning; pickers offer
    ``objects.active()``. A subclass may redeclare a field where its length, uniqueness or the word users see
    differs (上架 for a shop item), keeping the shape.
    """

    name = models.CharField(_("名称"), max_length=30, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ConfigRowQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]


class AppendOnlyModel(models.Model):
    """History that is never rewritten: rows are added, never changed or deleted (a mistake gets a new row).

    The migrations of each such table add database triggers too (``lucun.db.append_only``); this guard
    answers in the user's words before the database has to.
    """

    # Said after the refusal, e.g. how a mistake is corrected instead.
    append_only_hint = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(self._refusal(_("只能新增,不能修改")))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self._refusal(_("不能删除")))

    def _refusal(self, what: str) -> str:
        hint = f";{self.append_only_hint}" if self.append_only_hint else ""
        return f"{self._meta.verbose_name}{what}{hint}。"
