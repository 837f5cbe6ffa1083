"""``mynareader screens render``: draw every screen of the catalogue (one example each) to PNG files.

``--out DIR`` gets one ``<screen_id>.png`` per screen (further pages, if a screen needs them, as
``<screen_id>.p2.png`` …) for one panel size and language. ``--all`` writes every size and language into
``DIR/<size>/<lang>/`` plus a contact sheet per language: that is how ``docs/screens/`` (the golden images of the
tests) is regenerated after an intended change.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from PIL import Image, ImageDraw

import display
from display import PanelSize

_LATER_PAGE = re.compile(r"\.p\d+\.png$")
SHEET_COLUMNS = 5
SHEET_GAP = 12


def register(screens: argparse.ArgumentParser) -> None:
    sub = screens.add_subparsers(dest="screens_command", required=True, metavar="SUBCOMMAND")
    render = sub.add_parser("render", help="write one PNG per screen of the catalogue")
    render.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write into")
    render.add_argument("--size", choices=[s.value for s in PanelSize], default=PanelSize.SMALL.value)
    render.add_argument("--lang", choices=display.LANGUAGES, default="ja")
    render.add_argument("--all", action="store_true",
                        help="every size and language into DIR/<size>/<lang>/, plus contact sheets")
    render.set_defaults(handler=render_command)


def render_set(out: Path, size: PanelSize, language: str) -> list[Path]:
    """Render one example of every screen into ``out``; returns the files written (first pages first)."""
    # Imported here so that the rest of the CLI (e.g. `voice build` during setup) never depends on the examples.
    from firmware.reception.types import Language
    from firmware.reception.examples import examples

    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.png"):
        stale.unlink()  # a screen that lost a page must not leave its old page behind
    written = []
    for screen_id, screen in examples(Language(language)).items():
        rendering = display.render(screen_id.value, screen.to_dict(), language=language, size=size)
        for number, page in enumerate(rendering.pages, start=1):
            path = out / (f"{screen_id.value}.png" if number == 1 else f"{screen_id.value}.p{number}.png")
            page.save(path, format="PNG", optimize=True)
            written.append(path)
    return written


def contact_sheet(files: list[Path], size: PanelSize) -> Image.Image:
    """All first pages on one 1-bit sheet, framed, in catalogue order."""
    firsts = [f for f in files if not _LATER_PAGE.search(f.name)]
    rows = -(-len(firsts) // SHEET_COLUMNS)
    cell_w, cell_h = size.width + SHEET_GAP, size.height + SHEET_GAP
    sheet = Image.new("1", (SHEET_COLUMNS * cell_w + SHEET_GAP, rows * cell_h + SHEET_GAP), 255)
    draw = ImageDraw.Draw(sheet)
    for i, path in enumerate(firsts):
        x = SHEET_GAP + (i % SHEET_COLUMNS) * cell_w
        y = SHEET_GAP + (i // SHEET_COLUMNS) * cell_h
        with Image.open(path) as page:
            sheet.paste(page, (x, y))
        draw.rectangle((x - 2, y - 2, x + size.width + 1, y + size.height + 1), outline=0, width=2)
    return sheet


def render_command(args: argparse.Namespace) -> int:
    out: Path = args.out
    if not args.all:
        files = render_set(out, PanelSize(args.size), args.lang)
        print(f"wrote {len(files)} files to {out}")
        return 0
    for size in PanelSize:
        for language in display.LANGUAGES:
            files = render_set(out / size.value / language, size, language)
            print(f"wrote {len(files)} files to {out / size.value / language}")
            if size is PanelSize.SMALL:
                sheet = out / f"contact-sheet-{language}.png"
                contact_sheet(files, size).save(sheet, format="PNG", optimize=True)
                print(f"wrote {sheet}")
    return 0
