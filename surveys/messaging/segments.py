"""How many parts (segments) a text message is sent in, which is what operators bill.

A message of the GSM 03.38 alphabet (Finnish and Swedish letters included) takes 160 characters in
one part and 153 a part when longer, a character of its extension table counting twice; any other
character makes the whole message UCS-2: 70 characters, or 67 a part (characters outside the Basic
Multilingual Plane counting twice).
"""

import math

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
_GSM_BASIC, _GSM_EXTENSION = frozenset(GSM_BASIC), frozenset(GSM_EXTENSION)
# Typographic punctuation outside the GSM alphabet, as the GSM characters that look alike: one such
# character would triple the parts of a message.
GSM_LOOKALIKES = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "…": "...", "\u00a0": " "}
)


def sms_segments(text: str) -> int:
    if all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text):
        length = len(text) + sum(char in _GSM_EXTENSION for char in text)
        return 1 if length <= 160 else math.ceil(length / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
