"""Doing the same thing several times at the same moment, as two workers or a double click do."""

import threading

from django.db import connection


def at_once(function, times: int = 2) -> list:
    """Call `function` in `times` threads that start together, each with its own database
    connection; return the results (in the order they finished). An error in any thread fails
    the caller."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as error:  # reported in the caller's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results
