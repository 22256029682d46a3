from celery import shared_task

from . import services


@shared_task(name="points.tasks.points_expire", ignore_result=True, soft_time_limit=600, time_limit=660)
def points_expire() -> int:
    return services.points_expire()
