"""The daemon's workers: device jobs on their own threads, answered on the loop, abandoned past their timeout; and
the panel's worker, which draws only the latest screen and survives a panel that raises.

The jobs wait on events the test sets, so what each test shows follows from the order of those events alone. The
panel below the real FrontPanel is a fake (the panel interface is the lowest layer we own above the hardware)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from display.errors import PanelError
from display.layout import PanelSize
from display.panels import RefreshKind
from firmware.daemon.panel import PanelWorker
from firmware.daemon.workers import Job, Worker
from firmware.front_panel import FrontPanel
from firmware.reception.events import Event, FaceGuidance, PinVerified, RequestFailed
from firmware.reception.screens import OutOfServiceScreen, Screen
from firmware.reception.types import FaceCue

WAIT = 10.0  # seconds a test waits for a thread before it counts as a failure (never reached when it passes)


def _failed(request_id: int, error: Exception) -> Event:
    return RequestFailed(request_id, "card.io")


async def _until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT):
        while not predicate():
            await asyncio.sleep(0.005)


async def _settle() -> None:
    """Let every callback already handed to the loop run."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_an_overrunning_job_is_abandoned_and_the_next_runs_on_a_fresh_thread() -> None:
    async def scenario() -> None:
        answers: list[Event] = []
        worker = Worker("card", asyncio.get_running_loop(), answers.append)
        release = threading.Event()
        threads: list[threading.Thread] = []

        def stuck(job: Job) -> Event:
            threads.append(threading.current_thread())
            release.wait(WAIT)
            return PinVerified(job.request_id)  # late: must never reach the flow

        def quick(job: Job) -> Event:
            threads.append(threading.current_thread())
            return PinVerified(job.request_id)

        worker.submit(1, stuck, timeout=0.05, timeout_code="timeout.card", on_error=_failed)
        await _until(lambda: bool(answers))
        assert answers == [RequestFailed(1, "timeout.card")] and worker.abandoned == 1 and not worker.busy()

        worker.submit(2, quick, timeout=WAIT, timeout_code="timeout.card", on_error=_failed)
        await _until(lambda: len(answers) == 2)
        assert answers[1] == PinVerified(2)
        assert threads[0] is not threads[1] and threads[0].is_alive()  # the stuck one is left to finish alone

        release.set()
        threads[0].join(WAIT)
        await _settle()
        assert answers == [RequestFailed(1, "timeout.card"), PinVerified(2)]
        worker.close()

    asyncio.run(scenario())


def test_a_cancelled_job_sees_its_flag_and_its_answer_is_dropped() -> None:
    async def scenario() -> None:
        answers: list[Event] = []
        worker = Worker("face", asyncio.get_running_loop(), answers.append)
        started, seen = threading.Event(), threading.Event()

        def attempt(job: Job) -> Event:
            started.set()
            job.cancelled.wait(WAIT)  # a face attempt checks the flag between frames
            seen.set()
            return PinVerified(job.request_id)

        worker.submit(7, attempt, timeout=WAIT, timeout_code="timeout.face", on_error=_failed)
        assert await asyncio.to_thread(started.wait, WAIT)
        worker.cancel(7)
        assert await asyncio.to_thread(seen.wait, WAIT)
        assert not worker.busy()
        # The next job runs after the cancelled one returned, so its answer comes after any the cancelled one sent.
        worker.submit(8, lambda job: PinVerified(job.request_id), timeout=WAIT, timeout_code="timeout.face",
                      on_error=_failed)  # fmt: skip
        await _until(lambda: bool(answers))
        assert answers == [PinVerified(8)]
        worker.close()

    asyncio.run(scenario())


def test_interim_events_reach_the_loop_only_while_the_job_is_not_cancelled() -> None:
    async def scenario() -> None:
        answers: list[Event] = []
        worker = Worker("face", asyncio.get_running_loop(), answers.append)
        first_sent, cancelled, done = threading.Event(), threading.Event(), threading.Event()

        def attempt(job: Job) -> Event:
            job.emit(FaceGuidance(job.request_id, FaceCue.TURN_LEFT))
            first_sent.set()
            cancelled.wait(WAIT)
            job.emit(FaceGuidance(job.request_id, FaceCue.TURN_RIGHT))  # after the cancel: dropped
            done.set()
            return PinVerified(job.request_id)

        worker.submit(3, attempt, timeout=WAIT, timeout_code="timeout.face", on_error=_failed)
        await _until(lambda: bool(answers))
        assert first_sent.is_set() and answers == [FaceGuidance(3, FaceCue.TURN_LEFT)]
        worker.cancel(3)
        cancelled.set()
        assert await asyncio.to_thread(done.wait, WAIT)
        worker.submit(9, lambda job: PinVerified(job.request_id), timeout=WAIT, timeout_code="timeout.face",
                      on_error=_failed)  # fmt: skip
        await _until(lambda: len(answers) == 2)
        assert answers == [FaceGuidance(3, FaceCue.TURN_LEFT), PinVerified(9)]
        worker.close()

    asyncio.run(scenario())


def test_an_interim_event_already_on_its_way_is_dropped_by_a_cancel() -> None:
    """Sent before the cancel, reaching the loop after it: the loop checks the job is still the live one."""

    async def scenario() -> None:
        answers: list[Event] = []
        worker = Worker("face", asyncio.get_running_loop(), answers.append)
        sent, finish = threading.Event(), threading.Event()

        def attempt(job: Job) -> Event:
            job.emit(FaceGuidance(job.request_id, FaceCue.MOVE_CLOSER))
            sent.set()
            finish.wait(WAIT)
            return PinVerified(job.request_id)

        worker.submit(4, attempt, timeout=WAIT, timeout_code="timeout.face", on_error=_failed)
        # Block the loop until the job has handed its guidance over, then cancel before the loop runs it.
        assert sent.wait(WAIT)
        worker.cancel(4)
        finish.set()
        worker.submit(6, lambda job: PinVerified(job.request_id), timeout=WAIT, timeout_code="timeout.face",
                      on_error=_failed)  # fmt: skip
        await _until(lambda: bool(answers))
        assert answers == [PinVerified(6)]
        worker.close()

    asyncio.run(scenario())


def test_an_exception_becomes_on_errors_answer() -> None:
    async def scenario() -> None:
        answers: list[Event] = []
        errors: list[Exception] = []
        worker = Worker("card", asyncio.get_running_loop(), answers.append)

        def on_error(request_id: int, error: Exception) -> Event:
            errors.append(error)
            return RequestFailed(request_id, "card.io")

        def broken(job: Job) -> Event:
            raise OSError("the reader went away")

        worker.submit(5, broken, timeout=WAIT, timeout_code="timeout.card", on_error=on_error)
        await _until(lambda: bool(answers))
        assert answers == [RequestFailed(5, "card.io")]
        assert len(errors) == 1 and isinstance(errors[0], OSError) and not worker.busy()
        worker.close()

    asyncio.run(scenario())


# -- the panel worker ---------------------------------------------------------------------------------------------


@dataclass
class GatedPanel:
    """A panel whose refresh waits until the test lets it finish, and that raises while ``failing`` is set."""

    size: PanelSize = PanelSize.SMALL
    gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    failing: bool = False
    images: list[bytes] = field(default_factory=list)

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        self.started.release()
        assert self.gate.acquire(timeout=WAIT)
        if self.failing:
            raise PanelError("SPI write timed out")
        self.images.append(image.tobytes())
        return RefreshKind.FULL

    def close(self) -> None:
        pass


def _screen(n: int) -> Screen:
    return OutOfServiceScreen(reason=f"maintenance {n}")


class Drawn:
    def __init__(self) -> None:
        self.screens: list[Screen] = []
        self.errors: list[Exception] = []
        self.changed = threading.Condition()

    def drawn(self, screen: Screen, seconds: float) -> None:
        with self.changed:
            self.screens.append(screen)
            self.changed.notify_all()

    def failed(self, error: Exception) -> None:
        with self.changed:
            self.errors.append(error)
            self.changed.notify_all()

    def wait(self, predicate: Callable[[], bool]) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, WAIT)


def test_only_the_latest_screen_is_drawn_when_screens_come_faster_than_the_panel() -> None:
    panel, seen = GatedPanel(), Drawn()
    worker = PanelWorker(FrontPanel(panel), on_drawn=seen.drawn, on_error=seen.failed)
    try:
        worker.show(_screen(1))
        assert panel.started.acquire(timeout=WAIT)  # screen 1 is being drawn
        for n in (2, 3, 4):
            worker.show(_screen(n))  # each replaces the one before it, none drawn yet
        panel.gate.release()
        assert panel.started.acquire(timeout=WAIT)
        panel.gate.release()
        seen.wait(lambda: len(seen.screens) == 2)
        assert seen.screens == [_screen(1), _screen(4)] and seen.errors == []
        assert panel.images[1] == FrontPanel(GatedPanel())._render(_screen(4)).image.tobytes()
    finally:
        panel.gate.release(10)
        worker.close()


def test_a_panel_error_is_reported_and_the_next_screen_is_still_drawn() -> None:
    panel, seen = GatedPanel(failing=True), Drawn()
    worker = PanelWorker(FrontPanel(panel), on_drawn=seen.drawn, on_error=seen.failed)
    try:
        worker.show(_screen(1))
        assert panel.started.acquire(timeout=WAIT)
        panel.gate.release()
        seen.wait(lambda: len(seen.errors) == 1)
        assert isinstance(seen.errors[0], PanelError) and seen.screens == []
        panel.failing = False
        worker.show(_screen(2))
        assert panel.started.acquire(timeout=WAIT)
        panel.gate.release()
        seen.wait(lambda: len(seen.screens) == 1)
        assert seen.screens == [_screen(2)] and len(seen.errors) == 1
    finally:
        panel.gate.release(10)
        worker.close()


def test_a_panel_that_raises_anything_does_not_stop_the_worker() -> None:
    """Not only PanelError: a backend's own bug (a TypeError in a vendor driver) is reported the same way."""

    class Broken(GatedPanel):
        def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
            if not self.images:
                self.images.append(b"")
                raise TypeError("vendor driver bug")
            return super().show(image, interactive=interactive)

    panel, seen = Broken(), Drawn()
    worker = PanelWorker(FrontPanel(panel), on_drawn=seen.drawn, on_error=seen.failed)
    try:
        worker.show(_screen(1))
        seen.wait(lambda: len(seen.errors) == 1)
        worker.show(_screen(2))
        panel.gate.release()
        seen.wait(lambda: len(seen.screens) == 1)
        assert isinstance(seen.errors[0], TypeError) and seen.screens == [_screen(2)]
    finally:
        panel.gate.release(10)
        worker.close()


def test_a_screen_the_panel_failed_to_draw_is_tried_again() -> None:
    """Out of service, the flow shows nothing new: the worker itself retries, so a panel that recovers is used."""
    panel, seen = GatedPanel(failing=True), Drawn()
    worker = PanelWorker(FrontPanel(panel), on_drawn=seen.drawn, on_error=seen.failed, retry_after=0.01)
    try:
        worker.show(_screen(1))
        assert panel.started.acquire(timeout=WAIT)
        panel.gate.release()
        seen.wait(lambda: len(seen.errors) == 1)
        panel.failing = False
        assert panel.started.acquire(timeout=WAIT)  # the retry, with no new screen handed over
        panel.gate.release()
        seen.wait(lambda: len(seen.screens) == 1)
        assert seen.screens == [_screen(1)] and len(seen.errors) == 1
    finally:
        panel.gate.release(10)
        worker.close()
