"""The numpy face ResNet against dlib's own: the same descriptors on real faces, typed errors on bad weights."""

from __future__ import annotations


import numpy as np
import pytest

from firmware.face import models
from firmware.face.detection import HogDetector
from firmware.face.embedding import FaceEmbedder
from firmware.face.errors import ImageError, ModelFormatError
from firmware.face.resnet import FaceResNet

PORTRAITS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg")


@pytest.fixture(scope="module")
def weights() -> bytes:
    return models.weights_path(models.DESCRIPTOR).read_bytes()


@pytest.fixture(scope="module")
def dlib_descriptor():  # type: ignore[no-untyped-def]
    """dlib's own implementation of the same network: the reference."""
    return models.dlib_module().face_recognition_model_v1(str(models.weights_path(models.DESCRIPTOR)))


@pytest.fixture(scope="module")
def chips(photo) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    detector, embedder = HogDetector(), FaceEmbedder()
    aligned = []
    for name in PORTRAITS:
        frame = photo(name)
        aligned.append(embedder.align(frame, detector.detect(frame)[0]).chip)
    return aligned


def test_descriptors_equal_dlibs_on_real_faces(chips, dlib_descriptor) -> None:  # type: ignore[no-untyped-def]
    network = models.descriptor_network()
    for chip in chips:
        ours = network.descriptor(chip)
        theirs = np.asarray(dlib_descriptor.compute_face_descriptor(np.ascontiguousarray(chip)), dtype=np.float32)
        assert ours.shape == (128,) and ours.dtype == np.float32
        # float32 rounding of a different summation order; the descriptors' length is about 1.4.
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=2e-5)


def test_descriptors_equal_dlibs_on_extreme_chips(dlib_descriptor) -> None:  # type: ignore[no-untyped-def]
    network = models.descriptor_network()
    rng = np.random.default_rng(8)
    for chip in (
        np.zeros((150, 150, 3), np.uint8),
        np.full((150, 150, 3), 255, np.uint8),
        rng.integers(0, 256, (150, 150, 3), dtype=np.uint8),
    ):
        theirs = np.asarray(dlib_descriptor.compute_face_descriptor(chip), dtype=np.float32)
        np.testing.assert_allclose(network.descriptor(chip), theirs, rtol=0, atol=2e-5)


def test_a_chip_of_another_size_is_refused() -> None:
    network = models.descriptor_network()
    for shape in ((149, 150, 3), (150, 150), (150, 150, 4)):
        with pytest.raises(ImageError):
            network.descriptor(np.zeros(shape, np.uint8))
    with pytest.raises(ImageError):
        network.descriptor(np.zeros((150, 150, 3), np.float32))


def test_a_substituted_file_is_refused_before_use(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    damaged = bytearray(models.weights_path(models.DESCRIPTOR).read_bytes())
    damaged[-1000] ^= 0x40  # one weight changed: the layout still parses; only the checksum can tell
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / models.DESCRIPTOR).write_bytes(bytes(damaged))
    FaceResNet(bytes(damaged))
    monkeypatch.setattr(models, "weights_path", lambda name: tmp_path / "models" / name)
    models.descriptor_network.cache_clear()
    try:
        with pytest.raises(ModelFormatError, match="not the published"):
            models.descriptor_network()
    finally:
        models.descriptor_network.cache_clear()
