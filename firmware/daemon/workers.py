"""Worker threads for blocking device work, tagged with the flow's request ids.

Each device with blocking calls (the card, the camera with the face pipeline) gets one :class:`Worker`: one thread,
one job at a time, so a device is never driven from two threads. A job is a function of a :class:`Job` handle; it
returns the flow's answer event, or raises and ``on_error`` turns the exception into one. Answers reach the asyncio
loop through ``call_soon_threadsafe``; the loop feeds them to the flow, which ignores answers it no longer waits for.

A job that overruns its timeout is abandoned: its thread is left to finish on its own (its answer is dropped), the
next job gets a fresh thread, and the request is answered ``RequestFailed`` with the timeout code. ``cancel`` (the
flow's ``Cancel``) sets the job's flag, which long jobs (a face attempt) check between frames, and drops its answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from firmware.reception.events import Event, RequestFailed


@dataclass
class Job:
    """What a running job sees: its request, a cancel flag, and a way to send interim events (face guidance)."""

    request_id: int
    emit: Callable[[Event], None]
    cancelled: threading.Event = field(default_factory=threading.Event)


class Worker:
    def __init__(self, name: str, loop: asyncio.AbstractEventLoop, deliver: Callable[[Event], None]) -> None:
        self.name = name
        self._loop = loop
        self._deliver = deliver
        self._executor = self._new_executor()
        self._jobs: dict[int, Job] = {}
        self.abandoned = 0  # jobs left running past their timeout (a metric; a growing count is a stuck device)

    def _new_executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"mynareader-{self.name}")

    def submit(self, request_id: int, work: Callable[[Job], Event], *, timeout: float, timeout_code: str,
               on_error: Callable[[int, Exception], Event]) -> None:  # fmt: skip
        job = Job(request_id, lambda event: self._post(job, event))
        self._jobs[request_id] = job
        future = self._executor.submit(work, job)
        timer = self._loop.call_later(timeout, self._overran, job, timeout_code)

        def done(finished: Future[Event]) -> None:
            try:
                answer = finished.result()
            except Exception as error:  # a driver's error: the mapper names it for the flow
                answer = on_error(request_id, error)
            self._loop.call_soon_threadsafe(self._finish, job, answer, timer)

        future.add_done_callback(done)

    def run_detached(self, work: Callable[[], object]) -> None:
        """Run ``work`` on this worker's thread after the jobs before it, answering nothing (loading models,
        releasing a session's card connection). Its errors are its own to report."""
        self._executor.submit(work)

    def cancel(self, request_id: int) -> None:
        job = self._jobs.pop(request_id, None)
        if job is not None:
            job.cancelled.set()

    def busy(self) -> bool:
        return bool(self._jobs)

    def close(self) -> None:
        for job in self._jobs.values():
            job.cancelled.set()
        self._jobs.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- on the loop --------------------------------------------------------------------------------------------

    def _post(self, job: Job, event: Event) -> None:
        if not job.cancelled.is_set():
            self._loop.call_soon_threadsafe(self._interim, job, event)

    def _interim(self, job: Job, event: Event) -> None:
        if self._jobs.get(job.request_id) is job:
            self._deliver(event)

    def _finish(self, job: Job, answer: Event, timer: asyncio.TimerHandle) -> None:
        timer.cancel()
        if self._jobs.get(job.request_id) is job:
            del self._jobs[job.request_id]
            self._deliver(answer)

    def _overran(self, job: Job, timeout_code: str) -> None:
        if self._jobs.get(job.request_id) is not job:
            return
        del self._jobs[job.request_id]
        job.cancelled.set()
        self.abandoned += 1
        old, self._executor = self._executor, self._new_executor()
        old.shutdown(wait=False, cancel_futures=True)
        self._deliver(RequestFailed(job.request_id, timeout_code))
