import lucun.jobs.models
from django.db import migrations, models


class Migration(migrations.Migration):
    """Export jobs extend the one background-job model: progress counted as done of total (the rows kept), the
    site's address for what a file prints, and files that expire."""

    dependencies = [
        ("lucun", "0005_export_job"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="exportjob", name="exportjob_progress_bounded"),
        migrations.RenameField(model_name="exportjob", old_name="rows_total", new_name="total"),
        migrations.RenameField(model_name="exportjob", old_name="rows_done", new_name="done"),
        migrations.AddField(
            model_name="exportjob",
            name="expired_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="文件清理时间"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="site",
            field=models.CharField(blank=True, max_length=200, verbose_name="网站地址"),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="done",
            field=models.PositiveIntegerField(default=0, verbose_name="已完成数"),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="file",
            field=models.FileField(
                blank=True, max_length=200, upload_to=lucun.jobs.models.job_file_path, verbose_name="文件"
            ),
        ),
        migrations.AlterField(
            model_name="exportjob",
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
            model_name="exportjob",
            name="total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AddConstraint(
            model_name="exportjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("done__lte", models.F("total"))), name="exportjob_progress_bounded"
            ),
        ),
        migrations.AddConstraint(
            model_name="exportjob",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "expired"), _negated=True),
                    models.Q(("expired_at__isnull", False), ("file", "")),
                    _connector="OR",
                ),
                name="exportjob_expired_has_no_file",
            ),
        ),
    ]
