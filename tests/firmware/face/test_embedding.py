"""Alignment and embedding of a real face, and the similarity measure the decision rule is fitted on."""

from __future__ import annotations

import numpy as np
import pytest

from firmware.face.detection import FaceBox, HogDetector
from firmware.face.embedding import CHIP_SIZE, AlignedFace, FaceEmbedder, similarity
from firmware.face.images import to_grey_rgb


@pytest.fixture(scope="module")
def colour() -> FaceEmbedder:
    return FaceEmbedder()


@pytest.fixture(scope="module")
def found(photo) -> tuple[np.ndarray, FaceBox]:  # type: ignore[no-untyped-def]
    frame = photo("obama2.jpg")
    (face,) = HogDetector().detect(frame)
    return frame, face


@pytest.fixture(scope="module")
def aligned(colour: FaceEmbedder, found: tuple[np.ndarray, FaceBox]) -> AlignedFace:
    return colour.align(*found)


def test_align_gives_a_150_pixel_colour_chip_and_the_eye_distance(
    aligned: AlignedFace, found: tuple[np.ndarray, FaceBox]
) -> None:
    _, face = found
    assert CHIP_SIZE == 150
    assert aligned.chip.shape == (150, 150, 3) and aligned.chip.dtype == np.uint8
    # Eye centres of a frontal face lie roughly a third to a half of the detector's box width apart.
    assert 0.3 * face.width < aligned.eye_distance < 0.55 * face.width
    # A colour frame gives a colour chip: the channels differ.
    assert not np.array_equal(aligned.chip[:, :, 0], aligned.chip[:, :, 2])


def test_embed_returns_128_float64_numbers(colour: FaceEmbedder, aligned: AlignedFace) -> None:
    embedding = colour.embed(aligned)
    assert embedding.shape == (128,) and embedding.dtype == np.float64
    assert np.all(np.isfinite(embedding)) and 0.5 < float(np.linalg.norm(embedding)) < 1.5
    assert np.array_equal(colour.embed(aligned), embedding)  # deterministic


def test_grey_embeds_the_greyscale_chip(colour: FaceEmbedder, aligned: AlignedFace) -> None:
    grey = FaceEmbedder(grey=True)
    grey_embedding = grey.embed(aligned)
    assert not np.allclose(grey_embedding, colour.embed(aligned))
    made_grey = AlignedFace(chip=to_grey_rgb(aligned.chip), eye_distance=aligned.eye_distance)
    assert np.array_equal(grey_embedding, colour.embed(made_grey))
    # Same face either way: the difference is small against the decision thresholds (~0.4).
    assert similarity(grey_embedding, colour.embed(aligned)) > 0.8


def test_similarity_is_one_minus_the_euclidean_distance(colour: FaceEmbedder, aligned: AlignedFace) -> None:
    a = colour.embed(aligned)
    b = FaceEmbedder(grey=True).embed(aligned)
    assert similarity(a, a.copy()) == 1.0
    assert similarity(a, b) == similarity(b, a) == pytest.approx(1.0 - float(np.linalg.norm(a - b)))
    assert similarity(np.zeros(3), np.array([3.0, 4.0, 0.0])) == -4.0
