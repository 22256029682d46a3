"""Long jobs a person waits for: an export of a list too large to answer at once, and its progress."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..jobs.models import BackgroundJob


def export_file_path(instance: "ExportJob", filename: str) -> str:
    """Keep exported files under a random name (the migrations' name for ``jobs.models.job_file_path``)."""
    from ..files import random_name

    return random_name("exports", filename[filename.rfind(".") :] if "." in filename else "")


class ExportJob(BackgroundJob):
    """One export of a list page (an xlsx file, or the printed case sheets) too large to answer at once, made by a
    Celery task that records its progress.

    ``kind`` names the exporter an app registered (``lucun.exports``); ``query`` is the page's query string, so
    the task rebuilds exactly the page's filters and scope for the person who asked, when it runs.
    """

    file_folder = "exports"

    kind = models.CharField(_("导出内容"), max_length=60)
    query = models.TextField(_("筛选条件"), blank=True)
    # The site's address as the person asked (LUCUN_PUBLIC_BASE_URL or the request's host), for the absolute
    # addresses a file prints, such as the QR code of each case sheet.
    site = models.CharField(_("网站地址"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])
