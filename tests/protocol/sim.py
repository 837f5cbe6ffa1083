"""A simulated line between two sans-IO Links: simulated clock, delay, optional rate limit, fault injection.

Runs in microseconds of real time per simulated second, so tests can push thousands of messages through
loss, corruption and restarts without any I/O.
"""

import heapq

from protocol.link import Link
from protocol.testing import Faults, MessageApp


class Side:
    def __init__(self, name, app, link_kwargs, epochs):
        self.name = name
        self.app = app
        self.link_kwargs = link_kwargs
        self.epochs = epochs
        self.link = None
        self.restarts = 0
        self.restart()

    def restart(self):
        epoch = next(self.epochs) if self.epochs else None
        self.link = Link(epoch=epoch, **self.link_kwargs)
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

    ``delay`` is the propagation delay in seconds, ``rate`` the line rate in bytes per second (None: unlimited).
    ``restarts`` is a list of ``(time, "a" | "b")``: at that simulated time that side gets a new Link object
    (a new epoch, fresh state), and its application resubmits what was unacknowledged.
    """

    def __init__(self, app_a=None, app_b=None, faults_ab=None, faults_ba=None, delay=0.002, rate=None,
                 restarts=(), link_kwargs=None, epochs_a=None, epochs_b=None):
        kw = link_kwargs or {}
        self.a = Side("a", app_a, kw, iter(epochs_a) if epochs_a else None)
        self.b = Side("b", app_b, kw, iter(epochs_b) if epochs_b else None)
        self.a.log = []
        self.b.log = []
        self.faults = {"a": faults_ab or Faults(seed=10), "b": faults_ba or Faults(seed=11)}
        self.delay = delay
        self.rate = rate
        self.now = 0.0
        self._arrivals = []  # (time, n, side_to, bytes)
        self._n = 0
        self._free = {"a": 0.0, "b": 0.0}
        self._last_write = {"a": 0.0, "b": 0.0}
        self._restarts = sorted(restarts)
        self.wire_bytes = {"a": 0, "b": 0}
        for side in (self.a, self.b):
            if side.app is not None:
                side.app.top_up(side.link)

    def other(self, side):
        return self.b if side is self.a else self.a

    def _transmit(self, side):
        data = side.link.data_to_send()
        if not data:
            return
        self.wire_bytes[side.name] += len(data)
        self._last_write[side.name] = self.now
        self._send_raw(side, self.faults[side.name].process(data))

    def _send_raw(self, side, data):
        if not data:
            return
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
            if self._restarts and self._restarts[0][0] <= self.now:
                _, name = self._restarts.pop(0)
                side = self.a if name == "a" else self.b
                side.restart()
                side.handle([])
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
    """Two MessageApps exchanging ``count`` messages each way; returns the SimLine when both are done."""
    fa, fb = faults if faults else (None, None)
    app_a = MessageApp("a", count, seed=seed, **app_kw)
    app_b = MessageApp("b", count, seed=seed + 1, **app_kw)
    line = SimLine(app_a, app_b, fa, fb, delay=delay, rate=rate, restarts=restarts)
    line.run(until, stop=lambda: app_a.received == count and app_b.received == count
             and app_a.done_sending and app_b.done_sending)
    return line
