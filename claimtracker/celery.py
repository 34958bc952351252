"""The Celery application; with no CELERY_BROKER_URL the settings make tasks run in-process.

A task's log lines carry the request id of the request that queued it (sent as a message
header), or the task's own id when beat or a command queued it.
"""

import os
from contextvars import Token

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from claimtracker import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtracker.settings")

app = Celery("claimtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The task modules are listed in claimtracker/schedule.py (CELERY_IMPORTS): each lives beside
# what queues it.

_bound: dict[str, Token] = {}


@before_task_publish.connect
def _send_request_id(headers: dict, **kwargs: object) -> None:
    request_id = logs.current_request_id()
    if request_id:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _bind_request_id(task_id: str, task: Task, **kwargs: object) -> None:
    # In-process (eager) tasks keep the id of the request they run in.
    request_id = task.request.get("request_id") or logs.current_request_id() or task_id
    _bound[task_id] = logs.bind_request_id(request_id)


@task_postrun.connect
def _unbind_request_id(task_id: str, **kwargs: object) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        logs.unbind_request_id(token)
