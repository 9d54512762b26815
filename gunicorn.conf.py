"""Gunicorn reads this file from the folder it is started in (`gunicorn 'portal:create_app()'`)."""

from __future__ import annotations

import gc
import os
from typing import Any

# Each worker tells the master it is alive by touching a file after every request it handles; on a
# disk-backed folder that touch is a journal write (about 5 % of a request's time in py-spy).
# Memory-backed /dev/shm, where it exists, is what gunicorn's documentation advises; gunicorn makes
# each file there with mkstemp (a random name, readable only by its owner) and unlinks it at once.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY


def post_worker_init(worker: Any) -> None:
    """The application is loaded: leave its long-lived objects out of the garbage collector.

    A full collection over the ~160 000 objects of the loaded application takes about 100 ms, and
    every request of the worker waits for it; after this it sees only what requests create.
    """
    gc.collect()
    gc.freeze()
