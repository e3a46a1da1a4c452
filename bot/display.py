"""Text made safe to print on a terminal: no control or escape sequence gets through.

The loader refuses control characters in a FAQ file, but questions, file names and rows come
from users, and a FAQ can be built without the loader; so every front-end that writes to a
terminal passes its text through here. C0 and C1 controls (ESC, CSI, BEL, CR...), DEL and the
bidirectional overrides that can disguise text become U+FFFD. `json_line` instead escapes
them, which JSON allows: the data stays the same, only its spelling changes.
"""

from __future__ import annotations

import json
import re
from typing import Any

REPLACEMENT = "\ufffd"
# C0 and C1 controls (ESC included), DEL, and the bidi overrides that can disguise text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# json.dumps escapes C0 itself; these it leaves raw with ensure_ascii=False
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """`text` with every control character but newline and tab replaced by U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text)


def one_line(text: str) -> str:
    """`text` on one line (newlines and tabs become spaces), safe to print."""
    return safe(text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def escape_json(text: str) -> str:
    """JSON text with the controls json.dumps leaves raw written as ``\\uXXXX`` escapes."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_line(value: Any) -> str:
    """`value` as one line of JSON (UTF-8 text kept readable), safe to print."""
    return escape_json(json.dumps(value, ensure_ascii=False))
