"""Anonymous feedback (匿名反馈): the channels a QR code names, the messages, their photos.

Nothing that identifies the sender is stored: no IP address, no user agent, no WeChat id, no exact
location; the time is kept to the hour. A channel names a card batch, a poster or the street, never a
household. The sender follows the message with a random lookup code (查询码).
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import Community, Street

from .case import Case
from .classification import Category

# No look-alikes: 0/O, 1/I/L are left out, so a code read aloud or copied by hand stays right.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 8
TOKEN_PATTERN = r"[A-Za-z0-9_-]{8,40}"  # noqa: S105 - the shape of a QR token, not a secret


def new_channel_token() -> str:
    """Return an opaque random token for a QR code (never a sequence: codes must not be enumerable)."""
    return secrets.token_urlsafe(12)


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def to_hour(moment: datetime) -> datetime:
    """Truncate a time to the hour: staff never see when exactly a message was sent."""
    return moment.replace(minute=0, second=0, microsecond=0)


def feedback_photo_path(instance, filename: str) -> str:
    """Store photos under a random name: the uploaded file name and the date say nothing."""
    return random_name("feedback", ".jpg")


class FeedbackChannel(models.Model):
    """Where a message came in: a card batch, a poster, a meeting notice or the street-wide code."""

    class Kind(models.TextChoices):
        CARD_BATCH = "card_batch", _("联系卡")
        POSTER = "poster", _("二维码张贴点")
        MEETING = "meeting", _("议事公示")
        STREET = "street", _("街道总码")
        OTHER = "other", _("其他")
        OPEN311 = "open311", _("Open311 接口")

    token = models.CharField(_("二维码令牌"), max_length=40, unique=True, default=new_channel_token, editable=False)
    kind = models.CharField(_("渠道类型"), max_length=20, choices=Kind.choices)
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="feedback_channels"
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("村(居)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_channels",
        help_text=_("街道总码和 Open311 接口不属于某个村(居);其他渠道必须选择村(居)。"),
    )
    label = models.CharField(_("名称"), max_length=100, help_text=_("如:芦湖村 联系卡第3批、芦湖村文化广场。"))
    is_active = models.BooleanField(_("启用"), default=True)
    deactivated_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    deactivated_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("反馈渠道")
        verbose_name_plural = _("反馈渠道")
        ordering = ["street_id", "kind", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["street", "open311"], community__isnull=True)
                | (~Q(kind__in=["street", "open311"]) & Q(community__isnull=False)),
                name="feedbackchannel_community_unless_street",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True)
                | (Q(is_active=False, deactivated_at__isnull=False) & ~Q(deactivated_reason="")),
                name="feedbackchannel_deactivation_complete",
            ),
            models.UniqueConstraint(
                fields=["street"], condition=Q(kind="street", is_active=True), name="feedbackchannel_one_street_code"
            ),
        ]
        indexes = [models.Index(fields=["community", "kind"], name="feedbackchannel_community_idx")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("cases:feedback:form", kwargs={"token": self.token})


class QrSource(models.Model):
    """Something printed with a QR code of its own: it owns one feedback channel (a batch of cards, a poster).

    Declared here, next to the channel, so every app that prints codes shares one shape; the subclasses live in
    those apps (visits). Stopping a source stops its channel too, and the printed code then offers the
    street-wide form. The channel's reverse name is the subclass's (``channel.contactcardbatch``).
    """

    class DeactivationReason(models.TextChoices):
        LOST = "lost", _("遗失或损毁")
        SUPERSEDED = "superseded", _("已换新")
        REMOVED = "removed", _("已撤除")

    channel = models.OneToOneField(
        FeedbackChannel,
        verbose_name=_("反馈渠道"),
        on_delete=models.PROTECT,
        related_name="%(class)s",
        editable=False,
    )
    is_active = models.BooleanField(_("在用"), default=True)
    deactivated_at = models.DateTimeField(_("停用时间"), null=True, blank=True, editable=False)
    deactivation_reason = models.CharField(
        _("停用原因"), max_length=20, choices=DeactivationReason.choices, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True, deactivation_reason="")
                | (Q(is_active=False, deactivated_at__isnull=False) & ~Q(deactivation_reason="")),
                name="%(class)s_deactivation_complete",
            ),
        ]


class FeedbackQuerySet(models.QuerySet):
    def pending(self) -> "FeedbackQuerySet":
        return self.filter(state=Feedback.State.NEW)


class Feedback(models.Model):
    """One anonymous message; staff triage it into a case, a duplicate of a case, or a rejection."""

    class State(models.TextChoices):
        NEW = "new", _("待分拣")
        CASE_CREATED = "case_created", _("已立案")
        MERGED = "merged", _("已并入诉求")
        SPAM = "spam", _("无效信息")
        NOT_ACTIONABLE = "not_actionable", _("无法办理")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    TEXT_MIN = 2
    TEXT_MAX = 1000

    channel = models.ForeignKey(
        FeedbackChannel,
        verbose_name=_("渠道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedbacks",
        db_index=False,
    )
    # Every index here is paid for by each anonymous submission; the composite and partial indexes in Meta
    # serve the lookups, so the foreign keys carry none of their own (db_index=False).
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="feedbacks", db_index=False
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedbacks",
        help_text=_("为空表示“其他”。"),
        db_index=False,
    )
    text = models.TextField(_("反映内容"), max_length=TEXT_MAX)
    reply_phone = models.CharField(
        _("回复电话"), max_length=20, blank=True, help_text=_("群众主动留下电话,表示不再匿名、希望回复。")
    )
    # Ticked by the sender: one SMS with the lookup code when the case is resolved (needs a mobile number).
    notify_sms = models.BooleanField(_("办结短信告知"), default=False)
    received_at = models.DateTimeField(_("收到时间(整点)"))
    lookup_code = models.CharField(_("查询码"), max_length=LOOKUP_LENGTH, default=new_lookup_code)  # unique: Meta
    # A random key the form carries, so that a double tap on "submit" gives the same code, not two messages.
    submit_key = models.CharField(max_length=40, null=True, blank=True, editable=False)  # noqa: DJ001 - unique in Meta

    # 同问 ("我也遇到"): a villager joined an open case from the form's suggestions instead of writing a message;
    # the row has no text, is linked to the case at once (state merged) and follows it with its own lookup code.
    same_question = models.BooleanField(_("同问"), default=False)

    state = models.CharField(_("分拣状态"), max_length=20, choices=State.choices, default=State.NEW)
    state_reason = models.CharField(_("处理说明"), max_length=300, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("诉求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedbacks",
        db_index=False,
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分拣人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    triaged_at = models.DateTimeField(_("分拣时间"), null=True, blank=True)

    redacted_text = models.TextField(
        _("脱敏文本"), max_length=TEXT_MAX, blank=True, help_text=_("遮挡个人信息后可对外共享的文本。")
    )
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("脱敏人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    redacted_at = models.DateTimeField(_("脱敏时间"), null=True, blank=True)

    solved = models.BooleanField(_("问题是否解决"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    answered_at = models.DateTimeField(_("评价时间(整点)"), null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众反馈")
        verbose_name_plural = _("群众反馈")
        ordering = ["-received_at", "-id"]
        constraints = [
            # Constraints rather than unique=True: no second (LIKE) index on PostgreSQL.
            models.UniqueConstraint(fields=["lookup_code"], name="feedback_lookup_code_unique"),
            models.UniqueConstraint(fields=["submit_key"], name="feedback_submit_key_unique"),
            models.CheckConstraint(
                condition=~Q(state__in=["case_created", "merged"]) | Q(case__isnull=False),
                name="feedback_linked_state_has_case",
            ),
            models.CheckConstraint(
                condition=~Q(state="new") | Q(case__isnull=True, triaged_at__isnull=True),
                name="feedback_new_is_untriaged",
            ),
            models.CheckConstraint(condition=Q(notify_sms=False) | ~Q(reply_phone=""), name="feedback_sms_has_phone"),
            models.CheckConstraint(
                condition=~Q(state__in=["spam", "not_actionable"]) | ~Q(state_reason=""),
                name="feedback_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, solved__isnull=True, satisfaction="")
                | Q(answered_at__isnull=False, solved__isnull=False, case__isnull=False) & ~Q(satisfaction=""),
                name="feedback_answer_complete",
            ),
            models.CheckConstraint(
                condition=Q(same_question=False) | Q(state="merged", case__isnull=False, triaged_by__isnull=True),
                name="feedback_same_question_on_a_case",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "state", "-received_at"], name="feedback_queue_idx"),
            models.Index(fields=["channel", "received_at"], name="feedback_channel_idx"),
            models.Index(fields=["street", "received_at"], name="feedback_street_idx"),
            # Set only after triage, so a new submission adds nothing to these.
            models.Index(fields=["case"], name="feedback_case_idx", condition=Q(case__isnull=False)),
            models.Index(fields=["triaged_by"], name="feedback_triaged_by_idx", condition=Q(triaged_by__isnull=False)),
            models.Index(
                fields=["redacted_by"], name="feedback_redacted_by_idx", condition=Q(redacted_by__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return _("匿名反馈 #%(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs) -> None:
        self.received_at = to_hour(self.received_at or timezone.now())
        if self.answered_at is not None:
            self.answered_at = to_hour(self.answered_at)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:feedback_detail", kwargs={"pk": self.pk})

    @property
    def shareable_text(self) -> str:
        """The text to share beyond the handling office: the redacted copy when there is one."""
        return self.redacted_text or self.text

    @property
    def display_code(self) -> str:
        return f"{self.lookup_code[:4]} {self.lookup_code[4:]}"


class FeedbackPhoto(models.Model):
    """A photo sent with a message: re-encoded as JPEG without EXIF, under a random name."""

    MAX_PER_FEEDBACK = 3

    feedback = models.ForeignKey(Feedback, verbose_name=_("反馈"), on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=feedback_photo_path)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    size = models.PositiveIntegerField(_("字节数"), default=0)

    class Meta:
        verbose_name = _("反馈照片")
        verbose_name_plural = _("反馈照片")
        ordering = ["feedback_id", "id"]

    def __str__(self) -> str:
        return self.image.name
