"""Words shared by several screens: button labels, the consent wording (versioned) and small phrases.

The consent wording carries a version id; the reception flow passes the version it is configured with in the
screen's ``wording_version``, and the signed result quotes the same id, so a host can tell exactly which question
the patient answered. Change the wording only together with a new version id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from display.errors import UnknownWording

LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class Tr:
    """Picks the Japanese or the English of a pair."""

    language: str

    def __call__(self, ja: str, en: str) -> str:
        return ja if self.language == "ja" else en


# Button labels. "\n" marks where a label breaks on a narrow button, so that it breaks at a phrase boundary.
OPTION_LABELS: dict[str, tuple[str, str]] = {
    "smartphone": ("スマート\nフォン", "Phone"),
    "iphone": ("iPhone", "iPhone"),
    "android": ("Android", "Android"),
    "face": ("顔認証", "Face"),
    "pin": ("暗証番号", "PIN"),
    "retry": ("もう一度", "Retry"),
    "continue": ("入力する", "Continue"),
    "back": ("戻る", "Back"),
    "agree": ("同意する", "Agree"),
    "disagree": ("同意\nしない", "Disagree"),
    "disagree_or_under_40": ("同意しない\n40歳未満", "No /\nunder 40"),
    "provide": ("提供する", "Share"),
    "dont_provide": ("提供\nしない", "Don't\nshare"),
    "e_prescription": ("電子\n処方箋", "Electronic"),
    "paper_prescription": ("紙の\n処方箋", "Paper"),
    "ok": ("確認", "OK"),
    "confirm_identity": ("本人と\n確認", "Confirm"),
    "reject_identity": ("本人で\nない", "Reject"),
}


@dataclass(frozen=True)
class ConsentText:
    title: tuple[str, str]
    question: tuple[str, str]
    detail: tuple[str, str]


CONSENT_WORDING: dict[str, dict[str, ConsentText]] = {
    "1": {
        "consent_medical": ConsentText(
            ("同意の確認 ①", "Consent ①"),
            ("過去の診療・お薬情報を当機関に提供することに同意しますか。",
             "Share your past medical and medicine records with us?"),
            ("この情報はあなたの診療や健康管理のために使用します。", "They are used for your care."),
        ),
        "consent_checkup": ConsentText(
            ("同意の確認 ②", "Consent ②"),
            ("（40歳以上の方）特定健診情報の提供に同意しますか。",
             "(Age 40 and over) Share your health check-up records?"),
            ("40歳未満の方は「同意しない」を選んでください。", 'Under 40: choose "No / under 40".'),
        ),
        "consent_limit": ConsentText(
            ("限度額情報", "Payment limit"),
            ("限度額情報を提供しますか。", "Share your payment limit information?"),
            ("高額療養費制度をご利用の方は、窓口での支払いが限度額までになります。",
             "With high-cost medical care, you pay no more than the monthly limit."),
        ),
        "consent_prescription": ConsentText(
            ("処方箋の形式", "Prescription"),
            ("処方箋の形式を選んでください。", "Which kind of prescription would you like?"),
            ("電子処方箋は、紙の代わりに電子で薬局に届きます。", "An electronic one goes to the pharmacy by itself."),
        ),
    },
}


def consent_text(version: str, screen_id: str) -> ConsentText:
    try:
        return CONSENT_WORDING[version][screen_id]
    except KeyError:
        raise UnknownWording(f"no consent wording version {version!r} for {screen_id} "
                             f"(display carries {', '.join(sorted(CONSENT_WORDING))})") from None


def format_date(day: dt.date, language: str) -> str:
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%-d %b %Y")
