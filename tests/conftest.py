"""Hypothesis profiles, and fixtures for the real PC/SC stack: pcscd + vpcd + the emulated card.

Hypothesis: the ``dev`` profile (the default) draws new examples on every run and replays the failures it saved in
``.hypothesis/``; the ``ci`` profile (``.ci/run`` passes ``--hypothesis-profile=ci``) derives every test's examples
from the test itself, so each run tries the same ones, keeps no database and prints the ``@reproduce_failure`` blob
of a failure. Neither has a deadline nor the too-slow health check: a test's outcome must not depend on how fast a
busy machine runs it. A test's own ``@settings`` inherit both, and may not set them (checked at collection).

pcscd is the one started by ``scripts/test`` (its pidfile in ``MYNAREADER_PCSCD_PIDFILE``) or, when pytest runs
alone, one this session starts and stops. Tests that insert cards share it: they run one after another (pytest's
default), and each waits until pcscd has seen its card leave before the next begins.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from drivers.card.emulated import pcscd as pcscd_control
from drivers.card.emulated import profiles
from drivers.card.emulated.card import EmulatedCard
from drivers.card.emulated.vpcd import DEFAULT_PORT, VpcdCard
from drivers.card.pcsc import PcscContext

_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", **_UNTIMED)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_UNTIMED)
settings.load_profile("dev")  # before any test module is imported: their @settings resolve against it then


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a hypothesis test whose own settings put back a deadline or change the profile's derandomize."""
    profile = settings.default
    assert profile is not None
    for item in items:
        test = getattr(item, "obj", None)
        if not getattr(test, "is_hypothesis_test", False):
            continue
        # @given keeps its resolved settings on the test; a state machine's TestCase holds them as a class attribute.
        own = getattr(test, "_hypothesis_internal_use_settings", None) or getattr(item.cls, "settings", None)
        if own is not None and (own.deadline is not None or own.derandomize != profile.derandomize):
            raise pytest.UsageError(f"{item.nodeid} runs with deadline={own.deadline}, derandomize={own.derandomize}"
                                    f" (the profile: None, {profile.derandomize}): leave both to the profile")


READERS = {DEFAULT_PORT: "Virtual PCD 00 00", DEFAULT_PORT + 1: "Virtual PCD 00 01"}


@dataclass
class Pcscd:
    pidfile: Path
    log: Path

    def restart(self) -> None:
        pcscd_control.restart(self.pidfile, self.log)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    if shutil.which("pcscd") is None:
        pytest.fail("pcscd is not installed: run scripts/setup (or scripts/test)")
    adopted = os.environ.get("MYNAREADER_PCSCD_PIDFILE")
    if adopted:
        pidfile = Path(adopted)
        log = Path(os.environ.get("MYNAREADER_PCSCD_LOG", "/tmp/mynareader-pcscd.log"))
        pcscd_control.wait_ready()
        yield Pcscd(pidfile, log)
        return
    workdir = tmp_path_factory.mktemp("pcscd")
    stack = Pcscd(workdir / "pcscd.pid", workdir / "pcscd.log")
    pcscd_control.start(stack.pidfile, stack.log)
    yield stack
    pcscd_control.stop(stack.pidfile)


def wait_card(reader: str, present: bool, timeout: float = 10.0) -> None:
    """Wait until pcscd reports the card in ``reader`` present (or gone)."""
    context = PcscContext()
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                if context.card_present(reader) == present:
                    return
            except Exception:  # noqa: BLE001 - pcscd may be restarting; keep asking until the deadline
                context.invalidate()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{reader}: card {'not seen' if present else 'still seen'} after {timeout} s")
            time.sleep(0.02)
    finally:
        context.close()


@dataclass
class InsertedCard:
    card: EmulatedCard
    slot: VpcdCard
    reader: str

    def remove(self) -> None:
        self.slot.remove()
        wait_card(self.reader, present=False)

    def reinsert(self) -> None:
        self.slot.insert()
        wait_card(self.reader, present=True)


InsertCard = Callable[..., InsertedCard]


@pytest.fixture
def insert_card(pcscd: Pcscd) -> Iterator[InsertCard]:
    """Factory: ``insert_card("normal", port=35963, pin="1234")`` puts a fresh emulated card into a vpcd slot,
    taking out the card this test put there before."""
    inserted: list[InsertedCard] = []

    def insert(profile: str | EmulatedCard = "normal", port: int = DEFAULT_PORT, **options: str) -> InsertedCard:
        for previous in inserted:
            if previous.reader == READERS[port] and previous.slot.inserted:
                previous.remove()  # one card per slot: take the last one out first
        card = profile if isinstance(profile, EmulatedCard) else profiles.build(profile, **options)
        slot = VpcdCard(card, port=port)
        handle = InsertedCard(card, slot, READERS[port])
        slot.insert()
        inserted.append(handle)
        wait_card(handle.reader, present=True)
        return handle

    yield insert
    for handle in inserted:
        if handle.slot.inserted:
            handle.remove()


@pytest.fixture
def context(pcscd: Pcscd) -> Iterator[PcscContext]:
    ctx = PcscContext()
    yield ctx
    ctx.close()


@pytest.fixture
def card_presence(pcscd: Pcscd) -> Callable[..., None]:
    """``card_presence(reader, present)`` waits until pcscd reports that state."""
    return wait_card


@pytest.fixture(scope="session")
def faces_dev() -> Path:
    """The labelled dev photos (``../shared/data/faces-dev`` beside the repository, or ``$MYNAREADER_FACES_DEV``).
    They are read in place and never copied into the project; tests that need them skip when they are absent."""
    root = Path(os.environ.get("MYNAREADER_FACES_DEV") or Path(__file__).resolve().parents[1] / "../shared/data/faces-dev")
    if not (root / "images").is_dir():
        pytest.skip(f"the faces-dev photos are not at {root} (set MYNAREADER_FACES_DEV)")
    return root


@pytest.fixture(scope="session")
def portraits() -> Path:
    """The public-domain portraits of the face_recognition 1.3.0 sdist's tests/test_images, which scripts/setup
    fetches from PyPI by pinned version and sha256 into .cache/face-test-images (never committed)."""
    root = Path(__file__).resolve().parents[1] / ".cache" / "face-test-images"
    if not (root / ".complete").is_file():
        pytest.skip(f"the public-domain face test photos are not at {root}: run scripts/setup")
    return root
