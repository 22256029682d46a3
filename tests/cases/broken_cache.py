"""A cache backend that fails on every call, as Redis does when it is down."""

from django.core.cache.backends.base import BaseCache


class BrokenCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache is down")

    add = get = set = touch = delete = incr = decr = clear = has_key = get_many = set_many = _fail
