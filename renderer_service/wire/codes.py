"""Cat codes: a cat's params as a short URL-safe string, and back.

A code is ``1`` (the format version) followed by the unpadded URL-safe base64 of the
raw-deflated canonical params JSON (keys sorted, defaults left out). It round-trips every
param exactly. Decoding is bounded: a code can never expand past ``MAX_PARAMS_BYTES``.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

import orjson
from isal import isal_zlib

VERSION = "1"
MAX_CODE_LENGTH = 2048
MAX_PARAMS_BYTES = 8192


class CodeError(ValueError):
    """The code cannot be read; the message says why."""


def encode_cat_code(params: dict[str, Any]) -> str:
    data = orjson.dumps(params, option=orjson.OPT_SORT_KEYS)
    packed = isal_zlib.compress(data, 3, wbits=-15)  # raw deflate, read back with zlib
    return VERSION + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_cat_code(code: str) -> dict[str, Any]:
    """The params a code stands for; ``CodeError`` saying what is wrong otherwise."""
    if not code:
        raise CodeError("the code is empty")
    if len(code) > MAX_CODE_LENGTH:
        raise CodeError(f"the code is {len(code)} characters long; at most {MAX_CODE_LENGTH}")
    if code[0] != VERSION:
        raise CodeError(f"unknown code version {code[0]!r}; this service reads version {VERSION}")
    text = code[1:]
    try:
        padded = text + "=" * (-len(text) % 4)
        packed = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CodeError("the code is not URL-safe base64") from None
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(packed, MAX_PARAMS_BYTES)
    except zlib.error:
        raise CodeError("the code is damaged (it does not inflate)") from None
    if inflater.unconsumed_tail:
        raise CodeError(f"the code expands past {MAX_PARAMS_BYTES} bytes")
    if not inflater.eof:
        raise CodeError("the code is cut short")
    try:
        params = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise CodeError("the code does not hold JSON") from None
    if not isinstance(params, dict):
        raise CodeError("the code does not hold a params object")
    return params
