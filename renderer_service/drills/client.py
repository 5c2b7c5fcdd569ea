"""Loopback-only load generation: a lean HTTP/1.1 keep-alive client (its bookkeeping is in
``record``).

Generic clients (httpx, aiohttp) spend more CPU per request than a small renderer does, and on a
two-core machine the load generator shares the CPU with the service it measures. This client does
the least that is correct: one keep-alive connection per virtual user over asyncio streams,
requests serialised once up front, responses framed by ``Content-Length``.

Traffic goes to loopback only. ``parse_target`` refuses any other host before a socket is opened,
and ``HttpConnection`` checks again, so no caller can aim it elsewhere.

What the client does with awkward answers:

- any status is an answer: it is counted by status, never raised;
- ``Connection: close`` (or an HTTP/1.0 answer without keep-alive) closes the connection after the
  body, and the next request opens a new one;
- a connection the server closed while idle is noticed before reuse and reopened silently;
- a connection that closes or resets while a request is in flight is a ``dropped`` failure, a
  request with no answer by its deadline is a ``timeout``; either way the connection is discarded
  and the next request reconnects;
- a chunked (``Transfer-Encoding``) answer is a ``protocol`` failure naming the header, since the
  service never sends one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8001"

SINGLE_COLOUR_WHITE: dict[str, Any] = {
    "payload": {
        "spriteNumber": 8,
        "params": {
            "peltName": "SingleColour",
            "colour": "WHITE",
            "eyeColour": "YELLOW",
            "skinColour": "PINK",
        },
    }
}
"""The default load-test payload: one plain white cat."""

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_CASES = REPO_ROOT / "tests" / "data" / "legacy-public" / "cases.json"
"""The 120 public parity cats, from the test data."""

FAILURE_KINDS = ("connect", "dropped", "timeout", "protocol")
"""Ways a request can end without an answer: no connection, connection lost mid-request,
no answer in time, an answer this client cannot read."""

# --- the loopback guard -------------------------------------------------------------------------


class NotLoopbackError(ValueError):
    """The target is not a loopback address: load traffic never leaves the machine."""


def _is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def loopback_address(host: str) -> str:
    """The loopback IP literal to connect to for ``host``; ``NotLoopbackError`` otherwise.

    Accepted: IPv4 127.0.0.0/8, IPv6 ``::1`` (bracketed or not, also as ``::ffff:127.x.y.z``)
    and the name ``localhost``, which must resolve to loopback addresses only. Any other name is
    refused without a DNS lookup.
    """
    name = host.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    refusal = (
        f"refusing to send load to {host!r}: load traffic goes to loopback only "
        "(127.0.0.0/8, localhost or ::1)"
    )
    if not name:
        raise NotLoopbackError(refusal)
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if name.lower().rstrip(".") != "localhost":
            raise NotLoopbackError(refusal) from None
        try:
            infos = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)
        except OSError as error:
            raise NotLoopbackError(f"{refusal}; 'localhost' does not resolve: {error}") from None
        resolved = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not resolved or not all(_is_loopback(each) for each in resolved):
            found = ", ".join(str(each) for each in resolved) or "nothing"
            raise NotLoopbackError(f"{refusal}; 'localhost' resolves to {found}") from None
        resolved.sort(key=lambda each: each.version)  # 127.0.0.1 before ::1
        return str(resolved[0])
    if not _is_loopback(address):
        raise NotLoopbackError(refusal)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


@dataclass(frozen=True, slots=True)
class Target:
    """Where requests go: the host as written (for ``Host:``), the loopback address, the port."""

    host: str
    address: str
    port: int
    base_path: str = ""

    @property
    def host_header(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{shown}:{self.port}"

    def url(self, path: str = "") -> str:
        return f"http://{self.host_header}{self.base_path}{path}"


def parse_target(url: str) -> Target:
    """Check ``url`` (``http://host[:port][/prefix]``) and return its ``Target``.

    Raises ``NotLoopbackError`` for a non-loopback host and ``ValueError`` for anything that is
    not a plain ``http://`` URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme != "http" or not parts.netloc:
        raise ValueError(f"expected a URL like {DEFAULT_URL}, got {url!r} (plain http:// only)")
    host = parts.hostname or ""
    address = loopback_address(host)
    try:
        port = parts.port or 80
    except ValueError as error:
        raise ValueError(f"bad port in {url!r}: {error}") from None
    if parts.query or parts.fragment:
        raise ValueError(f"the URL takes no query or fragment: {url!r}")
    return Target(host=host, address=address, port=port, base_path=parts.path.rstrip("/"))


# --- requests and responses ---------------------------------------------------------------------


def build_request(
    target: Target,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """One complete HTTP/1.1 request as bytes, ready to write as many times as needed."""
    lines = [
        f"{method} {target.base_path}{path} HTTP/1.1",
        f"Host: {target.host_header}",
        "User-Agent: renderer-loadgen",
        "Accept: application/json",
    ]
    if body is not None:
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (body or b"")


def json_request(target: Target, path: str, document: object) -> bytes:
    """A ``POST`` of ``document`` as compact JSON."""
    body = json.dumps(document, separators=(",", ":")).encode()
    return build_request(target, "POST", path, body)


def load_public_cases(path: Path = PUBLIC_CASES) -> list[dict[str, Any]]:
    """The public parity cats as ``/render`` request documents: ``{"payload": {"params": ...}}``."""
    try:
        cases = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"public cats not found at {path}") from None
    return [{"payload": {"params": case["params"]}} for case in cases]


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    will_close: bool


class ProtocolError(Exception):
    """An answer this client will not read (malformed, or framed other than by length)."""


class RequestError(Exception):
    """A request that got no usable answer; ``kind`` is one of ``FAILURE_KINDS``."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


_NO_BODY = frozenset({204, 304})


async def read_response(reader: asyncio.StreamReader) -> Response:
    """Read one answer. Raises ``asyncio.IncompleteReadError`` if the stream ends early."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise ProtocolError("response head too large") from None
        lines = head[:-4].split(b"\r\n")
        status_line = lines[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        try:
            status = int(status_line[1])
        except ValueError:
            raise ProtocolError(f"bad status code: {lines[0][:80]!r}") from None
        if 100 <= status < 200 and status != 101:
            continue  # interim answer (100 Continue): the real one follows
        break
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ProtocolError(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    connection = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    will_close = "close" in connection or (
        status_line[0] == b"HTTP/1.0" and "keep-alive" not in connection
    )
    encoding = headers.get("transfer-encoding")
    if encoding is not None:
        raise ProtocolError(
            f"Transfer-Encoding: {encoding} answers are not supported "
            "(this client reads Content-Length framed bodies only)"
        )
    length = headers.get("content-length")
    if status in _NO_BODY:
        body = b""
    elif length is not None:
        try:
            size = int(length)
        except ValueError:
            raise ProtocolError(f"bad Content-Length: {length!r}") from None
        if size < 0:
            raise ProtocolError(f"bad Content-Length: {length!r}")
        body = await reader.readexactly(size)
    else:  # no length: the body runs to the end of the connection
        body = await reader.read()
        will_close = True
    return Response(status, headers, body, will_close)


class HttpConnection:
    """One keep-alive connection to a loopback target, reopened when needed.

    ``request`` returns any answer (whatever its status) or raises ``RequestError``; after a
    failure the connection is discarded and the next request opens a fresh one.
    """

    def __init__(self, target: Target, timeout: float = 30.0) -> None:
        # The guard again, for targets built by hand rather than by parse_target.
        if loopback_address(target.address) != target.address:
            raise NotLoopbackError(f"target address {target.address!r} is not a loopback literal")
        self.target = target
        self.timeout = timeout
        self.opened = 0
        """Connections opened over this object's life (1 means keep-alive held throughout)."""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    async def connect(self) -> None:
        """Open the connection now if it is not open (or was closed by the server while idle)."""
        if self._writer is not None and self._reader is not None:
            if not self._reader.at_eof() and not self._writer.is_closing():
                return
            self.close()
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(
                    self.target.address, self.target.port
                )
        except TimeoutError:
            raise RequestError("connect", f"no connection within {self.timeout:g} s") from None
        except OSError as error:
            raise RequestError("connect", str(error) or type(error).__name__) from None
        self._reader, self._writer = reader, writer
        self.opened += 1

    async def request(self, raw: bytes) -> Response:
        """Send one prepared request (see ``build_request``) and read its answer."""
        await self.connect()
        reader, writer = self._reader, self._writer
        assert reader is not None
        assert writer is not None
        try:
            async with asyncio.timeout(self.timeout):
                writer.write(raw)
                await writer.drain()
                response = await read_response(reader)
        except TimeoutError:
            self.close()
            raise RequestError("timeout", f"no answer within {self.timeout:g} s") from None
        except asyncio.IncompleteReadError as error:
            self.close()
            got = len(error.partial)
            raise RequestError(
                "dropped", f"connection closed mid-answer ({got} bytes of the last read)"
            ) from None
        except OSError as error:  # reset, broken pipe
            self.close()
            raise RequestError("dropped", str(error) or type(error).__name__) from None
        except ProtocolError as error:
            self.close()
            raise RequestError("protocol", str(error)) from None
        if response.will_close:
            self.close()
        return response

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        writer = self._writer
        self.close()
        if writer is not None:
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()
