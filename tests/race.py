"""Race work against itself: each callable in its own thread, so on its own database connection, all released at
once, as two workers or two counter clerks would be."""

import threading

from django.db import connection


def race(*runs, timeout: float = 120) -> list:
    """Run each callable in its own thread, all released together; return what each returned or raised, in order."""
    barrier = threading.Barrier(len(runs))
    results: list = [None] * len(runs)

    def run(i, work):
        try:
            barrier.wait(timeout=30)
            results[i] = work()
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc
        finally:
            connection.close()  # the thread's own connection: left open it would outlive the test database

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish"
    return results
