"""A simulated line between two sans-IO Links: simulated clock, delay, optional rate limit, fault injection.

Runs in microseconds of real time per simulated second, so tests can push thousands of messages through
loss, corruption and restarts without any I/O.

A run is fully determined by its seed: the faults, the applications' messages and the links' epochs all come from
it (a Link left to itself draws its epoch from ``os.urandom``, and the epoch's bytes change the COBS-encoded frame
lengths, hence how the faults consume their random numbers, hence the whole run). Nothing else in here depends on
the wall clock or on hash order. :meth:`SimLine.digest` fingerprints everything that went over the line.
"""

import hashlib
import heapq
import random
import struct
import sys

from protocol.link import Link
from protocol.testing import Faults, MessageApp


def seeded_epochs(seed):
    """Two endless streams of link epochs (for side a and side b) drawn from ``seed``: non-zero, 32-bit, and never
    repeated across both streams (a restart must never reuse an epoch, as a random one practically never does)."""
    rng = random.Random("link epochs %d" % seed)  # a str seed hashes with SHA-512, not hash(): stable everywhere
    used = set()

    def stream():
        while True:
            epoch = rng.getrandbits(32)
            if epoch and epoch not in used:
                used.add(epoch)
                yield epoch

    return stream(), stream()


class Side:
    def __init__(self, name, app, link_kwargs, epochs):
        self.name = name
        self.app = app
        self.link_kwargs = link_kwargs
        self.epochs = epochs
        self.log = []
        self.link = None
        self.restarts = 0
        self.restart()

    def restart(self):
        self.link = Link(epoch=next(self.epochs), **self.link_kwargs)
        if self.app is not None:
            self.app.attach(self.link)
        self.restarts += 1

    def handle(self, events):
        for ev in events:
            self.log.append(ev)
            if self.app is not None:
                self.app.handle(self.link, ev)
        if self.app is not None:
            self.app.top_up(self.link)


class SimLine:
    """Two sides joined by two one-way channels.

    ``epochs_a`` and ``epochs_b`` give each side's link epochs, one per start (see :func:`seeded_epochs`).
    ``delay`` is the propagation delay in seconds, ``rate`` the line rate in bytes per second (None: unlimited).
    ``restarts`` is a list of ``(time, "a" | "b")``: at that simulated time that side gets a new Link object
    (the next epoch, fresh state), and its application resubmits what was unacknowledged. ``scheduled`` keeps
    that list (sorted), ``restarted`` lists those that happened, in order.
    """

    def __init__(self, app_a, app_b, epochs_a, epochs_b, faults_ab=None, faults_ba=None, delay=0.002, rate=None,
                 restarts=(), link_kwargs=None):
        kw = link_kwargs or {}
        self.a = Side("a", app_a, kw, epochs_a)
        self.b = Side("b", app_b, kw, epochs_b)
        self.faults = {"a": faults_ab or Faults(seed=10), "b": faults_ba or Faults(seed=11)}
        self.delay = delay
        self.rate = rate
        self.now = 0.0
        self._arrivals = []  # (time, n, side_to, bytes)
        self._n = 0
        self._free = {"a": 0.0, "b": 0.0}
        self._last_write = {"a": 0.0, "b": 0.0}
        self.scheduled = sorted(restarts)
        self._restarts = list(self.scheduled)
        self.restarted = []
        self._wire = hashlib.sha256()
        for side in (self.a, self.b):
            if side.app is not None:
                side.app.top_up(side.link)

    def other(self, side):
        return self.b if side is self.a else self.a

    def digest(self):
        """SHA-256 (hex) of every write in order: who wrote it, when, and its bytes as the link wrote them and as
        the line carried them after the faults. Two runs with the same seed give the same digest."""
        return self._wire.hexdigest()

    def _record(self, tag, data):
        self._wire.update(struct.pack("<2sdI", tag, self.now, len(data)) + data)

    def _transmit(self, side):
        data = side.link.data_to_send()
        if not data:
            return
        self._record(b"w" + side.name.encode(), data)
        self._last_write[side.name] = self.now
        self._send_raw(side, self.faults[side.name].process(data))

    def _send_raw(self, side, data):
        if not data:
            return
        self._record(b"l" + side.name.encode(), data)
        start = max(self.now, self._free[side.name])
        done = start + (len(data) / self.rate if self.rate else 0.0)
        self._free[side.name] = done
        self._n += 1
        heapq.heappush(self._arrivals, (done + self.delay, self._n, self.other(side).name, data))

    def run(self, until, stop=None):
        """Advance simulated time to ``until`` or until ``stop()`` is true. Returns the time reached."""
        while self.now < until:
            if stop is not None and stop():
                return self.now
            candidates = [until]
            if self._arrivals:
                candidates.append(self._arrivals[0][0])
            for side in (self.a, self.b):
                d = side.link.next_deadline()
                if d is not None:
                    candidates.append(max(d, self.now))
                if self.faults[side.name]._held is not None:
                    candidates.append(self._last_write[side.name] + 0.02)
            if self._restarts:
                candidates.append(self._restarts[0][0])
            self.now = max(self.now, min(candidates))
            while self._restarts and self._restarts[0][0] <= self.now:
                restart = self._restarts.pop(0)
                side = self.a if restart[1] == "a" else self.b
                side.restart()
                side.handle([])
                self.restarted.append(restart)
            while self._arrivals and self._arrivals[0][0] <= self.now:
                _, _, name, data = heapq.heappop(self._arrivals)
                side = self.a if name == "a" else self.b
                side.handle(side.link.receive_bytes(data, self.now))
                self._transmit(side)
            for side in (self.a, self.b):
                d = side.link.next_deadline()
                if d is not None and d <= self.now:
                    side.handle(side.link.poll(self.now))
                self._transmit(side)
                f = self.faults[side.name]
                if f._held is not None and self.now >= self._last_write[side.name] + 0.02:
                    self._send_raw(side, f.flush())
        return self.now


def run_transfer(count, faults=None, restarts=(), seed=0, rate=None, delay=0.002, until=3600.0, **app_kw):
    """Two MessageApps exchanging ``count`` messages each way; returns the SimLine when both are done.

    ``seed`` decides the messages and the link epochs; ``faults`` (a pair of :class:`Faults`) carry their own seeds.
    """
    fa, fb = faults if faults else (None, None)
    app_a = MessageApp("a", count, seed=seed, **app_kw)
    app_b = MessageApp("b", count, seed=seed + 1, **app_kw)
    epochs_a, epochs_b = seeded_epochs(seed)
    line = SimLine(app_a, app_b, epochs_a, epochs_b, fa, fb, delay=delay, rate=rate, restarts=restarts)
    line.run(until, stop=lambda: app_a.received == count and app_b.received == count
             and app_a.done_sending and app_b.done_sending)
    return line


def lossy_faults(seed):
    """10 % of frames dropped, bit-flipped, duplicated and reordered; bytes corrupted at 1e-4."""
    return Faults(seed=seed, drop=0.1, flip=0.1, dup=0.1, reorder=0.1, corrupt=1e-4)


def lossy_transfer(seed, count=300, restarts=6):
    """300 messages each way over a line with :func:`lossy_faults` in both directions and ``restarts`` restarts of
    either side at times drawn between 0.2 s and 6 s, all from ``seed``."""
    rng = random.Random(seed)
    schedule = [(rng.uniform(0.2, 6.0), rng.choice("ab")) for _ in range(restarts)]
    faults = (lossy_faults(2 * seed), lossy_faults(2 * seed + 1))
    return run_transfer(count, faults=faults, restarts=schedule, seed=seed)


if __name__ == "__main__":
    # python tests/protocol/sim.py SEED...: one "SEED DIGEST" line per seed, the wire digest of its lossy_transfer.
    # The determinism test compares these, from a fresh interpreter with another hash seed, with its own runs.
    for arg in sys.argv[1:]:
        print(arg, lossy_transfer(int(arg)).digest(), flush=True)
