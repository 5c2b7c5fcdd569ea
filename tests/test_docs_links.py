"""Every relative link in the README, CONTRIBUTING.md and docs/ leads somewhere: the file
exists, and an anchor (``#part`` or ``page.md#part``) names a heading of that page, slugged as
GitHub slugs headings. The checker is itself tested on pages with broken links, so that it
cannot pass by finding nothing."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import REPO

DOCS = REPO / "docs"
PAGES = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"`[^`]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:, ...


def prose(text: str, spans: bool = True) -> str:
    """The page without its code: fenced blocks, indented blocks and (with ``spans``) code
    spans removed: a link or a heading inside code is not one."""
    kept: list[str] = []
    fenced = False
    previous_blank = True
    in_indented = False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            kept.append("")
            continue
        if fenced:
            kept.append("")
            continue
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        # An indented block starts after a blank line and lasts while lines stay indented or
        # blank; an indented line right after text continues that text (a list item, say).
        in_indented = (indented and (previous_blank or in_indented)) or (blank and in_indented)
        kept.append("" if in_indented else line)
        previous_blank = blank
    joined = "\n".join(kept)
    return CODE_SPAN.sub("code", joined) if spans else joined


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the text as shown, lower case, every character but
    letters, digits, spaces, ``-`` and ``_`` dropped, spaces made ``-``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML shows no tag
    kept = "".join(c for c in text.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets ``-1``, ``-2``... as on
    GitHub."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose(text, spans=False).splitlines():  # a heading's code is part of its text
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    body = prose(text)
    return [m.group(1) for m in LINK.finditer(body)] + REFERENCE.findall(body)


def broken_links(page: Path, root: Path) -> list[str]:
    """Every link of ``page`` that leads nowhere, with why."""
    text = page.read_text()
    problems: list[str] = []
    for target in links(text):
        if not target or EXTERNAL.match(target) or target.startswith("//"):
            continue
        path_part, _, anchor = target.partition("#")
        if path_part:
            if path_part.startswith("/"):
                problems.append(f"{target}: an absolute path does not resolve on a code host")
                continue
            resolved = (page.parent / unquote(path_part)).resolve()
            if not resolved.is_relative_to(root.resolve()):
                problems.append(f"{target}: outside the repository")
                continue
            if not resolved.exists():
                problems.append(f"{target}: no such file")
                continue
        else:
            resolved = page
        if anchor:
            if resolved.is_dir() or resolved.suffix != ".md":
                problems.append(f"{target}: an anchor into a file that is not a Markdown page")
            elif unquote(anchor) not in anchors(resolved.read_text()):
                problems.append(f"{target}: no heading '#{anchor}' in {resolved.name}")
    return problems


def test_the_pages_are_all_there() -> None:
    names = {page.name for page in DOCS.glob("*.md")}
    assert {
        "api.md",
        "architecture.md",
        "configuration.md",
        "packs.md",
        "performance.md",
        "production.md",
        "reliability.md",
        "saves.md",
        "v2-differences.md",
    } <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert links(page.read_text()), f"{page.name} has no link at all: is the checker reading it?"
    assert broken_links(page, REPO) == []


def test_the_readme_links_every_page_of_docs() -> None:
    readme = set(links((REPO / "README.md").read_text()))
    for page in DOCS.glob("*.md"):
        assert f"docs/{page.name}" in readme, page.name


def test_the_readme_stays_short() -> None:
    """The README is for a newcomer's first minutes; the reference lives in docs/."""
    assert len((REPO / "README.md").read_text().splitlines()) <= 300


def test_github_slugs() -> None:
    assert slug("The frontend's conventions") == "the-frontends-conventions"
    assert slug("`whitePatchesTint`") == "whitepatchestint"
    assert slug("A `POST /render` body, floor by floor") == "a-post-render-body-floor-by-floor"
    assert slug("Start-up time") == "start-up-time"
    assert slug("Limits and errors: 4xx & 5xx") == "limits-and-errors-4xx--5xx"
    assert slug("`cg3_*` metrics") == "cg3_-metrics"
    assert slug("See [the API](api.md)") == "see-the-api"


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    """Each kind of broken link is reported, and links that look broken but sit in code, or
    lead outside by URL, are not."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text(
        "# Other\n\n## Known part\n\n## Known part\n\n## The `code` part\n"
    )
    (tmp_path / "picture.png").write_bytes(b"")
    page = tmp_path / "README.md"
    page.write_text(
        "# Title\n\n"
        "## A `code` heading, with punctuation!\n\n"
        "[fine](docs/other.md) [fine](docs/other.md#known-part) "
        "[fine, the repeat](docs/other.md#known-part-1) [fine](docs/other.md#the-code-part) "
        "![fine](picture.png) "
        "[fine](#a-code-heading-with-punctuation) [fine](#title) [web](https://example.org/x)\n"
        "[missing file](docs/nothing.md) [missing anchor](docs/other.md#unknown-part)\n"
        "[missing in-page](#set-up) [image gone](gone.png) [absolute](/etc/passwd)\n"
        "[case matters](#Title) [outside](../../elsewhere.md)\n"
        "[anchor in a picture](picture.png#x)\n"
        "[reference]: docs/also-missing.md\n\n"
        "`[in a code span](nowhere.md)`\n\n"
        "```\n[in a fence](nowhere.md)\n# not a heading\n```\n\n"
        "    [in an indented block](nowhere.md)\n"
    )
    problems = broken_links(page, tmp_path)
    assert [problem.split(":")[0] for problem in problems] == [
        "docs/nothing.md",
        "docs/other.md#unknown-part",
        "#set-up",
        "gone.png",
        "/etc/passwd",
        "#Title",
        "../../elsewhere.md",
        "picture.png#x",
        "docs/also-missing.md",
    ]
    assert "not-a-heading" not in anchors(page.read_text())


def test_the_readme_lists_every_command() -> None:
    """The README's command table has a row for every ``cg3`` subcommand."""
    from renderer_service.cli.main import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| `cg3 ([a-z-]+)", readme, re.MULTILINE)
    assert set(action.choices or {}) <= set(rows)
