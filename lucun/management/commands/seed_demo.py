import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from lucun.demo import DEMO_PASSWORD, seed_org


class Command(BaseCommand):
    help = "Build a realistic demo 芦湖街道 (idempotent). --scale N multiplies the volumes for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply households, cases and the rest by N")
        parser.add_argument(
            "--allow-production", action="store_true", help="seed even when DEBUG is off (never on a live site)"
        )

    def handle(self, *args, scale: int, allow_production: bool, **options):
        if scale < 1:
            raise CommandError("--scale 必须是正整数。")
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG 未开启:演示数据含公开的演示密码,不能写入正式环境。确需写入请加 --allow-production。"
            )
        log = self.stdout.write
        started = time.monotonic()
        # A hundred thousand rows go in bulk: DEBUG's query log would only slow them down (by a fifth).
        with override_settings(DEBUG=False):
            ctx = seed_org(scale=scale, log=log)
            for config in apps.get_app_configs():
                seeder = getattr(config, "demo_seeder", None)
                if seeder:
                    import_string(seeder)(ctx)
        log("")
        log(
            self.style.SUCCESS(
                f"演示数据已就绪(用时 {time.monotonic() - started:.0f} 秒)。演示账号(密码均为 {DEMO_PASSWORD}):"
            )
        )
        width = max(len(u) for u, _, _ in ctx.logins)
        for username, role, where in ctx.logins:
            log(f"  {username.ljust(width)}  {role} · {where}")
