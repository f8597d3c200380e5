"""Work run side by side on PostgreSQL, as several workers run it."""

import threading

from django.db import connections


def at_once(work, arguments: list) -> list[BaseException]:
    """Run work(argument) in one thread each, released together, each on its
    own database connection and transactions; the errors they raised."""
    barrier = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def run(argument) -> None:
        try:
            barrier.wait(timeout=30)
            work(argument)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors
