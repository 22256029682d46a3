"""Celery tasks of 直面问: thin, they take ids and call a service."""

from celery import shared_task

from . import services


@shared_task(name="visits.tasks.print_job_run", ignore_result=True, soft_time_limit=14 * 60, time_limit=15 * 60)
def print_job_run(job_id: int) -> None:
    services.print_job_run(job_id=job_id)
