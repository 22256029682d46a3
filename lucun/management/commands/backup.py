from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lucun.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库和全部上传文件,写成一个带日期的归档(lucun-<UTC 时间>.tar),只保留最近 LUCUN_BACKUP_KEEP 份。"
        " Back up the database and the uploaded files into one dated archive; keep the newest N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="where to write (default LUCUN_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None, help="how many archives to keep (LUCUN_BACKUP_KEEP)")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, dir: Path | None, keep: int | None, database: str, **options):
        try:
            summary = backup_create(directory=dir, keep=keep, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成:{summary.tables} 张表 {summary.rows} 行,{summary.files} 个上传文件 → {summary.path}"
            )
        )
