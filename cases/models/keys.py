"""Keys the street issues to other systems (an Open311 app, the 12345 platform): one shape for every kind.

A key is shown once when it is issued and stored only as its SHA-256 hash with a short prefix to tell it by; it
belongs to one street, is used at most ``hourly_limit`` times an hour, and is revoked with a reason, never deleted.
Each kind is a concrete model on ``IssuedKey`` with its own table, prefix and throttle.
"""

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lucun.models import Street

# A longer value is no key of ours; it is refused before it is hashed.
KEY_MAX_LENGTH = 100


def api_key_hash(key: str) -> str:
    """Return what is stored of a key: its SHA-256 in hex (a random key needs no slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


class IssuedKey(models.Model):
    """A key another system uses for one street; revoked, never deleted."""

    secret_prefix: ClassVar[str]  # what every key of the kind starts with, so a leaked one is recognised
    throttle_purpose: ClassVar[str]  # the name its hourly uses are counted under

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("使用方"), max_length=100)
    prefix = models.CharField(_("密钥开头"), max_length=12, editable=False, help_text=_("用于辨认密钥,不足以使用它。"))
    key_hash = models.CharField(max_length=64, editable=False)  # unique: Meta
    hourly_limit = models.PositiveIntegerField(_("每小时提交上限"), default=100)  # each kind names its own
    is_active = models.BooleanField(_("有效"), default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    revoked_reason = models.CharField(_("吊销原因"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["street_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="%(class)s_hash_unique"),
            models.CheckConstraint(
                condition=Q(is_active=True, revoked_at__isnull=True)
                | (Q(is_active=False, revoked_at__isnull=False) & ~Q(revoked_reason="")),
                name="%(class)s_revocation_complete",
            ),
            models.CheckConstraint(condition=Q(hourly_limit__gte=1), name="%(class)s_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def new_secret(cls) -> str:
        """Return a fresh random key of this kind: 256 bits, URL-safe, recognisable by its prefix."""
        return cls.secret_prefix + secrets.token_urlsafe(32)
