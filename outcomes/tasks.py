"""Celery tasks of the outcomes app: thin, each calls one service."""

from celery import shared_task

from . import services


@shared_task(name="outcomes.tasks.callbacks_create", ignore_result=True, soft_time_limit=50, time_limit=60)
def callbacks_create() -> int:
    return services.callbacks_create()


@shared_task(
    name="outcomes.tasks.redlines_evaluate_last_quarter", ignore_result=True, soft_time_limit=540, time_limit=600
)
def redlines_evaluate_last_quarter() -> int:
    return services.redlines_evaluate_due()


@shared_task(name="outcomes.tasks.report_prepare_last_month", ignore_result=True, soft_time_limit=540, time_limit=600)
def report_prepare_last_month() -> int:
    return services.report_prepare_last_month()
