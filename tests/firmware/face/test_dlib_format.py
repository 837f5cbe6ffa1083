"""dlib's network file format: the descriptor's layers as stored, and typed errors on anything else."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from firmware.face import models
from firmware.face.dlib_format import Conv, Pool, read_metric_network
from firmware.face.errors import ModelFormatError
from firmware.face.resnet import FaceResNet


@pytest.fixture(scope="module")
def weights() -> bytes:
    return models.weights_path(models.DESCRIPTOR).read_bytes()


def test_the_descriptor_file_holds_the_published_layout(weights) -> None:  # type: ignore[no-untyped-def]
    network = read_metric_network(weights)
    assert network.input.rows == network.input.columns == 150
    assert network.input.mean_rgb == pytest.approx((122.782, 117.001, 104.298), abs=1e-4)
    kinds = Counter(type(layer).__name__ for layer in network.layers)
    assert kinds == {"Conv": 29, "Affine": 29, "Relu": 29, "AddPrev": 14, "Pool": 6, "FullyConnected": 1}
    convs = [layer for layer in network.layers if isinstance(layer, Conv)]
    assert convs[0].filters.shape == (32, 3, 7, 7) and (convs[0].stride, convs[0].padding) == (2, 0)
    assert [conv.filters.shape[0] for conv in convs[1:]] == [32] * 6 + [64] * 8 + [128] * 6 + [256] * 8
    pools = [layer for layer in network.layers if isinstance(layer, Pool)]
    assert pools[0] == Pool("max", 3, 2, 0) and pools[-1] == Pool("avg", 0, 1, 0)
    assert sum(param.size for layer in network.layers for param in vars(layer).values() if hasattr(param, "size")) == (
        5_614_592  # filters, biases, gammas, betas and the 256x128 head: the file's 22.5 MB of float32
    )


def test_truncated_weights_raise_a_typed_error(weights) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(8)
    cuts = [0, 1, 5, 20, 200, len(weights) // 2, len(weights) - 1] + rng.sample(range(len(weights)), 20)
    for cut in cuts:
        with pytest.raises(ModelFormatError):
            FaceResNet(weights[:cut])


def test_other_files_are_refused(weights) -> None:  # type: ignore[no-untyped-def]
    for other in (models.LANDMARKS_5, models.CNN_DETECTOR):
        with pytest.raises(ModelFormatError):
            FaceResNet(models.weights_path(other).read_bytes())
    with pytest.raises(ModelFormatError):
        FaceResNet(b"\x01\x01\x01\x0dloss_metric_2" + bytes(64))
    with pytest.raises(ModelFormatError):
        FaceResNet(weights + b"\x00")


def test_damaged_header_bytes_never_crash(weights) -> None:  # type: ignore[no-untyped-def]
    """A damaged byte in or near a layer header gives a typed error or a network; never another exception."""
    rng = random.Random(9)
    names = [match.start() for match in re.finditer(rb"con_4|affine_|relu_|add_prev_|_pool_2|fc_2|input_", weights)]
    assert len(names) == 1 + 29 * 3 + 14 + 1 + 5 + 1
    for offset in [rng.choice(names) + rng.randrange(-30, 120) for _ in range(80)] + list(range(0, 120)):
        damaged = bytearray(weights)
        damaged[offset] ^= 1 << rng.randrange(8)
        try:
            FaceResNet(bytes(damaged))
        except ModelFormatError:
            pass


def test_out_of_range_numbers_are_format_errors(weights) -> None:  # type: ignore[no-untyped-def]
    # The loss layer's margin is the first float: mantissa 0x0a d7 a3, then the exponent -28 as 81 1c.
    margin = weights.index(b"\x03\x0a\xd7\xa3\x81\x1c")
    for exponent in (b"\x02\x00\x7d", b"\x02\xd0\x07"):  # 32000 (dlib's mark for inf) and 2000
        damaged = weights[: margin + 4] + exponent + weights[margin + 6 :]
        with pytest.raises(ModelFormatError, match="out of range"):
            FaceResNet(damaged)


def test_a_non_finite_weight_is_a_format_error(weights) -> None:  # type: ignore[no-untyped-def]
    damaged = bytearray(weights)
    damaged[-1000:-992] = b"\xff" * 8  # among the head's weights: whatever the alignment, one float32 is a NaN
    with pytest.raises(ModelFormatError, match="inf or NaN"):
        FaceResNet(bytes(damaged))
