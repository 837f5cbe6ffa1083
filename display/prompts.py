"""Voice guidance: what each screen says aloud, in Japanese and English.

Every screen that asks the patient to do something speaks (all but the 「お待ちください」 screen). A prompt is
named by a key that depends only on what the patient must do, not on counters: the daemon speaks when the key
changes, so typing a PIN digit does not repeat the prompt, but a wrong PIN does speak. Prompts are short (< 8 s) and
synthesised ahead of time (``mynareader voice build``); nothing is synthesised at run time.
"""

from __future__ import annotations

from collections.abc import Mapping

from display.errors import UnknownScreen

PROMPTS: dict[str, tuple[str, str]] = {
    "insert_card": ("マイナンバーカードを、カードリーダーに置いてください。", "Please place your My Number card on the reader."),
    "unsupported_card.juki": ("このカードは使えません。マイナンバーカードを置いてください。",
                              "This card cannot be used. Please use your My Number card."),
    "unsupported_card.unknown": ("マイナンバーカードではないようです。カードをお確かめください。",
                                 "This is not a My Number card. Please check your card."),
    "unsupported_card.mute": ("カードのICチップを読み取れませんでした。", "The card's chip could not be read."),
    "unsupported_card.phone": ("スマートフォンは使えません。マイナンバーカードを置いてください。",
                               "Smartphones cannot be used here. Please use your My Number card."),
    "unsupported_card.card": ("このカードでは受付できません。職員にお声がけください。",
                              "This card cannot be used. Please ask a staff member."),
    "card_unreadable": ("カードを読み取れませんでした。もう一度置いてください。",
                        "Your card could not be read. Please place it again."),
    "choose_phone": ("お使いのスマートフォンを選んでください。", "Please choose your smartphone."),
    "hold_phone": ("スマートフォンを、読み取り部にかざしてください。", "Please hold your phone to the phone reader."),
    "phone_authorise": ("iPhoneの画面で、確認してください。", "Please confirm on your iPhone."),
    "choose_method.both": ("顔認証か暗証番号を、ボタンで選んでください。", "Please choose face check or PIN with a button."),
    "choose_method.face": ("顔認証のボタンを押してください。", "Please press the face check button."),
    "choose_method.pin": ("暗証番号のボタンを押してください。", "Please press the PIN button."),
    "choose_method.staff": ("職員をお呼びください。", "Please ask a staff member."),
    "card_face_scan": ("顔写真のある面を上にして、カードを置いてください。", "Please place your card photo side up."),
    "card_face_scan.problem": ("カードの表面が読めません。置き直してください。",
                               "The front of your card cannot be read. Please place it again."),
    "face_guidance.look_at_camera": ("カメラを見てください。", "Please look at the camera."),
    "face_guidance.move_closer": ("もう少し近づいてください。", "Please come a little closer."),
    "face_guidance.move_back": ("少し離れてください。", "Please move back a little."),
    "face_guidance.more_light": ("お顔が暗くて見えません。", "Your face is too dark to see."),
    "face_guidance.hold_still": ("そのまま、動かないでください。", "Please hold still."),
    "face_guidance.one_person": ("お一人で写ってください。", "Only one person, please."),
    "face_guidance.turn_left": ("ゆっくり、左を向いてください。", "Slowly turn your head to the left."),
    "face_guidance.turn_right": ("ゆっくり、右を向いてください。", "Slowly turn your head to the right."),
    "face_retry": ("顔を確認できませんでした。ボタンで選んでください。", "Your face did not match. Please choose a button."),
    "pin_last_try_warning": ("暗証番号は、あと1回です。間違えるとロックされます。",
                             "Only one PIN try is left. A wrong PIN locks it."),
    "pin_entry": ("4桁の暗証番号を入力して、決定を押してください。", "Please enter your 4-digit PIN, then press Enter."),
    "pin_entry.wrong": ("暗証番号が違います。", "That PIN is wrong."),
    "pin_entry.last_try": ("あと1回間違えると、ロックされます。", "One more wrong PIN locks it."),
    "pin_locked": ("暗証番号がロックされています。", "Your PIN is locked."),
    "certificate_expired": ("電子証明書の期限が切れています。職員にお声がけください。",
                            "Your card's certificate has expired. Please ask a staff member."),
    "certificate_expired.missing": ("電子証明書がありません。職員にお声がけください。",
                                    "Your card has no certificate. Please ask a staff member."),
    "expiring_soon": ("電子証明書の期限が近づいています。お早めに更新してください。",
                      "Your certificate expires soon. Please renew it."),
    "consent_medical": ("診療・お薬情報の提供に、同意しますか。", "Do you agree to share your medical records?"),
    "consent_checkup": ("特定健診情報の提供に、同意しますか。", "Do you agree to share your health check-up records?"),
    "consent_limit": ("限度額情報を提供しますか。", "Do you agree to share your payment limit?"),
    "consent_prescription": ("処方箋の形式を選んでください。", "Please choose the kind of prescription."),
    "done": ("受付が完了しました。カードをお取りください。", "Reception complete. Please take your card."),
    "done.keep_card": ("受付が完了しました。お呼びするまでお待ちください。", "Reception complete. Please wait to be called."),
    "card_forgotten": ("カードを、お忘れなく。", "Please don't forget your card."),
    "card_forgotten.phone": ("スマートフォンを、お忘れなく。", "Please don't forget your phone."),
    "visual_check": ("職員がまいります。そのままお待ちください。", "A staff member will come. Please wait."),
    "card_removed": ("カードが取り外されました。もう一度置いてください。", "Your card was removed. Please place it again."),
    "timed_out": ("時間切れです。もう一度カードを置いてください。", "Time is up. Please place your card again."),
    "cancelled": ("受付を中止しました。", "The reception was stopped."),
    "not_verified": ("本人確認ができませんでした。職員にお声がけください。",
                     "Your identity could not be confirmed. Please ask a staff member."),
    "host_not_connected": ("ただいま受付できません。職員にお声がけください。",
                           "Reception is not available. Please ask a staff member."),
    "device_error": ("機器のエラーです。職員にお声がけください。", "A device error occurred. Please ask a staff member."),
    "out_of_service": ("この受付機は休止中です。職員にお声がけください。",
                       "This reader is out of service. Please ask a staff member."),
}

SILENT_SCREENS = frozenset({"reading"})  # 「お待ちください」 asks nothing


def prompt_for(screen_id: str, params: Mapping[str, object]) -> str | None:
    """The key of the prompt ``screen_id`` speaks with ``params``, or None for a screen that asks nothing."""
    if screen_id in SILENT_SCREENS:
        return None
    raw_options = params.get("options")
    options = list(raw_options) if isinstance(raw_options, list | tuple) else []
    if screen_id == "unsupported_card":
        kind = str(params.get("kind"))
        key = "unsupported_card." + ("phone" if kind in ("android", "iphone") else kind)
    elif screen_id == "choose_method":
        both = "face" in options and "pin" in options
        key = "choose_method." + ("both" if both else "face" if "face" in options else
                                  "pin" if "pin" in options else "staff")
    elif screen_id == "card_face_scan":
        key = "card_face_scan.problem" if params.get("problem") else "card_face_scan"
    elif screen_id == "face_guidance":
        key = f"face_guidance.{params.get('cue')}"
    elif screen_id == "pin_entry":
        key = "pin_entry.wrong" if params.get("previous_wrong") else (
            "pin_entry.last_try" if params.get("last_try") else "pin_entry")
    elif screen_id == "certificate_expired":
        key = "certificate_expired.missing" if params.get("problem") == "missing" else "certificate_expired"
    elif screen_id == "done":
        key = "done" if params.get("remove_card") else "done.keep_card"
    elif screen_id == "card_forgotten":
        key = "card_forgotten.phone" if params.get("smartphone") else "card_forgotten"
    else:
        key = screen_id
    if key not in PROMPTS:
        raise UnknownScreen(f"no voice prompt {key!r} for screen {screen_id!r}")
    return key


def prompt_text(key: str, language: str) -> str:
    ja, en = PROMPTS[key]
    return ja if language == "ja" else en
