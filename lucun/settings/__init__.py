"""Embedded default settings: SQLite and a Celery broker that needs no server.

Every value comes from the environment when it is set there; see ``base.py``.
"""

from .base import *  # noqa: F403
