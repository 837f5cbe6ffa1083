"""dlib's face descriptor ResNet, run with numpy.

The same network and the same public-domain weights as ``dlib.face_recognition_model_v1`` (29 convolutions, a
150x150 RGB chip in, 128 numbers out), computed with numpy's BLAS instead of dlib's own convolution code: the
``dlib-bin`` wheel is built without BLAS, and there the descriptor alone took ~78 ms per face on this machine's CPU.
Here each convolution is one matrix product over the chip's patches, with the frozen batch-norm (``affine``) folded
into the filters at load. ``tests/firmware/face/test_resnet.py`` checks that the descriptors agree with dlib's to
float32 rounding on real faces.

The network, as dlib stores it from the input up (see :mod:`firmware.face.dlib_format`):

- stem: 7x7/2 convolution (32), affine, relu, 3x3/2 max pool;
- residual units, each ``conv 3x3, affine, relu, conv 3x3, affine, [avg pool 2x2/2], add, relu``; a unit with the
  pool is a down unit: its first convolution has stride 2 and its shortcut is the 2x2 average of its input;
  otherwise the shortcut is the input itself. Unequal shapes add as dlib adds them: zero-extended to the larger;
- head: global average pool, fully connected 256 -> 128 without bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware.face.dlib_format import (
    AddPrev,
    Affine,
    Conv,
    FullyConnected,
    Layer,
    Pool,
    Relu,
    read_metric_network,
)
from firmware.face.errors import ImageError, ModelFormatError


@dataclass(frozen=True, eq=False)
class _FoldedConv:
    """A convolution with its affine folded in, as a matrix over (row, column, channel) patches."""

    matrix: np.ndarray
    bias: np.ndarray
    size: int
    stride: int
    padding: int

    @classmethod
    def fold(cls, conv: Conv, affine: Affine) -> _FoldedConv:
        outputs, inputs, size, _ = conv.filters.shape
        if affine.gamma.shape != (outputs,) or affine.beta.shape != (outputs,) or conv.bias.shape != (outputs,):
            raise ModelFormatError("an affine layer does not match the convolution before it")
        filters = conv.filters * affine.gamma[:, None, None, None]
        matrix = filters.transpose(2, 3, 1, 0).reshape(size * size * inputs, outputs)
        bias = conv.bias * affine.gamma + affine.beta
        return cls(np.ascontiguousarray(matrix, dtype=np.float32), bias.astype(np.float32), size, conv.stride,
                   conv.padding)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.padding:
            pad = self.padding
            x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
        rows, columns = _output_size(x, self.size, self.stride)
        channels = x.shape[2]
        patches = np.empty((rows, columns, self.size * self.size * channels), dtype=np.float32)
        for index, (dy, dx) in enumerate(np.ndindex(self.size, self.size)):
            patches[:, :, index * channels : (index + 1) * channels] = _window(x, dy, dx, rows, columns, self.stride)
        out: np.ndarray = patches.reshape(rows * columns, -1) @ self.matrix
        out += self.bias
        return out.reshape(rows, columns, -1)


@dataclass(frozen=True, eq=False)
class _Unit:
    first: _FoldedConv
    second: _FoldedConv
    down: bool

    def __call__(self, x: np.ndarray) -> np.ndarray:
        main = self.second(_relu(self.first(x)))
        shortcut = _pool(x, 2, 2, "avg") if self.down else x
        return _relu(_add_extended(main, shortcut))


def _relu(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.maximum(x, np.float32(0.0))
    return out


def _output_size(x: np.ndarray, size: int, stride: int) -> tuple[int, int]:
    rows = (x.shape[0] - size) // stride + 1
    columns = (x.shape[1] - size) // stride + 1
    if rows < 1 or columns < 1:
        raise ModelFormatError(f"a {size}x{size} window does not fit a {x.shape[0]}x{x.shape[1]} feature map")
    return rows, columns


def _window(x: np.ndarray, dy: int, dx: int, rows: int, columns: int, stride: int) -> np.ndarray:
    """The input values under filter tap (dy, dx) for every output position."""
    return x[dy : dy + stride * (rows - 1) + 1 : stride, dx : dx + stride * (columns - 1) + 1 : stride]


def _pool(x: np.ndarray, size: int, stride: int, kind: str) -> np.ndarray:
    rows, columns = _output_size(x, size, stride)
    windows = [_window(x, dy, dx, rows, columns, stride) for dy, dx in np.ndindex(size, size)]
    if kind == "max":
        highest: np.ndarray = np.maximum.reduce(windows)
        return highest
    mean: np.ndarray = np.add.reduce(windows) / np.float32(len(windows))
    return mean


def _add_extended(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b``; where one is smaller in a dimension, its missing values count as 0 (dlib's add_prev)."""
    if a.shape == b.shape:
        total: np.ndarray = a + b
        return total
    out = np.zeros(np.maximum(a.shape, b.shape), dtype=np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


class FaceResNet:
    """The face descriptor network: :meth:`descriptor` maps an aligned 150x150 RGB chip to 128 numbers."""

    def __init__(self, data: bytes) -> None:
        network = read_metric_network(data)
        self.chip_size = network.input.rows
        if network.input.columns != self.chip_size:
            raise ModelFormatError("the network's input is not square")
        self._mean = np.array(network.input.mean_rgb, dtype=np.float32)
        self._stem, self._stem_pool, self._units, self._head = _assemble(list(network.layers))
        try:  # the layers' shapes must chain; one pass over a blank chip is the complete check
            self.descriptor(np.zeros((self.chip_size, self.chip_size, 3), np.uint8))
        except ValueError as error:
            raise ModelFormatError(f"the network's layers do not fit together: {error}") from None

    def descriptor(self, chip: np.ndarray) -> np.ndarray:
        """The 128-d descriptor (float32) of an aligned RGB ``uint8`` chip of ``chip_size`` x ``chip_size``."""
        if chip.shape != (self.chip_size, self.chip_size, 3) or chip.dtype != np.uint8:
            raise ImageError(
                f"an aligned face chip is {self.chip_size}x{self.chip_size} RGB uint8; got {chip.shape} {chip.dtype}"
            )
        x = (chip.astype(np.float32) - self._mean) * np.float32(1.0 / 256.0)
        x = _relu(self._stem(x))
        x = _pool(x, self._stem_pool.size, self._stem_pool.stride, "max")
        for unit in self._units:
            x = unit(x)
        pooled = x.mean(axis=(0, 1), dtype=np.float32)
        descriptor: np.ndarray = pooled @ self._head
        return descriptor


def _take(layers: list[Layer], *kinds: type) -> list[Layer]:
    """Pop the next layers off the front of ``layers``, checking they are of ``kinds`` in order."""
    found = layers[: len(kinds)]
    if len(found) < len(kinds) or not all(isinstance(layer, kind) for layer, kind in zip(found, kinds)):
        names = ", ".join(kind.__name__ for kind in kinds)
        raise ModelFormatError(f"the network does not have the face ResNet's layout (expected {names})")
    del layers[: len(kinds)]
    return found


def _assemble(layers: list[Layer]) -> tuple[_FoldedConv, Pool, list[_Unit], np.ndarray]:
    conv, affine, _, pool = _take(layers, Conv, Affine, Relu, Pool)
    assert isinstance(conv, Conv) and isinstance(affine, Affine) and isinstance(pool, Pool)
    if pool.kind != "max" or pool.padding:
        raise ModelFormatError("the stem must end in an unpadded max pool")
    stem = _FoldedConv.fold(conv, affine)
    units = []
    while layers and isinstance(layers[0], Conv):
        first, first_affine, _, second, second_affine = _take(layers, Conv, Affine, Relu, Conv, Affine)
        assert isinstance(first, Conv) and isinstance(second, Conv)
        assert isinstance(first_affine, Affine) and isinstance(second_affine, Affine)
        down = isinstance(layers[0], Pool) if layers else False
        if down:
            (shortcut_pool,) = _take(layers, Pool)
            if shortcut_pool != Pool("avg", 2, 2, 0) or first.stride != 2:
                raise ModelFormatError("a down unit must pool its shortcut 2x2/2 and stride its first convolution")
        elif first.stride != 1:
            raise ModelFormatError("a strided unit must pool its shortcut")
        _take(layers, AddPrev, Relu)
        units.append(_Unit(_FoldedConv.fold(first, first_affine), _FoldedConv.fold(second, second_affine), down))
    global_pool, head = _take(layers, Pool, FullyConnected)
    assert isinstance(global_pool, Pool) and isinstance(head, FullyConnected)
    if global_pool.kind != "avg" or global_pool.size != 0 or layers:
        raise ModelFormatError("the network must end in a global average pool and a fully connected layer")
    return stem, pool, units, np.ascontiguousarray(head.weights, dtype=np.float32)
