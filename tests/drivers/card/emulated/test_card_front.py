"""The rendered card front: the same data as the chip, readable, with the photo where the card has it."""

from __future__ import annotations

from PIL import Image, ImageChops

from drivers.card.emulated import card_front, profiles


def test_the_front_shows_the_chip_photo_and_the_printed_fields(tmp_path) -> None:
    card = profiles.build("normal")
    assert card.face is not None
    path = tmp_path / "front.png"
    card_front.save_front(card.face, path)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == card_front.SIZE
        front = image.convert("L")
    photo = card_front.photo_image(card.face)
    x, y = card_front.DEFAULT_STYLE.photo_x, card_front.DEFAULT_STYLE.photo_y
    region = front.crop((x, y, x + photo.width, y + photo.height))
    assert ImageChops.difference(region, photo).getbbox() is None  # the chip photo, pixel for pixel

    def inked(box: tuple[int, int, int, int]) -> int:
        return sum(front.crop(box).point(lambda v: 255 if v < 100 else 0).histogram()[255:])

    assert inked((110, 36, 700, 100)) > 500  # the name
    assert inked((40, 270, 460, 320)) > 500  # the era birth date
    assert inked((x, y + photo.height + 10, x + 240, y + photo.height + 90)) > 300  # serial and security code
    assert inked((700, 500, 1000, 630)) == 0  # and nothing where the card has nothing


def test_the_era_birth_date_and_validity_read_like_the_card() -> None:
    face = profiles.build("normal").face
    assert face is not None
    from drivers.card.era import printed_gregorian, to_era

    assert f"{to_era(face.birth).printed()}生" == "昭和55年 2月17日生"
    assert f"{printed_gregorian(face.expiry)}まで有効" == "2035年 2月17日まで有効"


def test_layouts_vary_and_the_back_shows_the_number_side() -> None:
    import random

    face = profiles.build("normal").face
    assert face is not None
    rng = random.Random(3)
    styles = [card_front.random_style(rng) for _ in range(12)]
    assert len({s.font for s in styles}) >= 3 and len({(s.photo_x, s.birth_y) for s in styles}) == 12
    fronts = [card_front.render_front(face, s) for s in styles[:3]]
    assert all(f.size == card_front.SIZE for f in fronts)
    assert ImageChops.difference(fronts[0], fronts[1]).getbbox() is not None
    back = card_front.render_back(face).convert("RGB")
    assert back.size == card_front.SIZE
    assert back.getpixel((130, 140))[2] < 120  # the gold chip plate, where a card's contacts are
    assert ImageChops.difference(back, card_front.render_front(face)).getbbox() is not None
