"""The shipped rule on the labelled dev set, card side simulated as the chip stores it.

The dev set has 20 genuine and 683 impostor pairs (used both ways here): it resolves a false-accept rate of about
0.07 % and a false-reject rate of 2.5 % per pair, so these tests hold the pipeline to what the set can show, and
``benchmarks/face.py`` prints the figures.
"""

from __future__ import annotations

import pytest

from firmware.face.card_photo import simulate_card_photo
from firmware.face.evaluation import far, frr, read_labelled_pairs
from firmware.face.images import read_image, resize_to_fit

pytestmark = pytest.mark.facedev


@pytest.fixture(scope="module")
def dev_scores(faces_dev, verifier):  # type: ignore[no-untyped-def]
    pairs = read_labelled_pairs(faces_dev / "pairs.csv")
    names = sorted({p.card for p in pairs} | {p.live for p in pairs})
    templates, embeddings = {}, {}
    for name in names:
        image = read_image(str(faces_dev / "images" / name))
        templates[name] = verifier.card_template(simulate_card_photo(image))
        embeddings[name] = verifier.analyse(resize_to_fit(image, 640, 480)).embedding
    genuine, impostor = [], []
    for p in pairs:
        for card, live in ((p.card, p.live), (p.live, p.card)):
            e = embeddings[live]
            score = None if e is None else templates[card].similarity(e)
            (genuine if p.same_person else impostor).append(score)
    for template in templates.values():
        template.discard()
    return genuine, impostor


def test_every_dev_photo_yields_a_face(dev_scores) -> None:  # type: ignore[no-untyped-def]
    genuine, impostor = dev_scores
    assert len(genuine) == 40 and len(impostor) == 1366
    assert None not in genuine and None not in impostor


def test_no_false_accept_at_the_shipped_threshold(dev_scores, verifier) -> None:  # type: ignore[no-untyped-def]
    _, impostor = dev_scores
    assert far(impostor, verifier.rule.single_frame_threshold) == 0.0
    assert far(impostor, verifier.rule.attempt_threshold) == 0.0


def test_false_rejects_within_what_the_set_resolves(dev_scores, verifier) -> None:  # type: ignore[no-untyped-def]
    genuine, _ = dev_scores
    # One genuine pair of 40 is the finest step; allow one miss at the single-frame threshold.
    assert frr(genuine, verifier.rule.single_frame_threshold) <= 1 / 40
