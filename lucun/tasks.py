from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import services
from .bulk import services as bulk_services
from .exports import services as export_services
from .jobs import services as job_services
from .login_limits import services as login_limits_services
from .notify import services as sms_services

# A file older than this that no row names was left by a transaction that rolled back: none stays open for a day.
UNOWNED_FILES_AGE = timedelta(days=1)


class DeliveryIncomplete(Exception):
    """Some channel refused a notification; the retry delivers only what is still missing."""


@shared_task(name="lucun.tasks.outbox_flush", ignore_result=True, soft_time_limit=240, time_limit=300)
def outbox_flush() -> int:
    return services.outbox_flush()


@shared_task(name="lucun.tasks.login_log_prune", ignore_result=True, soft_time_limit=240, time_limit=300)
def login_log_prune() -> int:
    return login_limits_services.login_log_prune(older_than_days=settings.LUCUN_LOGIN_LOG_DAYS)


@shared_task(name="lucun.tasks.job_files_expire", ignore_result=True, soft_time_limit=240, time_limit=300)
def job_files_expire() -> int:
    return job_services.job_files_expire(older_than=timedelta(days=settings.LUCUN_JOB_FILES_DAYS))


@shared_task(name="lucun.tasks.files_unowned_delete", ignore_result=True, soft_time_limit=840, time_limit=900)
def files_unowned_delete() -> int:
    return services.files_unowned_delete(older_than=UNOWNED_FILES_AGE)


# The hard time limit stays below services.DELIVERY_CLAIM_LEASE: a worker still delivering keeps its claims.
@shared_task(
    name="lucun.tasks.notification_deliver",
    ignore_result=True,
    autoretry_for=(OSError, DeliveryIncomplete),
    max_retries=3,
    retry_backoff=True,
    soft_time_limit=540,
    time_limit=600,
)
def notification_deliver(notification_ids: list[int]) -> None:
    failed = services.notification_deliver(notification_ids=notification_ids)
    if failed:
        raise DeliveryIncomplete(f"{failed} deliveries failed")


@shared_task(name="lucun.tasks.export_job_run", ignore_result=True, soft_time_limit=14 * 60, time_limit=15 * 60)
def export_job_run(job_id: int) -> None:
    export_services.export_job_run(job_id=job_id)


@shared_task(name="lucun.tasks.bulk_run_execute", ignore_result=True, soft_time_limit=14 * 60, time_limit=15 * 60)
def bulk_run_execute(run_id: int) -> None:
    bulk_services.bulk_run_execute(run_id=run_id)


# The hard time limits stay below sms_services.SMS_CLAIM_LEASE: a worker still sending keeps its claims.
@shared_task(name="lucun.tasks.sms_send", ignore_result=True, soft_time_limit=60, time_limit=90)
def sms_send(message_id: int) -> str:
    return sms_services.sms_send(message_id=message_id)


@shared_task(name="lucun.tasks.sms_flush", ignore_result=True, soft_time_limit=240, time_limit=300)
def sms_flush() -> None:
    sms_services.sms_flush()
