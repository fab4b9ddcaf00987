"""How many parts (segments) a text message is sent in, which is what operators bill.

A message of the GSM 03.38 alphabet (Finnish and Swedish letters included) takes 160 characters in
one part and 153 a part when longer, a character of its extension table counting twice; any other
character makes the whole message UCS-2: 70 characters, or 67 a part (characters outside the Basic
Multilingual Plane counting twice). A character is never split between two parts (an extension
character's escape and code, a surrogate pair), as Twilio and the operators split a message: one
that would straddle a part's end starts the next part, which may make one part more.
"""

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
        sizes = [2 if char in _GSM_EXTENSION else 1 for char in text]
        return _parts(sizes, single=160, part=153)
    # UTF-16 code units: two for a character outside the Basic Multilingual Plane.
    return _parts([2 if ord(char) > 0xFFFF else 1 for char in text], single=70, part=67)


def _parts(sizes: list[int], *, single: int, part: int) -> int:
    """The parts characters of these sizes take: one when they fit it whole, else parts of `part`
    filled in order, a character that does not fit whole starting the next."""
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
