from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lucun.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "把 manage.py backup 写的归档恢复到空的系统(数据库和上传文件),并按清单核对每张表的行数和每个文件的校验值。"
        " Restore a backup into an empty stack and check it against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a lucun-….tar written by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds accounts, overwrite existing files"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, archive: Path, force: bool, database: str, **options):
        try:
            summary = backup_restore(archive=archive, force=force, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成并已核对:{summary.tables} 张表 {summary.rows} 行,{summary.files} 个上传文件。"
                "启动新版本前请运行 manage.py migrate。"
            )
        )
