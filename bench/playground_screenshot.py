"""Take the README's picture of the playground: start the service (``cg3 serve``, with the
harness launcher) on a free loopback port, open ``/`` in headless Chromium (the system one)
and save a screenshot of the page as it opens, with the cat it opens on.

    uv run python bench/playground_screenshot.py [--out docs/playground.png]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from renderer_service.harness import HEADLESS_CHROMIUM_ARGS, running_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/playground.png"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()

    # the README's start command, with one render worker
    with running_service(["--log-level", "warning"], env={"CG3_WORKER_COUNT": "1"}) as service:
        url = service.url
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=args.chromium, args=HEADLESS_CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url + "/")
            ready = "document.querySelector('#preview').dataset.status === 'ready'"
            page.wait_for_function(ready, timeout=60_000)
            page.wait_for_selector(".poses button[style*='background-image']", timeout=60_000)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.wait_for_timeout(500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            shot = page.screenshot()
            browser.close()
        with Image.open(io.BytesIO(shot)) as picture:  # 256 colours: a small file for the README
            picture.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(
                args.out, optimize=True
            )
        print(f"saved {args.out}")


if __name__ == "__main__":
    main()
