"""Lay a :class:`~display.content.Content` out on a panel: title band, body flowed over as many pages as it needs
(never a smaller type), and one label beside each physical button that carries an option."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from display.content import BigText, Block, Content, Notice, Paragraph, PinDots
from display.errors import BadParameters, TextDoesNotFit
from display.fonts import Face, Weight
from display.layout import ButtonSlot, PanelLayout, Rect
from display.text import draw_line, wrap

WHITE, BLACK = 255, 0
_POINTER = 10  # px between a label box and the panel edge, for the triangle that points at the button


@dataclass(frozen=True)
class PlacedText:
    """One drawn line: where, at which size and in which role (title, body, notice, label, big, corner, page)."""

    page: int
    role: str
    px: int
    text: str
    box: Rect


@dataclass(frozen=True)
class Rendering:
    """The pages of one screen (usually one) and what was drawn where; ``buttons`` maps button names to options."""

    pages: tuple[Image.Image, ...]
    texts: tuple[PlacedText, ...]
    buttons: tuple[tuple[str, str], ...]
    content_area: Rect
    button_areas: tuple[Rect, ...] = field(default=())

    @property
    def image(self) -> Image.Image:
        return self.pages[0]


Drawer = Callable[[ImageDraw.ImageDraw, int, int], list[PlacedText]]


@dataclass
class _Item:
    """A slice of body content that is never split across pages."""

    height: int
    draw: Drawer  # (draw, page number, top) -> the lines it drew
    gap_after: int = 0


def _line_box(x: float, baseline: float, width: float, face: Face) -> Rect:
    ascent, descent = face.primary.getmetrics()
    return Rect(int(x), int(baseline - ascent), int(x + width + 0.999), int(baseline + descent))


def compose(content: Content, layout: PanelLayout, language: str) -> Rendering:
    if len(content.labels) > len(layout.buttons):
        raise BadParameters(f"{len(content.labels)} options, but the panel has {len(layout.buttons)} buttons")
    size = layout.size
    area = layout.content_area(with_buttons=bool(content.labels))
    title_face, body_face = Face(layout.title_px, Weight.BOLD), Face(layout.body_px, Weight.REGULAR)
    bold_face, label_face = Face(layout.body_px, Weight.BOLD), Face(layout.label_px, Weight.BOLD)
    line_h = round(layout.body_px * layout.line_spacing)
    title_h = round(layout.title_px * 1.2)

    corner_w = body_face.width(content.corner) + layout.margin if content.corner else 0
    title_lines = wrap(content.title, title_face, area.width - corner_w, language)
    body_top = area.y0 + title_h * len(title_lines) + layout.body_px // 2 + 3
    items = _body_items(content.blocks, layout, area, body_face, bold_face, line_h, language)

    page_h = area.y1 - body_top
    pages_items = _paginate(items, page_h)
    if len(pages_items) > 1:
        # Flow again with one line kept free at the bottom of each page for the page mark ("1/2").
        pages_items = _paginate(items, page_h - line_h)

    images: list[Image.Image] = []
    placed: list[PlacedText] = []
    for number, page in enumerate(pages_items, start=1):
        image = Image.new("1", (size.width, size.height), WHITE)
        draw = ImageDraw.Draw(image)
        if content.alert:
            # The band spans the content column only, never the labels of buttons at the side.
            side_buttons = bool(content.labels) and layout.buttons[0].side == "right"
            right = area.x1 + layout.margin // 2 if side_buttons else size.width - 1
            draw.rectangle((0, 0, right, body_top - layout.body_px // 2 + 1), fill=BLACK)
        placed += _draw_title(draw, number, title_lines, content.corner, area, title_face, body_face, title_h,
                              WHITE if content.alert else BLACK)
        draw.rectangle((area.x0, body_top - layout.body_px // 2 - 1, area.x1, body_top - layout.body_px // 2 + 1),
                       fill=BLACK)
        top = body_top
        for item in page:
            placed += item.draw(draw, number, top)
            top += item.height + item.gap_after
        if len(pages_items) > 1:
            mark = f"{number}/{len(pages_items)}"
            baseline = area.y1 - body_face.primary.getmetrics()[1]
            width = draw_line(draw, area.x1, baseline, mark, body_face, align="right")
            placed.append(PlacedText(number, "page", body_face.size, mark,
                                     _line_box(area.x1 - width, baseline, width, body_face)))
        placed += _draw_labels(draw, number, content, layout.buttons, label_face, language)
        images.append(image)
    return Rendering(
        pages=tuple(images),
        texts=tuple(placed),
        buttons=tuple((slot.name, label.option) for slot, label in zip(layout.buttons, content.labels)),
        content_area=area,
        button_areas=tuple(slot.label_area for slot in layout.buttons[:len(content.labels)]),
    )


def _paginate(items: list[_Item], page_h: int) -> list[list[_Item]]:
    pages: list[list[_Item]] = [[]]
    used = 0
    for item in items:
        if item.height > page_h:
            raise TextDoesNotFit(f"a block {item.height} px tall does not fit a page {page_h} px tall")
        if pages[-1] and used + item.height > page_h:
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += item.height + item.gap_after
    return pages


def _draw_title(draw: ImageDraw.ImageDraw, page: int, lines: list[str], corner: str | None, area: Rect,
                title_face: Face, body_face: Face, title_h: int, fill: int) -> list[PlacedText]:
    placed = []
    baseline = area.y0 + title_face.ascent
    for line in lines:
        width = draw_line(draw, area.x0, baseline, line, title_face, fill=fill)
        placed.append(PlacedText(page, "title", title_face.size, line, _line_box(area.x0, baseline, width, title_face)))
        baseline += title_h
    if corner:
        baseline = area.y0 + title_face.ascent
        width = draw_line(draw, area.x1, baseline, corner, body_face, align="right", fill=fill)
        placed.append(PlacedText(page, "corner", body_face.size, corner,
                                 _line_box(area.x1 - width, baseline, width, body_face)))
    return placed


def _body_items(blocks: tuple[Block, ...], layout: PanelLayout, area: Rect, body_face: Face, bold_face: Face,
                line_h: int, language: str) -> list[_Item]:
    gap = layout.body_px // 4
    items: list[_Item] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            face = bold_face if block.bold else body_face
            lines = wrap(block.text, face, area.width, language)
            for i, line in enumerate(lines):
                items.append(_Item(line_h, _text_drawer(line, face, area.x0, "body"),
                                   gap if i == len(lines) - 1 else 0))
        elif isinstance(block, Notice):
            pad = layout.body_px // 4
            lines = wrap(block.text, bold_face, area.width - 2 * pad, language)
            items.append(_Item(line_h * len(lines) + 2 * pad, _notice_drawer(lines, bold_face, area, pad, line_h),
                               gap))
        elif isinstance(block, PinDots):
            items.append(_Item(round(layout.body_px * 1.8), _dots_drawer(block, layout.body_px, area), gap))
        else:
            big = Face(layout.big_px, Weight.BOLD)
            items.append(_Item(round(layout.big_px * 1.1), _big_drawer(block, big, area), gap))
    return items


def _text_drawer(line: str, face: Face, x: int, role: str) -> Drawer:
    def draw_it(draw: ImageDraw.ImageDraw, page: int, top: int) -> list[PlacedText]:
        baseline = top + face.ascent
        width = draw_line(draw, x, baseline, line, face)
        return [PlacedText(page, role, face.size, line, _line_box(x, baseline, width, face))]
    return draw_it


def _notice_drawer(lines: list[str], face: Face, area: Rect, pad: int, line_h: int) -> Drawer:
    def draw_it(draw: ImageDraw.ImageDraw, page: int, top: int) -> list[PlacedText]:
        draw.rounded_rectangle((area.x0, top, area.x1, top + line_h * len(lines) + 2 * pad), radius=pad, fill=BLACK)
        placed = []
        baseline = top + pad + face.ascent
        for line in lines:
            width = draw_line(draw, area.x0 + pad, baseline, line, face, fill=WHITE)
            placed.append(PlacedText(page, "notice", face.size, line, _line_box(area.x0 + pad, baseline, width, face)))
            baseline += line_h
        return placed
    return draw_it


def _dots_drawer(dots: PinDots, body_px: int, area: Rect) -> Drawer:
    # Drawn as circles, not as 「●」 glyphs: the same on every font, and sized for the eye rather than the text.
    def draw_it(draw: ImageDraw.ImageDraw, page: int, top: int) -> list[PlacedText]:
        diameter, step = round(body_px * 1.3), round(body_px * 2.0)
        x = (area.x0 + area.x1) // 2 - (step * (dots.length - 1) + diameter) // 2
        y = top + round(body_px * 0.25)
        for i in range(dots.length):
            box = (x + i * step, y, x + i * step + diameter, y + diameter)
            if i < dots.entered:
                draw.ellipse(box, fill=BLACK)
            else:
                draw.ellipse(box, outline=BLACK, width=3)
        return []
    return draw_it


def _big_drawer(big: BigText, face: Face, area: Rect) -> Drawer:
    def draw_it(draw: ImageDraw.ImageDraw, page: int, top: int) -> list[PlacedText]:
        baseline = top + face.ascent
        cx = (area.x0 + area.x1) / 2
        width = draw_line(draw, cx, baseline, big.text, face, align="center")
        return [PlacedText(page, "big", face.size, big.text, _line_box(cx - width / 2, baseline, width, face))]
    return draw_it


def _draw_labels(draw: ImageDraw.ImageDraw, page: int, content: Content, slots: tuple[ButtonSlot, ...],
                 face: Face, language: str) -> list[PlacedText]:
    placed = []
    for slot, label in zip(slots, content.labels):
        a = slot.label_area
        if slot.side == "bottom":
            box = Rect(a.x0, a.y0, a.x1, a.y1 - _POINTER)
            cx = (a.x0 + a.x1) // 2
            draw.polygon([(cx - _POINTER, box.y1), (cx + _POINTER, box.y1), (cx, a.y1)], fill=BLACK)
        else:
            box = Rect(a.x0, a.y0, a.x1 - _POINTER, a.y1)
            cy = (a.y0 + a.y1) // 2
            draw.polygon([(box.x1, cy - _POINTER), (box.x1, cy + _POINTER), (a.x1, cy)], fill=BLACK)
        draw.rounded_rectangle((box.x0, box.y0, box.x1, box.y1), radius=8, fill=BLACK)
        pad = 4
        lines = wrap(label.text, face, box.width - 2 * pad, language)
        line_h = round(face.size * 1.15)
        if line_h * len(lines) - (line_h - face.size) > box.height - 2 * pad:
            raise TextDoesNotFit(f"button label {label.text!r} needs {len(lines)} lines; the button has room for fewer")
        middle = (box.x0 + box.x1) / 2
        ascent, descent = face.primary.getmetrics()
        first = (box.y0 + box.y1) / 2 - (line_h * (len(lines) - 1) + ascent + descent) / 2 + ascent
        for i, line in enumerate(lines):
            baseline = round(first + i * line_h)
            width = draw_line(draw, middle, baseline, line, face, align="center", fill=WHITE)
            placed.append(PlacedText(page, "label", face.size, line,
                                     _line_box(middle - width / 2, baseline, width, face)))
    return placed
