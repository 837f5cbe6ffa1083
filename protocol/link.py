"""The link: a reliable, ordered, restart-aware message channel over a byte stream. Sans-IO and portable.

:class:`Link` is a pure state machine in the style of h11/wsproto: the caller feeds it the bytes it read and the
current time, and collects the bytes to write and the events that happened. No threads, sockets, sleeps or clocks
inside, and only the Python subset MicroPython runs (no dataclasses, no typing at run time)::

    link = Link()
    msg_id = link.send(b"hello")          # queue an application message (opaque bytes)
    events = link.poll(now)               # transmit what the window allows, run the timers
    port.write(link.data_to_send())
    ...
    events = link.receive_bytes(chunk, now)
    port.write(link.data_to_send())
    # call poll(now) again no later than link.next_deadline()

Events: :class:`Delivered` (a message from the peer, in order, exactly once per session), :class:`Acked`
(the peer has our message), :class:`Connected` (a session with a peer epoch began), :class:`PeerRestarted`
(the peer we had a session with was replaced by a new incarnation; lists our messages it did not acknowledge,
which the link forgets: resubmit the ones still wanted), :class:`LinkError` (a frame was dropped; carries the
typed :class:`protocol.errors.FrameError`).

The rules (window, RTO, fast retransmit, handshake) are specified in docs/protocol.md.
"""

from protocol.errors import InvalidAck, PayloadTooLarge
from protocol.frame import (
    ACK,
    DATA,
    DELIMITER,
    FLAG_GAP,
    MAX_PAYLOAD,
    SYN,
    SYNACK,
    Deframer,
    Frame,
    pack,
)

from os import urandom


_MASK = 0xFFFFFFFF
_HALF = 0x80000000

#: Defaults (docs/protocol.md, "Link rules").
WINDOW = 8
RTO_INITIAL = 1.0
RTO_MIN = 0.05
RTO_MAX = 5.0
CLOCK_GRANULARITY = 0.001
#: An echo held longer than this (seconds) is not sent: 16-bit millisecond timestamps wrap after 65 s.
ECHO_MAX_HOLD = 30.0
#: How many recent candidate peer epochs (SYNs we answered) a link remembers.
MAX_CANDIDATES = 4


def new_epoch() -> int:
    """A random non-zero 32-bit link epoch (from ``os.urandom``; ports without it pass ``epoch=``)."""
    while True:
        e = int.from_bytes(urandom(4), "little")
        if e:
            return e


def _ms(now: float) -> int:
    """A frame timestamp: ``now`` in milliseconds modulo 65536, never 0 (0 means "no timestamp")."""
    return int(now * 1000) & 0xFFFF or 1


def _ahead(a: int, b: int) -> int:
    """How far sequence number ``b`` is ahead of ``a``, modulo 2**32."""
    return (b - a) & _MASK


# ---------------------------------------------------------------------------------------------------- events


class Event:
    """Base class of everything :class:`Link` reports."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return False
        for name in self._fields:
            if getattr(self, name) != getattr(other, name):
                return False
        return True

    def __repr__(self) -> str:
        return "%s(%s)" % (
            type(self).__name__,
            ", ".join("%s=%r" % (name, getattr(self, name)) for name in self._fields),
        )


class Delivered(Event):
    """An application message from the peer, delivered in order and once per session."""

    __slots__ = ("payload",)
    _fields = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


class Acked(Event):
    """The peer acknowledged our message ``msg_id`` (the value :meth:`Link.send` returned)."""

    __slots__ = ("msg_id",)
    _fields = ("msg_id",)

    def __init__(self, msg_id: int) -> None:
        self.msg_id = msg_id


class Connected(Event):
    """A session with the peer incarnation ``peer_epoch`` began; queued messages now flow."""

    __slots__ = ("peer_epoch",)
    _fields = ("peer_epoch",)

    def __init__(self, peer_epoch: int) -> None:
        self.peer_epoch = peer_epoch


class PeerRestarted(Event):
    """The peer was replaced by a new incarnation (it restarted, or the link object on its side did).

    ``unacked`` lists, in the order they were sent, ``(msg_id, payload)`` for every message of ours that the old
    peer did not acknowledge, including those still queued. The link has forgotten them: resubmit (with
    :meth:`Link.send`) the ones still wanted, before sending anything new, to keep their order. The old peer may
    have received some of them without acknowledging, so the new one may see them twice: the application
    de-duplicates by its own message ids. A :class:`Connected` event for the new peer follows.
    """

    __slots__ = ("old_epoch", "new_epoch", "unacked")
    _fields = ("old_epoch", "new_epoch", "unacked")

    def __init__(self, old_epoch: int, new_epoch: int, unacked: "list[tuple[int, bytes]]") -> None:
        self.old_epoch = old_epoch
        self.new_epoch = new_epoch
        self.unacked = unacked

    @property
    def msg_ids(self) -> "list[int]":
        return [m for m, _ in self.unacked]


class LinkError(Event):
    """A frame was dropped. ``error`` is the typed :class:`protocol.errors.FrameError` saying why."""

    __slots__ = ("error",)
    _fields = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class LinkStats:
    """Counters, for logs and benchmarks. Plain integers; never reset."""

    def __init__(self) -> None:
        self.bytes_sent = 0
        self.bytes_received = 0
        self.frames_sent = 0
        self.frames_received = 0
        self.data_sent = 0
        self.retransmits = 0
        self.fast_retransmits = 0
        self.timeouts = 0
        self.delivered = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.stale = 0
        self.errors = 0
        self.restarts = 0

    def as_dict(self) -> "dict[str, int]":
        return dict(self.__dict__)


class _Sent:
    __slots__ = ("seq", "msg_id", "payload", "sent_at", "retransmitted")

    def __init__(self, seq: int, msg_id: int, payload: bytes, sent_at: float) -> None:
        self.seq = seq
        self.msg_id = msg_id
        self.payload = payload
        self.sent_at = sent_at
        self.retransmitted = False


# ---------------------------------------------------------------------------------------------------- link


class Link:
    """One end of a link. See the module docstring for the calling pattern and docs/protocol.md for the rules.

    :param epoch: this incarnation's link epoch (random non-zero 32-bit by default; tests may fix it).
    :param window: frames in flight at most, and frames buffered beyond a gap (1..255).
    :param rto_initial, rto_min, rto_max: retransmission timeout bounds in seconds (RFC 6298).
    """

    def __init__(
        self,
        epoch: "int | None" = None,
        window: int = WINDOW,
        rto_initial: float = RTO_INITIAL,
        rto_min: float = RTO_MIN,
        rto_max: float = RTO_MAX,
    ) -> None:
        if not 1 <= window <= 255:
            raise ValueError("window must be 1..255")
        if epoch is None:
            epoch = new_epoch()
        if not 0 < epoch <= _MASK:
            raise ValueError("epoch must be a non-zero 32-bit number")
        self.epoch = epoch
        self.window = window
        self.rto_min = rto_min
        self.rto_max = rto_max
        self.stats = LinkStats()
        #: The peer's epoch while in a session, else 0.
        self.peer = 0
        self._candidates: list[int] = []
        self._deframer = Deframer()
        self._out = bytearray()
        self._next_msg_id = 1
        # Sender.
        self._queue: list[tuple[int, bytes]] = []
        self._inflight: list[_Sent] = []
        self._snd_una = 0
        self._snd_nxt = 0
        self._peer_window = window
        self._in_recovery = False
        self._recover = 0
        self._rto_deadline: float | None = None
        self._srtt: float | None = None
        self._rttvar = 0.0
        self._rto = min(max(rto_initial, rto_min), rto_max)
        # Receiver.
        self._rcv_nxt = 0
        self._rcvbuf: dict[int, bytes] = {}
        self._ack_due = False
        self._ts_recent = 0
        self._ts_recent_at = 0.0
        self._now = 0.0
        # Handshake.
        self._syn_deadline = 0.0
        self._syn_interval = self._rto
        self._syn_quiet_until = -1.0
        self._syn_tsval = 0
        self._syn_at = 0.0

    # ------------------------------------------------------------------------------------------- public API

    @property
    def connected(self) -> bool:
        """True while in a session with a peer (a handshake completed)."""
        return self.peer != 0

    @property
    def rto(self) -> float:
        """The current retransmission timeout in seconds."""
        return self._rto

    @property
    def srtt(self) -> "float | None":
        """The smoothed round-trip time in seconds, or None before the first sample."""
        return self._srtt

    def unacked(self) -> "list[tuple[int, bytes]]":
        """``(msg_id, payload)`` of every message sent or queued and not acknowledged yet, in order."""
        return [(s.msg_id, s.payload) for s in self._inflight] + list(self._queue)

    def send(self, payload: bytes) -> int:
        """Queue one application message (bytes, at most ``MAX_PAYLOAD``); return its ``msg_id``.

        Nothing is written until the next :meth:`poll` or :meth:`receive_bytes`. ``msg_id`` values count up
        from 1 and are never reused by this object; :class:`Acked` and :class:`PeerRestarted` name them.
        """
        payload = bytes(payload)
        if len(payload) > MAX_PAYLOAD:
            raise PayloadTooLarge("message of %d bytes exceeds %d" % (len(payload), MAX_PAYLOAD))
        msg_id = self._next_msg_id
        self._next_msg_id += 1
        self._queue.append((msg_id, payload))
        return msg_id

    def receive_bytes(self, data: bytes, now: float) -> "list[Event]":
        """Feed bytes read from the line. Returns the events they caused (a list)."""
        self.stats.bytes_received += len(data)
        self._now = now
        events: list[Event] = []
        for item in self._deframer.feed(data):
            if isinstance(item, Frame):
                self.stats.frames_received += 1
                self._on_frame(item, now, events)
            else:
                self.stats.errors += 1
                events.append(LinkError(item))
        self._flush(now)
        return events

    def poll(self, now: float) -> "list[Event]":
        """Run the timers and send what the window allows. Returns the events that caused (a list)."""
        self._now = now
        events: list[Event] = []
        if not self.peer:
            if now >= self._syn_deadline:
                self._send_syn(now)
                self._syn_deadline = now + self._syn_interval
                self._syn_interval = min(self._syn_interval * 2, self.rto_max)
        elif self._rto_deadline is not None and now >= self._rto_deadline:
            self.stats.timeouts += 1
            self._rto = min(self._rto * 2, self.rto_max)
            self._in_recovery = True
            self._recover = self._snd_nxt
            self._retransmit(self._inflight[0], now)
            self._rto_deadline = now + self._rto
        self._flush(now)
        return events

    def next_deadline(self) -> "float | None":
        """The time by which :meth:`poll` must be called next (same clock as ``now``), or None if idle.

        A value in the past (e.g. 0.0) means "now": messages are queued and the window has room.
        """
        if not self.peer:
            return self._syn_deadline
        if self._queue and len(self._inflight) < self._send_window():
            return 0.0
        return self._rto_deadline

    def data_to_send(self) -> bytes:
        """The bytes to write to the line since the last call (possibly empty)."""
        out = bytes(self._out)
        self._out = bytearray()
        return out

    # ------------------------------------------------------------------------------------------- internals

    def _send_window(self) -> int:
        return min(self.window, self._peer_window)

    def _emit(self, frame: Frame) -> None:
        frame.tsval = _ms(self._now)
        if frame.type == SYNACK:
            frame.tsecr = self._echo(self._syn_tsval, self._syn_at)
        elif frame.dst == self.peer:
            frame.tsecr = self._echo(self._ts_recent, self._ts_recent_at)
        else:
            frame.tsecr = 0
        wire = pack(frame)
        if not self._out:
            # Start of a burst: a delimiter first ends any half frame the peer holds.
            self._out += DELIMITER
            self.stats.bytes_sent += 1
        self._out += wire
        self.stats.bytes_sent += len(wire)
        self.stats.frames_sent += 1

    def _echo(self, tsval: int, received_at: float) -> int:
        # The echoed timestamp is moved forward by the time we held it, so that the peer measures the round
        # trip of the line alone, even when our ack rides on a frame sent much later (docs/protocol.md, "RTO").
        held = self._now - received_at
        if not tsval or held > ECHO_MAX_HOLD:
            return 0
        return (tsval + int(held * 1000)) & 0xFFFF or 1

    def _control(self, ftype: int, dst: int) -> None:
        seq, ack = (self._snd_nxt, self._rcv_nxt) if dst == self.peer else (0, 0)
        flags = FLAG_GAP if self._rcvbuf and dst == self.peer else 0
        self._emit(Frame(ftype, self.epoch, dst, seq, ack, b"", flags, self.window))

    def _send_syn(self, now: float) -> None:
        self._control(SYN, self.peer)
        self._syn_quiet_until = now + self._rto

    def _send_data(self, sent: _Sent) -> None:
        flags = FLAG_GAP if self._rcvbuf else 0
        self._emit(Frame(DATA, self.epoch, self.peer, sent.seq, self._rcv_nxt, sent.payload, flags, self.window))
        self._ack_due = False
        self.stats.data_sent += 1

    def _retransmit(self, sent: _Sent, now: float) -> None:
        sent.retransmitted = True
        sent.sent_at = now
        self.stats.retransmits += 1
        self._send_data(sent)

    def _flush(self, now: float) -> None:
        if self.peer:
            limit = self._send_window()
            while self._queue and len(self._inflight) < limit:
                msg_id, payload = self._queue.pop(0)
                sent = _Sent(self._snd_nxt, msg_id, payload, now)
                self._snd_nxt = (self._snd_nxt + 1) & _MASK
                self._inflight.append(sent)
                self._send_data(sent)
                if self._rto_deadline is None:
                    self._rto_deadline = now + self._rto
            if self._ack_due:
                self._control(ACK, self.peer)
                self._ack_due = False

    def _on_frame(self, f: Frame, now: float, events: "list[Event]") -> None:
        if f.type == SYN:
            # A peer (re)starting, or one that thinks we do not know it. Answer with our epoch; a SYN from a new
            # epoch only makes it a candidate: the session switches when it proves it heard our answer.
            if f.src != self.peer:
                if f.src in self._candidates:
                    self._candidates.remove(f.src)
                self._candidates.append(f.src)
                if len(self._candidates) > MAX_CANDIDATES:
                    self._candidates.pop(0)
            self._syn_tsval = f.tsval
            self._syn_at = now
            self._control(SYNACK, f.src)
            return
        if f.dst != self.epoch:
            # Addressed to an earlier incarnation of us, or the sender has not learnt our epoch: tell it (at most
            # once per RTO, since a restart leaves a stream of such frames on the line).
            self.stats.stale += 1
            if (f.src == self.peer or not self.peer) and now >= self._syn_quiet_until:
                self._send_syn(now)
            return
        if f.src != self.peer:
            if f.type == SYNACK or f.src in self._candidates:
                if f.type == SYNACK and f.tsecr:
                    self._sample_echo(f.tsecr, now)
                self._establish(f.src, now, events)
            else:
                self.stats.stale += 1
                return
            if f.type == SYNACK:
                return
        elif f.type == SYNACK:
            self._ack_due = True
            return
        if not self._on_ack(f, now, events):
            return
        if f.type == DATA:
            self._on_data(f, events)

    def _establish(self, peer: int, now: float, events: "list[Event]") -> None:
        old = self.peer
        if old:
            unacked = self.unacked()
            self._queue = []
            self.stats.restarts += 1
            events.append(PeerRestarted(old, peer, unacked))
        self.peer = peer
        self._candidates = []
        self._inflight = []
        self._snd_una = 0
        self._snd_nxt = 0
        self._peer_window = self.window
        self._in_recovery = False
        self._rto_deadline = None
        if self._srtt is not None:
            self._set_rto_from_srtt()
        self._rcv_nxt = 0
        self._rcvbuf = {}
        self._ts_recent = 0
        self._ack_due = True
        events.append(Connected(peer))

    def _on_ack(self, f: Frame, now: float, events: "list[Event]") -> bool:
        """Process the ack and window fields. False if the frame must be ignored."""
        self._peer_window = f.window or 1
        advance = _ahead(self._snd_una, f.ack)
        if advance >= _HALF:
            return True  # an old ack overtaken by newer ones: nothing to learn from it
        if advance > len(self._inflight):
            self.stats.errors += 1
            events.append(LinkError(InvalidAck("ack %d beyond next seq %d" % (f.ack, self._snd_nxt))))
            return False
        if advance:
            done = self._inflight[:advance]
            del self._inflight[:advance]
            self._snd_una = f.ack
            for sent in done:
                events.append(Acked(sent.msg_id))
            if f.tsecr:
                self._sample_echo(f.tsecr, now)
            elif not done[-1].retransmitted:
                # A peer that echoes no timestamp: Karn's rule, sample only frames that were sent once.
                self._sample_rtt(now - done[-1].sent_at)
            self._rto_deadline = now + self._rto if self._inflight else None
            if self._in_recovery and _ahead(self._snd_una, self._recover) < _HALF and self._snd_una != self._recover:
                # Partial ack during recovery: on an in-order line the new first frame was lost as well.
                self.stats.fast_retransmits += 1
                self._retransmit(self._inflight[0], now)
                return True
            self._in_recovery = False
        if f.flags & FLAG_GAP and self._inflight and not self._in_recovery:
            # A (duplicate) ack with GAP: the peer holds frames beyond snd_una, so snd_una was lost. Fast
            # retransmit it, once per recovery episode.
            self._in_recovery = True
            self._recover = self._snd_nxt
            self.stats.fast_retransmits += 1
            self._retransmit(self._inflight[0], now)
        return True

    def _sample_echo(self, tsecr: int, now: float) -> None:
        # RTT measurement by timestamp echo (RFC 7323 section 4): the echo names the very transmission the ack
        # answers, so retransmitted frames give valid samples too and Karn's ambiguity does not arise.
        self._sample_rtt(((_ms(now) - tsecr) & 0xFFFF) / 1000.0)

    def _sample_rtt(self, r: float) -> None:
        # RFC 6298 section 2.
        if self._srtt is None:
            self._srtt = r
            self._rttvar = r / 2
        else:
            self._rttvar = 0.75 * self._rttvar + 0.25 * abs(self._srtt - r)
            self._srtt = 0.875 * self._srtt + 0.125 * r
        self._set_rto_from_srtt()

    def _set_rto_from_srtt(self) -> None:
        srtt = self._srtt
        if srtt is None:
            return
        rto = srtt + max(CLOCK_GRANULARITY, 4 * self._rttvar)
        self._rto = min(max(rto, self.rto_min), self.rto_max)

    def _on_data(self, f: Frame, events: "list[Event]") -> None:
        ahead = _ahead(self._rcv_nxt, f.seq)
        if ahead == 0:
            self._ts_recent = f.tsval
            self._ts_recent_at = self._now
            self._deliver(f.payload, events)
            while self._rcv_nxt in self._rcvbuf:
                self._deliver(self._rcvbuf.pop(self._rcv_nxt), events)
        elif ahead >= _HALF:
            self.stats.duplicates += 1
        else:
            self.stats.out_of_order += 1
            if ahead < self.window and f.seq not in self._rcvbuf:
                self._rcvbuf[f.seq] = f.payload
        self._ack_due = True

    def _deliver(self, payload: bytes, events: "list[Event]") -> None:
        self._rcv_nxt = (self._rcv_nxt + 1) & _MASK
        self.stats.delivered += 1
        events.append(Delivered(payload))


__all__ = [
    "Link",
    "LinkStats",
    "Event",
    "Delivered",
    "Acked",
    "Connected",
    "PeerRestarted",
    "LinkError",
    "new_epoch",
    "WINDOW",
    "RTO_INITIAL",
    "RTO_MIN",
    "RTO_MAX",
]
