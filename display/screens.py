"""One renderer per screen id: it reads the screen's parameters and says what the screen shows, in the session's
language. Layout is :mod:`display.compose`'s job; the words are here (consent wording in :mod:`display.wording`).

Screens are for elderly patients: one message per screen, the action in bold, warnings white on black, and the
choices on the buttons. PIN entry draws dots from a count; no screen shows a PIN digit or the patient's data.
"""

from __future__ import annotations

from collections.abc import Callable

from display.content import BigText, Block, Content, Label, Notice, Paragraph, PinDots
from display.limits import (
    ATTEMPTS_MAX,
    CODE_MAX_LENGTH,
    COUNTDOWN_MAX_SECONDS,
    FAULT_CODES_MAX,
    REASON_MAX_LENGTH,
    STAFF_ID_MAX_LENGTH,
)
from display.params import Params
from display.wording import OPTION_LABELS, Tr, consent_text, format_date

Renderer = Callable[[Params, Tr], Content]
RENDERERS: dict[str, Renderer] = {}

CARD_KINDS = ("card", "android", "iphone", "juki", "unknown", "mute")


def renderer(screen_id: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        RENDERERS[screen_id] = function
        return function
    return register


def _labels(options: list[str], t: Tr) -> tuple[Label, ...]:
    return tuple(Label(option, t(*OPTION_LABELS[option])) for option in options)


def _take_card(t: Tr) -> Notice:
    return Notice(t("カードをお取りください", "Please take your card."))


def _ask_staff(t: Tr) -> Paragraph:
    return Paragraph(t("職員にお声がけください。", "Please ask a staff member."))


def _code(code: str, t: Tr) -> Paragraph:
    return Paragraph(t(f"コード：{code}", f"Code: {code}"))


# --- resting -------------------------------------------------------------------------------------------------------


@renderer("insert_card")
def insert_card(p: Params, t: Tr) -> Content:
    options = p.options({"smartphone"})
    armed = p.flag("visual_check_armed")
    blocks: list[Block] = [Paragraph(t("マイナンバーカードをカードリーダーに置いてください",
                                       "Please place your My Number card on the card reader."), bold=True)]
    if options:
        blocks.append(Paragraph(t("スマートフォンをお使いの方は、ボタンを押してください。",
                                  "Using a smartphone? Press the button.")))
    # A small staff-facing mark: staff armed a visual check for the next patient.
    return Content(t("受付", "Reception"), tuple(blocks), _labels(options, t),
                   corner=t("職員確認", "Staff") if armed else None)


@renderer("host_not_connected")
def host_not_connected(p: Params, t: Tr) -> Content:
    p.options(())
    return Content(t("ただいま受付できません", "Reception is not available"), (
        Paragraph(t("受付の端末と接続されていません。", "The reader is not connected to the reception PC.")),
        Paragraph(t("職員にお声がけください。", "Please ask a staff member."), bold=True),
    ), alert=True)


@renderer("out_of_service")
def out_of_service(p: Params, t: Tr) -> Content:
    p.options(())
    reason = p.optional_text("reason", REASON_MAX_LENGTH)
    codes = p.texts("fault_codes", FAULT_CODES_MAX, CODE_MAX_LENGTH)
    blocks: list[Block] = [Paragraph(t("この受付機は、ただいま休止中です。職員にお声がけください。",
                                       "This reader is out of service. Please ask a staff member."), bold=True)]
    if reason:
        blocks.append(Paragraph(reason))
    if codes:
        blocks.append(_code(", ".join(codes), t))
    return Content(t("休止中", "Out of service"), tuple(blocks), alert=True)


# --- identification -------------------------------------------------------------------------------------------------


_READING = {
    "card": ("カードを読み取っています。", "Reading your card."),
    "pin_tries": ("カードを確認しています。", "Checking your card."),
    "pin": ("暗証番号を確認しています。", "Checking your PIN."),
    "signature": ("本人確認をしています。", "Confirming your identity."),
    "result": ("受付の情報を送っています。", "Sending your reception to the counter."),
}


@renderer("reading")
def reading(p: Params, t: Tr) -> Content:
    p.options(())
    subject = p.choice("subject", _READING)
    return Content(t("お待ちください", "Please wait"), (
        Paragraph(t(*_READING[subject])),
        Paragraph(t("カードを動かさないでください。", "Please do not move your card."), bold=True),
    ))


_UNSUPPORTED = {
    "card": ("このカードでは受付できません。", "This card cannot be used here."),
    "juki": ("住民基本台帳カードは使えません。マイナンバーカードを置いてください。",
             "A Basic Resident Register card cannot be used. Please use your My Number card."),
    "unknown": ("マイナンバーカードではないようです。マイナンバーカードを置いてください。",
                "This does not seem to be a My Number card. Please use your My Number card."),
    "mute": ("ICチップを読み取れませんでした。マイナンバーカードを置いてください。",
             "The card's chip could not be read. Please use your My Number card."),
    "android": ("この受付機ではスマートフォンは使えません。マイナンバーカードを置いてください。",
                "Smartphones cannot be used at this reader. Please use your My Number card."),
}
_UNSUPPORTED["iphone"] = _UNSUPPORTED["android"]


@renderer("unsupported_card")
def unsupported_card(p: Params, t: Tr) -> Content:
    p.options(())
    kind = p.choice("kind", CARD_KINDS)
    blocks: list[Block] = [Paragraph(t(*_UNSUPPORTED[kind]), bold=True)]
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    blocks.append(_ask_staff(t))
    return Content(t("このカードは使えません", "This card cannot be used"), tuple(blocks), alert=True)


@renderer("card_unreadable")
def card_unreadable(p: Params, t: Tr) -> Content:
    p.options(())
    code = p.text("code", CODE_MAX_LENGTH)
    blocks: list[Block] = []
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    blocks += [Paragraph(t("カードをいったん取り、もう一度置いてください。読めないときは職員にお声がけください。",
                           "Take your card and place it again. If it still fails, please ask a staff member."))]
    if code:
        blocks.append(_code(code, t))
    return Content(t("カードを読めません", "Card not readable"), tuple(blocks), alert=True)


@renderer("certificate_expired")
def certificate_expired(p: Params, t: Tr) -> Content:
    p.options(())
    problem = p.choice("problem", ("expired", "missing"))
    not_after = p.optional_date("not_after")
    blocks: list[Block] = []
    if problem == "expired":
        title = t("電子証明書の期限切れ", "Certificate expired")
        blocks.append(Paragraph(t("カードの電子証明書の有効期限が切れています。",
                                  "The certificate on your card has expired."), bold=True))
        if not_after is not None:
            blocks.append(Paragraph(t(f"有効期限：{format_date(not_after, 'ja')}",
                                      f"Expired on {format_date(not_after, 'en')}")))
    else:
        title = t("電子証明書がありません", "No certificate")
        blocks.append(Paragraph(t("カードに電子証明書がありません。", "Your card holds no certificate."), bold=True))
    blocks.append(Paragraph(t("市区町村の窓口で更新できます。今日の受付は職員に。",
                              "Renew it at your city office. Today: ask a staff member.")))
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    return Content(title, tuple(blocks), alert=True)


# --- smartphone -----------------------------------------------------------------------------------------------------


@renderer("choose_phone")
def choose_phone(p: Params, t: Tr) -> Content:
    options = p.options({"iphone", "android", "back"})
    return Content(t("スマートフォン", "Smartphone"), (
        Paragraph(t("お使いのスマートフォンを選んでください", "Which smartphone do you use?"), bold=True),
    ), _labels(options, t))


@renderer("hold_phone")
def hold_phone(p: Params, t: Tr) -> Content:
    options = p.options({"back"})
    platform = p.choice("platform", ("android", "iphone"))
    name = "iPhone" if platform == "iphone" else "Android"
    return Content(t("スマートフォンの読み取り", "Hold your phone"), (
        Paragraph(t(f"{name}をスマートフォン用リーダーにかざしてください。",
                    f"Hold your {name} to the phone reader."), bold=True),
        Paragraph(t("終わるまで動かさないでください。", "Keep it there until this is done.")),
    ), _labels(options, t))


@renderer("phone_authorise")
def phone_authorise(p: Params, t: Tr) -> Content:
    p.options(())
    return Content(t("iPhoneで確認してください", "Confirm on your iPhone"), (
        Paragraph(t("iPhoneの画面の案内に従って、Face IDで確認してください。",
                    "Follow your iPhone's screen and confirm with Face ID."), bold=True),
        Paragraph(t("終わるまでiPhoneをかざしたままにしてください。", "Keep the iPhone held to the reader.")),
    ))


# --- authentication -------------------------------------------------------------------------------------------------


_PIN_UNAVAILABLE = {
    "locked": ("暗証番号はロックされています。", "Your PIN is locked."),
    "not_set": ("このカードでは暗証番号を使えません。", "This card has no PIN to use."),
}
_FACE_UNAVAILABLE = {
    "disabled": ("顔認証は使えません。", "Face check is not available."),
    "exhausted": ("顔認証の回数が上限になりました。", "No face check tries are left."),
    "card_face_unreadable": ("カードの表面を読み取れませんでした。", "The front of your card could not be read."),
    "collation_locked": ("カードの照合番号がロックされています。", "Your card's face data is locked."),
    "card_face_unverified": ("カードの表面の情報を確認できませんでした。",
                             "Your card's face data could not be checked."),
    "device_fault": ("カメラが使えないため、顔認証は使えません。", "Face check is not available: the camera is not working."),
}


@renderer("choose_method")
def choose_method(p: Params, t: Tr) -> Content:
    options = p.options({"face", "pin"})
    tries = p.optional_int("pin_tries_left", 0, 15)
    pin_unavailable = p.optional_choice("pin_unavailable", _PIN_UNAVAILABLE)
    face_unavailable = p.optional_choice("face_unavailable", _FACE_UNAVAILABLE)
    ask_staff = p.flag("ask_staff")
    if set(options) == {"face", "pin"}:
        ask = t("顔認証または暗証番号のどちらかを選んでください", "Choose face check or PIN to confirm it is you.")
    elif options == ["face"]:
        ask = t("顔認証で本人確認をします。ボタンを押してください。", "Confirm it is you by face. Press the button.")
    elif options == ["pin"]:
        ask = t("暗証番号で本人確認をします。ボタンを押してください。", "Confirm it is you by PIN. Press the button.")
    else:
        ask = t("この受付機では本人確認ができません。", "This reader cannot confirm your identity.")
    blocks: list[Block] = [Paragraph(ask, bold=True)]
    if "pin" in options and tries is not None:
        blocks.append(Paragraph(t(f"暗証番号はあと{tries}回まで入力できます。", f"PIN: {tries} tries left.")))
    if pin_unavailable:
        blocks.append(Paragraph(t(*_PIN_UNAVAILABLE[pin_unavailable])))
    if face_unavailable:
        blocks.append(Paragraph(t(*_FACE_UNAVAILABLE[face_unavailable])))
    if ask_staff or not options:
        blocks.append(Notice(t("職員をお呼びください", "Please ask a staff member.")))
    return Content(t("本人確認", "Identity check"), tuple(blocks), _labels(options, t))


_CARD_FACE_PROBLEM = {
    "face_down": ("カードが裏返しです。顔写真のある面を上にしてください。",
                  "The card is face down. Turn the photo side up."),
    "not_found": ("カードの表面が見えません。置き直してください。", "The front of the card is not visible. "
                  "Please place it again."),
    "unreadable": ("表面の文字を読み取れませんでした。", "The print on the card could not be read."),
    "collation_locked": ("カードの照合番号がロックされています。", "Your card's face data is locked."),
    "record_invalid": ("カードの表面の情報を読み取れませんでした。", "Your card's face data could not be read."),
}


@renderer("card_face_scan")
def card_face_scan(p: Params, t: Tr) -> Content:
    options = p.options({"back", "pin"})
    problem = p.optional_choice("problem", _CARD_FACE_PROBLEM)
    blocks: list[Block] = []
    if problem:
        blocks.append(Notice(t(*_CARD_FACE_PROBLEM[problem])))
    blocks.append(Paragraph(t("顔写真のある面を上にして、カードを平らに置いてください。",
                              "Place your card flat, photo side up."), bold=True))
    blocks.append(Paragraph(t("カードの表面を読み取ります。", "The reader reads the front of your card.")))
    return Content(t("顔認証の準備", "Preparing the face check"), tuple(blocks), _labels(options, t))


_FACE_CUES = {
    "look_at_camera": ("カメラを見てください", "Please look at the camera"),
    "move_closer": ("もう少し近づいてください", "Please come a little closer"),
    "move_back": ("少し離れてください", "Please move back a little"),
    "more_light": ("お顔が暗くて見えません", "Your face is too dark to see"),
    "hold_still": ("そのまま動かないでください", "Please hold still"),
    "one_person": ("お一人で写ってください", "Only one person, please"),
    "turn_left": ("← ゆっくり左を向いてください", "← Slowly turn your head left"),
    "turn_right": ("ゆっくり右を向いてください →", "Slowly turn your head right →"),
}


@renderer("face_guidance")
def face_guidance(p: Params, t: Tr) -> Content:
    options = p.options({"back", "pin"})
    cue = p.choice("cue", _FACE_CUES)
    seconds = p.integer("seconds_left", 0, COUNTDOWN_MAX_SECONDS)
    max_attempts = p.integer("max_attempts", 1, ATTEMPTS_MAX)
    attempt = p.integer("attempt", 1, max_attempts)
    return Content(t("顔認証", "Face check"), (
        Paragraph(t(*_FACE_CUES[cue]), bold=True),
        Paragraph(t("自動的に撮影されます。", "The photo is taken by itself.")),
        BigText(t(f"{seconds}秒", f"{seconds} s")),
    ), _labels(options, t), corner=t(f"{attempt}/{max_attempts}回目", f"try {attempt}/{max_attempts}"))


@renderer("face_retry")
def face_retry(p: Params, t: Tr) -> Content:
    options = p.options({"retry", "pin", "back"})
    left = p.integer("attempts_left", 0, ATTEMPTS_MAX)
    ask_staff = p.flag("ask_staff")
    blocks: list[Block] = []
    if "retry" in options and "pin" in options:
        blocks.append(Paragraph(t("もう一度撮影するか、暗証番号を選んでください。",
                                  "Try the face check again, or use your PIN."), bold=True))
    elif "retry" in options:
        blocks.append(Paragraph(t("もう一度撮影してください。", "Please try the face check again."), bold=True))
    elif "pin" in options:
        blocks.append(Paragraph(t("暗証番号で確認してください。", "Please use your PIN."), bold=True))
    blocks.append(Paragraph(t(f"顔認証はあと{left}回です。", f"Face check: {left} tries left.")))
    if ask_staff:
        blocks.append(_ask_staff(t))
    return Content(t("顔認証できませんでした", "Face did not match"), tuple(blocks), _labels(options, t), alert=True)


@renderer("pin_last_try_warning")
def pin_last_try_warning(p: Params, t: Tr) -> Content:
    options = p.options({"continue", "face", "back"})
    return Content(t("暗証番号はあと1回です", "Only 1 PIN try left"), (
        Paragraph(t("次に間違えるとロックされ、市区町村の窓口でしか解除できません。",
                    "A wrong PIN locks it; only your city office can unlock it."), bold=True),
        Paragraph(t("分からないときは、入力せずに職員にお声がけください。", "Not sure? Please ask a staff member.")),
    ), _labels(options, t), alert=True)


@renderer("pin_entry")
def pin_entry(p: Params, t: Tr) -> Content:
    options = p.options({"back"})
    length = p.integer("length", 4, 16)
    entered = p.integer("entered", 0, length)
    tries = p.integer("tries_left", 1, 15)
    last_try = p.flag("last_try")
    wrong = p.flag("previous_wrong")
    smartphone = p.flag("smartphone")
    if smartphone:
        ask = t(f"スマートフォン用電子証明書の{length}桁の暗証番号を入力します",
                f"Enter the {length}-digit PIN of your phone's certificate.")
    else:
        ask = t(f"カード申請時に設定した{length}桁の暗証番号を入力します", f"Enter the {length}-digit PIN of your card.")
    blocks: list[Block] = [Paragraph(ask, bold=True), PinDots(entered, length)]
    if last_try:
        blocks.append(Notice(t("間違えるとロックされます", "A wrong PIN locks it")))
    # The keys 訂正 (start over) and 決定 (done) are printed on the keypad itself; the screen need not repeat them.
    title = t("暗証番号が違います", "Wrong PIN") if wrong else t("暗証番号", "PIN")
    return Content(title, tuple(blocks), _labels(options, t), corner=t(f"あと{tries}回", f"{tries} left"),
                   alert=wrong or last_try)


@renderer("pin_locked")
def pin_locked(p: Params, t: Tr) -> Content:
    options = p.options({"face", "back"})
    smartphone = p.flag("smartphone")
    ask_staff = p.flag("ask_staff")
    blocks: list[Block] = [
        Paragraph(t("スマートフォンの案内に従って手続きしてください。", "Follow your phone's instructions to unlock it.")
                  if smartphone else
                  t("市区町村の窓口で解除できます。", "Your city office can unlock it."), bold=True),
    ]
    if "face" in options:
        blocks.append(Paragraph(t("今日は顔認証で受付できます。", "You can use the face check today.")))
    if ask_staff:
        blocks.append(_ask_staff(t))
    return Content(t("暗証番号がロック中です", "Your PIN is locked"), tuple(blocks), _labels(options, t), alert=True)


_STAFF_SOURCES = {
    "host": ("受付端末", "reception PC"),
    "keyswitch": ("職員キー", "staff key"),
    "staff_code": ("職員コード", "staff code"),
}


@renderer("visual_check")
def visual_check(p: Params, t: Tr) -> Content:
    options = p.options({"confirm_identity", "reject_identity"})
    staff_id = p.text("staff_id", STAFF_ID_MAX_LENGTH)
    source = p.choice("source", _STAFF_SOURCES)
    blocks: list[Block] = [
        Paragraph(t("職員がまいります。お待ちください。", "Staff will come. Please wait."), bold=True),
        Paragraph(t("職員の方：カードの写真とご本人を見比べてください。", "Staff: compare the patient with the photo.")),
    ]
    if staff_id:
        blocks.append(Paragraph(t(f"職員：{staff_id}（{_STAFF_SOURCES[source][0]}）",
                                  f"Staff: {staff_id} ({_STAFF_SOURCES[source][1]})")))
    if not options:
        blocks.append(Notice(t("職員キーを回すか、職員コードを入力してください", "Turn the staff key or type the "
                               "staff code.")))
    return Content(t("目視確認", "Visual check"), tuple(blocks), _labels(options, t))


# --- consents -------------------------------------------------------------------------------------------------------


def _consent(screen_id: str, allowed: set[str]) -> Renderer:
    def render(p: Params, t: Tr) -> Content:
        options = p.options(allowed | {"back"})
        version = p.text("wording_version", 64)
        steps = p.integer("steps", 1, 9)
        step = p.integer("step", 1, steps)
        text = consent_text(version, screen_id)
        return Content(t(*text.title), (
            Paragraph(t(*text.question), bold=True),
            Paragraph(t(*text.detail)),
        ), _labels(options, t), corner=f"{step}/{steps}")
    render.__name__ = screen_id
    return renderer(screen_id)(render)


consent_medical = _consent("consent_medical", {"agree", "disagree"})
consent_checkup = _consent("consent_checkup", {"agree", "disagree_or_under_40"})
consent_limit = _consent("consent_limit", {"provide", "dont_provide"})
consent_prescription = _consent("consent_prescription", {"e_prescription", "paper_prescription"})


# --- after the session ----------------------------------------------------------------------------------------------


@renderer("expiring_soon")
def expiring_soon(p: Params, t: Tr) -> Content:
    options = p.options({"ok"})
    days = p.integer("days_left", 0, 9999)
    not_after = p.optional_date("not_after")
    when = ""
    if not_after is not None:
        when = t(f"有効期限：{format_date(not_after, 'ja')}", f"Valid until {format_date(not_after, 'en')}")
    return Content(t("電子証明書の期限間近", "Certificate expiring"), (
        Paragraph(t(f"受付は完了しました。電子証明書の期限まであと{days}日です。",
                    f"Reception complete. Your certificate expires in {days} days."), bold=True),
        *((Paragraph(when),) if when else ()),
        Paragraph(t("お早めに市区町村の窓口で更新してください。", "Please renew it at your city office soon.")),
    ), _labels(options, t))


@renderer("done")
def done(p: Params, t: Tr) -> Content:
    p.options(())
    blocks: list[Block] = [Paragraph(t("受付が完了しました。お呼びするまでお待ちください。",
                                       "Your reception is complete. Please wait until you are called."), bold=True)]
    if p.flag("remove_card"):
        blocks.append(Notice(t("カードをカードリーダーからお取りください", "Please take your card from the reader.")))
    return Content(t("受付完了", "Reception complete"), tuple(blocks))


@renderer("card_forgotten")
def card_forgotten(p: Params, t: Tr) -> Content:
    p.options(())
    smartphone = p.flag("smartphone")
    thing = t("スマートフォン", "phone") if smartphone else t("カード", "card")
    return Content(t(f"{thing}を忘れずに！", f"Don't forget your {thing}!"), (
        Notice(t(f"{thing}をお取りください", f"Please take your {thing}.")),
    ))


@renderer("card_removed")
def card_removed(p: Params, t: Tr) -> Content:
    p.options(())
    return Content(t("カードが取り外されました", "Card removed"), (
        Paragraph(t("受付は完了していません。", "Your reception is not complete."), bold=True),
        Paragraph(t("もう一度カードを置くと、はじめからやり直せます。", "Place your card again to start over.")),
    ), alert=True)


@renderer("timed_out")
def timed_out(p: Params, t: Tr) -> Content:
    p.options(())
    blocks: list[Block] = [Paragraph(t("操作がなかったため、受付を中止しました。",
                                       "The reception stopped because nothing was pressed."), bold=True)]
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    blocks.append(Paragraph(t("もう一度カードを置くと、はじめからやり直せます。", "Place your card again to start over.")))
    return Content(t("時間切れ", "Time is up"), tuple(blocks), alert=True)


@renderer("cancelled")
def cancelled(p: Params, t: Tr) -> Content:
    p.options(())
    if p.flag("out_of_service"):
        why = t("この受付機が休止になったため、受付を中止しました。",
                "The reception was stopped: this reader is now out of service.")
    else:
        why = t("受付を中止しました。", "The reception was stopped by staff.")
    blocks: list[Block] = [Paragraph(why, bold=True)]
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    blocks.append(_ask_staff(t))
    return Content(t("受付の中止", "Reception stopped"), tuple(blocks), alert=True)


@renderer("not_verified")
def not_verified(p: Params, t: Tr) -> Content:
    p.options(())
    blocks: list[Block] = [Paragraph(t("ご本人であることを確認できませんでした。", "Your identity could not be confirmed."),
                                     bold=True)]
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    blocks.append(Paragraph(t("職員にお声がけください。", "Please ask a staff member.")))
    return Content(t("本人確認できませんでした", "Not confirmed"), tuple(blocks), alert=True)


@renderer("device_error")
def device_error(p: Params, t: Tr) -> Content:
    p.options(())
    code = p.text("code", CODE_MAX_LENGTH)
    blocks: list[Block] = [Paragraph(t("機器のエラーのため、受付を中止しました。職員にお声がけください。",
                                       "A device error stopped the reception. Please ask a staff member."),
                                     bold=True)]
    if p.flag("remove_card"):
        blocks.append(_take_card(t))
    if code:
        blocks.append(_code(code, t))
    return Content(t("機器のエラー", "Device error"), tuple(blocks), alert=True)
