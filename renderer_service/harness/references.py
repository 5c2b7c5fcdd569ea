"""Where the other renderer's pictures come from: a folder of ``<id>.png`` or a service.

A service is asked ``POST {url}/render`` with the case's body; it may answer the PNG bytes
(this service, with ``Accept: image/png``) or JSON with an ``image`` data URL (the V2-compatible
service and this one without that header).
"""

from __future__ import annotations

import base64
from pathlib import Path
from types import TracebackType
from typing import Protocol

import httpx

from renderer_service.harness.cases import Case

DATA_URL_MARK = ";base64,"


class ReferenceUnavailableError(Exception):
    """The other renderer gave no picture for a case; the message says why."""


class ReferenceSource(Protocol):
    description: str

    def picture(self, case: Case) -> bytes:
        """The PNG bytes of the case's reference; ``ReferenceUnavailableError`` if none."""
        ...

    def close(self) -> None: ...


class FolderSource:
    """Pictures named ``<id>.png`` in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"folder {folder}"

    def picture(self, case: Case) -> bytes:
        path = self.folder / f"{case.id}.png"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise ReferenceUnavailableError(f"no reference picture {path}") from None
        except OSError as error:
            raise ReferenceUnavailableError(f"cannot read {path}: {error}") from None

    def close(self) -> None:
        return None


class ServiceSource:
    """Pictures a render service draws, asked one case at a time over one connection."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.description = f"service {self.url}"
        self._client = httpx.Client(
            timeout=timeout, headers={"Accept": "image/png, application/json;q=0.5"}
        )

    def picture(self, case: Case) -> bytes:
        try:
            answer = self._client.post(f"{self.url}/render", json=case.body)
        except httpx.HTTPError as error:
            raise ReferenceUnavailableError(f"{self.url}/render: {error}") from None
        if answer.status_code != 200:
            raise ReferenceUnavailableError(
                f"{self.url}/render answered {answer.status_code}: {answer.text[:300]}"
            )
        kind = answer.headers.get("content-type", "")
        if kind.startswith("image/"):
            return answer.content
        try:
            image = answer.json()["image"]
            return base64.b64decode(image.split(DATA_URL_MARK, 1)[1], validate=True)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ReferenceUnavailableError(
                f"{self.url}/render answered {kind or 'no content type'} without a PNG or an "
                "'image' data URL"
            ) from None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ServiceSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
