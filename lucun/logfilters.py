"""Logging filters named in settings.LOGGING."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """Log a refused request (403, or a 400 for a malformed body) as its one line, without a traceback.

    Django attaches the PermissionDenied to the record, so every refusal — routine for a scoped site —
    would print a traceback that points at nothing wrong. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
