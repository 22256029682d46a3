import django.utils.timezone
import lucun.jobs.models
from django.db import migrations, models


class Migration(migrations.Migration):
    """Print jobs extend the one background-job model: progress counted as done of total (the pages kept), and
    files that expire."""

    dependencies = [
        ("visits", "0004_qr_source_base"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="printjob", name="printjob_progress_bounded"),
        migrations.RenameField(model_name="printjob", old_name="pages_total", new_name="total"),
        migrations.RenameField(model_name="printjob", old_name="pages_done", new_name="done"),
        migrations.AddField(
            model_name="printjob",
            name="expired_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="文件清理时间"),
        ),
        migrations.AlterField(
            model_name="printjob",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="创建时间"),
        ),
        migrations.AlterField(
            model_name="printjob",
            name="done",
            field=models.PositiveIntegerField(default=0, verbose_name="已完成数"),
        ),
        migrations.AlterField(
            model_name="printjob",
            name="file",
            field=models.FileField(
                blank=True, max_length=200, upload_to=lucun.jobs.models.job_file_path, verbose_name="文件"
            ),
        ),
        migrations.AlterField(
            model_name="printjob",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "排队中"),
                    ("running", "生成中"),
                    ("done", "已完成"),
                    ("failed", "失败"),
                    ("expired", "已过期"),
                ],
                default="queued",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="printjob",
            name="total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AddConstraint(
            model_name="printjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("done__lte", models.F("total"))), name="printjob_progress_bounded"
            ),
        ),
        migrations.AddConstraint(
            model_name="printjob",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "expired"), _negated=True),
                    models.Q(("expired_at__isnull", False), ("file", "")),
                    _connector="OR",
                ),
                name="printjob_expired_has_no_file",
            ),
        ),
    ]
