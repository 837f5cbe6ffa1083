import time
from smartcard import scard
from drivers.card.emulated.card import EmulatedCard
from drivers.card.emulated.vpcd import VpcdCard

def test_scratch(pcscd):
    for atr in (b"",):
        slot = VpcdCard(EmulatedCard(atr=atr, applications=[]))
        slot.insert()
        time.sleep(1.5)
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        hr, res = scard.SCardGetStatusChange(ctx, 0, [("Virtual PCD 00 00", scard.SCARD_STATE_UNAWARE)])
        print("ATR", atr, hex(hr), [(r, hex(s), a) for r, s, a in res])
        hr, h, p = scard.SCardConnect(ctx, "Virtual PCD 00 00", scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        print("connect", hex(hr & 0xffffffff), scard.SCardGetErrorMessage(hr))
        slot.remove()
        time.sleep(1)
        hr, res = scard.SCardGetStatusChange(ctx, 0, [("Virtual PCD 00 00", scard.SCARD_STATE_UNAWARE)])
        print("after", [(r, hex(s), a) for r, s, a in res])
