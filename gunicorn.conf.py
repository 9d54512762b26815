"""Gunicorn reads this file from the folder it is started in (`gunicorn 'portal:create_app()'`)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """The application is loaded: leave its long-lived objects out of the garbage collector.

    A full collection over the ~160 000 objects of the loaded application takes about 100 ms, and
    every request of the worker waits for it; after this it sees only what requests create.
    """
    gc.collect()
    gc.freeze()
