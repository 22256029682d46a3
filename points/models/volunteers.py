"""积分 volunteers: the service corps they belong to, the volunteer and their 一码通 token."""

import secrets

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow, phone_validator
from lucun.text import mask_phone

# Crockford-like alphabet: no 0/O, 1/I/L, so a code read aloud or typed at the counter is unambiguous.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a secret
TOKEN_LENGTH = 16  # 31**16 ≈ 2**79: not guessable, and short enough to type in four groups


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(text: str) -> str:
    """Turn what staff typed (spaces, dashes, lower case) into the stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_token(token: str) -> str:
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


class ServiceCorps(ConfigRow):
    """A service corps (服务团) volunteers belong to: 环境整治员, 乡风文明员, 纠纷调解员 …"""

    class Meta(ConfigRow.Meta):
        verbose_name = _("服务团")
        verbose_name_plural = _("服务团")


class Volunteer(models.Model):
    """A volunteer of one community; may be linked to their own record as a member of a household (民情账本)."""

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="volunteers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    corps = models.ManyToManyField(ServiceCorps, verbose_name=_("服务团"), blank=True, related_name="volunteers")
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    # A person's standing on the register (在册), not a configuration switch: a volunteer is not a ConfigRow, and
    # the flag keeps the name the API and the volunteer list publish.
    active = models.BooleanField(_("在册"), default=True)
    # One person is one volunteer, so a member links to at most one. Same community as the volunteer: a rule across
    # two tables, checked by the services (volunteer_create, volunteer_update), not expressible as a CHECK.
    member = models.OneToOneField(
        "visits.HouseholdMember",
        verbose_name=_("家庭成员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        help_text=_("志愿者本人在民情账本中的家庭成员记录,可不关联。"),
    )
    # The 一码通 key, printed on the card as a QR code. Stored as issued (unique) so a card can be reprinted;
    # it only opens the volunteer's own page and claim form — redemption needs a signed-in staff member.
    token = models.CharField(  # NULL: revoked or never issued
        _("一码通"), max_length=TOKEN_LENGTH, null=True, blank=True, unique=True, editable=False
    )
    token_issued_at = models.DateTimeField(_("一码通签发时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["community_id", "name", "id"]
        constraints = [
            # The same name with the same phone in one community is the same person registered twice.
            models.UniqueConstraint(
                fields=["community", "name", "phone"], condition=~Q(phone=""), name="volunteer_unique_name_phone"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "active", "name"], name="volunteer_community_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("points:volunteer_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def token_display(self) -> str:
        return format_token(self.token) if self.token else ""
