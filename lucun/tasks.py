from celery import shared_task

from . import services


@shared_task(name="lucun.tasks.outbox_flush", ignore_result=True, soft_time_limit=240, time_limit=300)
def outbox_flush() -> int:
    return services.outbox_flush()


@shared_task(
    name="lucun.tasks.notification_deliver",
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def notification_deliver(notification_ids: list[int]) -> None:
    services.notification_deliver(notification_ids=notification_ids)
