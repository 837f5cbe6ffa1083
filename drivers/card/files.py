"""Reading transparent and record EFs of the current application with as few APDUs as the card allows.

A transparent EF is larger than the object it holds (filler follows), so the read is sized from the object's BER/DER
header: the first READ BINARY asks for a full 256-byte chunk, which is also the header read, then the rest follows
in 256-byte chunks and one exact final chunk. EFs are addressed by short file identifier (READ BINARY P1 = 80|SFI),
which saves the SELECT EF; a card that refuses SFI addressing for an EF that SELECT EF then finds gets SELECT EF +
READ BINARY from then on (a missing EF leaves SFI addressing on).
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.card import apdu, ber, errors
from drivers.card.channel import CardChannel

CHUNK = 256
MAX_OBJECT = 0x7FFF  # READ BINARY offsets are 15 bits
SW_END_BEFORE_LE = 0x6282

# Status words by which a card may say it does not take a key named by SFI (none of them consumes a try). 6A82 is
# among them because it is ambiguous: the EF may simply be missing. So every refusal is followed by SELECT EF, and
# SFI addressing is switched off for the session only when that SELECT finds the EF.
_SFI_REFUSAL_SWS = frozenset((0x6A86, 0x6A88, 0x6A82, 0x6A81, 0x6981, 0x6986, 0x6D00))
# A read may also be refused with 6700 (a card reading P1 as an offset); a VERIFY's 6700 may be about the PIN itself,
# so it is never a reason to send the PIN again.
_SFI_READ_REFUSAL_SWS = _SFI_REFUSAL_SWS | {0x6700}


class ApplicationFiles:
    """File access within one selected application (DF); remembers whether the card takes SFI addressing."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel
        self.sfi_supported = True

    def _read(self, command: apdu.Command) -> bytes:
        return self._read_data(command, self.channel.send(command))

    @staticmethod
    def _read_data(command: apdu.Command, response: apdu.Response) -> bytes:
        """A read's data. 6282 with data is the file ending before Le (which ISO allows: tolerated), so the data is a
        short final chunk; 6282 without data, like any other status word, is the typed error."""
        if response.sw == SW_END_BEFORE_LE and response.data:
            return response.data
        return apdu.check(response, command)

    def _select_instead_of_sfi(self, fid: int) -> None:
        # A missing EF raises FileNotFound here and leaves SFI on; an EF that exists but was refused by SFI shows
        # that the card does not take SFI addressing.
        self.select_ef(fid)
        self.sfi_supported = False

    def select_ef(self, fid: int) -> None:
        self.channel.call(apdu.select_ef(fid))

    def send_by_reference(self, make: Callable[[int], apdu.Command], fid: int) -> tuple[apdu.Command, apdu.Response]:
        """Send a command naming key EF ``fid`` by SFI (P2 = 80|SFI), or after SELECT EF (P2 = 80) on cards that
        refuse SFI references. Returns the command actually answered and its response, unchecked."""
        if self.sfi_supported:
            command = make(0x80 | fid)
            response = self.channel.send(command)
            if response.sw not in _SFI_REFUSAL_SWS:
                return command, response
        self._select_instead_of_sfi(fid)
        command = make(0x80)
        return command, self.channel.send(command)

    def _first_chunk(self, fid: int, length: int) -> bytes:
        if self.sfi_supported:
            command = apdu.read_binary_sfi(fid, 0, length)
            response = self.channel.send(command)
            if response.sw not in _SFI_READ_REFUSAL_SWS:
                return self._read_data(command, response)
        self._select_instead_of_sfi(fid)
        return self._read(apdu.read_binary(0, length))

    def read_bytes(self, fid: int, length: int) -> bytes:
        """The first ``length`` (≤ 256) bytes of a transparent EF; fewer if the file is shorter."""
        return self._first_chunk(fid, length)

    def read_object(self, fid: int) -> bytes:
        """The BER/DER object at the start of a transparent EF, without the filler after it."""
        data = self._first_chunk(fid, CHUNK)
        header = ber.parse_header(data)
        total = header.total_length
        if total > MAX_OBJECT:
            raise errors.MalformedResponse(f"EF {fid:04X}: object of {total} bytes exceeds the addressable file")
        while len(data) < total:
            want = min(CHUNK, total - len(data))
            try:
                chunk = self._read(apdu.read_binary(len(data), want))
            except errors.EndOfFile as exc:
                raise errors.MalformedResponse(
                    f"EF {fid:04X} ends at {len(data)} bytes but its object claims {total}"
                ) from exc
            if not chunk:
                raise errors.MalformedResponse(f"EF {fid:04X}: empty read at offset {len(data)} of {total}")
            data += chunk
        return data[:total]

    def read_record(self, fid: int, record: int = 1) -> bytes:
        if self.sfi_supported:
            command = apdu.read_record(record, sfi=fid)
            response = self.channel.send(command)
            if response.sw not in _SFI_READ_REFUSAL_SWS:
                return self._read_data(command, response)
        self._select_instead_of_sfi(fid)
        return self._read(apdu.read_record(record))
