"""Reader of dlib's serialized DNN files, as far as the face descriptor network uses them.

dlib writes a network outside-in: the loss layer, then one version number per layer wrapper from the top of the
network down to the input, then each layer's parameters from the input up, each followed by training-time state
(flags and gradient tensors, empty in a shipped model). The primitives are dlib's portable encodings: an integer is
a control byte (low nibble = byte count, bit 7 = negative) and that many little-endian bytes; a float is an integer
mantissa and an integer exponent; a bool is ASCII ``0`` or ``1``; a string is its length and its bytes; a tensor's
values are raw little-endian float32. Only the layer kinds the descriptor network contains are read; anything else
is a :class:`ModelFormatError`, so a different file fails loudly at load instead of computing nonsense.

Tag and skip layers (the residual connections' wiring) carry no data in the file and are not reported: the wiring
is implied by the layer sequence (see :mod:`firmware.face.resnet`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from firmware.face.errors import ModelFormatError


@dataclass(frozen=True)
class InputLayer:
    """``input_rgb_image_sized``: per-channel means subtracted from 0-255 pixels, then divided by 256."""

    mean_rgb: tuple[float, float, float]
    rows: int
    columns: int


@dataclass(frozen=True, eq=False)
class Conv:
    """``con_``: cross-correlation; ``filters`` has shape (out, in, rows, columns)."""

    filters: np.ndarray
    bias: np.ndarray
    stride: int
    padding: int


@dataclass(frozen=True, eq=False)
class Affine:
    """``affine_`` in convolution mode: per-channel ``x * gamma + beta`` (a batch norm frozen for inference)."""

    gamma: np.ndarray
    beta: np.ndarray


@dataclass(frozen=True)
class Relu:
    """``relu_``."""


@dataclass(frozen=True)
class AddPrev:
    """``add_prev_``: adds a tagged earlier output; unequal shapes are zero-extended to the larger."""


@dataclass(frozen=True)
class Pool:
    """``max_pool_`` or ``avg_pool_``; a size of 0 means the whole feature map (global pooling)."""

    kind: str
    size: int
    stride: int
    padding: int


@dataclass(frozen=True, eq=False)
class FullyConnected:
    """``fc_`` without bias: ``x @ weights`` with weights of shape (inputs, outputs)."""

    weights: np.ndarray


Layer = Conv | Affine | Relu | AddPrev | Pool | FullyConnected

_CONV_MODE = 0
_FC_NO_BIAS = 1


class _Stream:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, count: int) -> bytes:
        if count < 0 or self.pos + count > len(self.data):
            raise ModelFormatError(f"the file ends early (needed {count} bytes at offset {self.pos})")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def integer(self) -> int:
        control = self._take(1)[0]
        if control & 0x70:
            raise ModelFormatError(f"not an integer at offset {self.pos - 1}")
        value = int.from_bytes(self._take(control & 0x0F), "little")
        return -value if control & 0x80 else value

    def floating(self) -> float:
        mantissa = self.integer()
        exponent = self.integer()
        try:  # dlib marks inf and NaN with exponents >= 32000: they overflow here too, and no layer may hold them
            return math.ldexp(mantissa, exponent)
        except OverflowError:
            raise ModelFormatError(f"a number out of range at offset {self.pos}") from None

    def boolean(self) -> bool:
        byte = self._take(1)
        if byte not in (b"0", b"1"):
            raise ModelFormatError(f"not a bool at offset {self.pos - 1}")
        return byte == b"1"

    def string(self) -> str:
        length = self.integer()
        if length > 64:
            raise ModelFormatError(f"implausible string length {length} at offset {self.pos}")
        try:
            return self._take(length).decode("ascii")
        except UnicodeDecodeError:
            raise ModelFormatError(f"not a layer name at offset {self.pos - length}") from None

    def peek_string(self) -> str | None:
        start = self.pos
        try:
            return self.string()
        except ModelFormatError:
            return None
        finally:
            self.pos = start

    def tensor(self) -> np.ndarray:
        self.expect_version(2, "tensor")
        shape = tuple(self.integer() for _ in range(4))
        if any(not 0 <= side < 1 << 31 for side in shape):
            raise ModelFormatError(f"implausible tensor shape {shape}")
        count = math.prod(shape)
        values = np.frombuffer(self._take(4 * count), dtype="<f4")
        if not np.isfinite(values).all():
            raise ModelFormatError(f"a tensor holds inf or NaN (before offset {self.pos})")
        return values.reshape(shape).astype(np.float32)

    def alias_shape(self) -> tuple[int, ...]:
        self.expect_version(1, "alias tensor")
        shape = tuple(self.integer() for _ in range(4))
        if any(not 0 <= side < 1 << 31 for side in shape):
            raise ModelFormatError(f"implausible tensor shape {shape}")
        return shape

    def expect_version(self, wanted: int, what: str) -> None:
        found = self.integer()
        if found != wanted:
            raise ModelFormatError(f"{what} has version {found}, expected {wanted}")

    def at_end(self) -> bool:
        return self.pos == len(self.data)


def _split(params: np.ndarray, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Cut a layer's flat parameter tensor into the aliases stored after it, in order."""
    flat = params.reshape(-1)
    sizes = [math.prod(shape) for shape in shapes]
    if sum(sizes) != flat.size:
        raise ModelFormatError(f"parameter sizes {sizes} do not add up to {flat.size} values")
    parts, start = [], 0
    for shape, size in zip(shapes, sizes):
        parts.append(flat[start : start + size].reshape(shape))
        start += size
    return parts


def _conv(stream: _Stream) -> Conv:
    params = stream.tensor()
    outputs = stream.integer()
    rows, columns = stream.integer(), stream.integer()
    stride_y, stride_x = stream.integer(), stream.integer()
    padding_y, padding_x = stream.integer(), stream.integer()
    filters_shape, bias_shape = stream.alias_shape(), stream.alias_shape()
    for _ in range(4):  # learning-rate and weight-decay multipliers: training only
        stream.floating()
    if stride_y != stride_x or padding_y != padding_x or rows != columns:
        raise ModelFormatError("only square convolutions with equal strides and padding are supported")
    filters, bias = _split(params, filters_shape, bias_shape)
    if filters.shape[0] != outputs:
        raise ModelFormatError(f"a convolution declares {outputs} filters but stores {filters.shape[0]}")
    return Conv(filters=filters, bias=bias.reshape(-1), stride=stride_y, padding=padding_y)


def _affine(stream: _Stream) -> Affine:
    params = stream.tensor()
    gamma_shape, beta_shape = stream.alias_shape(), stream.alias_shape()
    if stream.integer() != _CONV_MODE:
        raise ModelFormatError("only affine layers in convolution mode are supported")
    gamma, beta = _split(params, gamma_shape, beta_shape)
    return Affine(gamma=gamma.reshape(-1), beta=beta.reshape(-1))


def _pool(stream: _Stream, kind: str) -> Pool:
    rows, columns = stream.integer(), stream.integer()
    stride_y, stride_x = stream.integer(), stream.integer()
    padding_y, padding_x = stream.integer(), stream.integer()
    if rows != columns or stride_y != stride_x or padding_y != padding_x:
        raise ModelFormatError("only square pooling with equal strides and padding is supported")
    return Pool(kind=kind, size=rows, stride=stride_y, padding=padding_y)


def _fully_connected(stream: _Stream) -> FullyConnected:
    outputs, inputs = stream.integer(), stream.integer()
    params = stream.tensor()
    weights_shape, bias_shape = stream.alias_shape(), stream.alias_shape()
    if stream.integer() != _FC_NO_BIAS or any(bias_shape):
        raise ModelFormatError("only a fully connected layer without bias is supported")
    for _ in range(4):
        stream.floating()
    (weights,) = _split(params, weights_shape)
    if weights.shape[:2] != (inputs, outputs) or weights.size != inputs * outputs:
        raise ModelFormatError(f"a fully connected layer declares {inputs}x{outputs} weights, stores {weights.shape}")
    return FullyConnected(weights=weights.reshape(inputs, outputs))


def _layer(stream: _Stream) -> Layer:
    name = stream.string()
    if name in ("con_4", "con_5", "con_6"):
        conv = _conv(stream)
        if name != "con_4":
            stream.boolean()  # use_bias: the bias is stored either way
        if name == "con_6" and stream.boolean():
            raise ModelFormatError("convolutions with a fused relu are not supported")
        return conv
    if name in ("affine_", "affine_2"):
        affine = _affine(stream)
        if name == "affine_2" and stream.boolean():
            raise ModelFormatError("disabled affine layers are not supported")
        return affine
    if name in ("relu_", "relu_2"):
        if name == "relu_2" and stream.boolean():
            raise ModelFormatError("disabled relu layers are not supported")
        return Relu()
    if name == "add_prev_":
        return AddPrev()
    if name == "max_pool_2":
        return _pool(stream, "max")
    if name == "avg_pool_2":
        return _pool(stream, "avg")
    if name in ("fc_2", "fc_3"):
        layer = _fully_connected(stream)
        if name == "fc_3":
            stream.boolean()
        return layer
    raise ModelFormatError(f"unsupported layer {name!r}")


def _training_state(stream: _Stream, *, tensors: int) -> None:
    """Skip what dlib saves after each layer for training: three flags and gradient/output tensors."""
    for _ in range(3):
        stream.boolean()
    for _ in range(tensors):
        stream.tensor()


@dataclass(frozen=True, eq=False)
class MetricNetwork:
    """A ``loss_metric`` network as stored: its input and its layers from the input up."""

    input: InputLayer
    layers: tuple[Layer, ...]


def read_metric_network(data: bytes) -> MetricNetwork:
    """Parse a dlib ``loss_metric`` network file (such as the face descriptor ResNet)."""
    stream = _Stream(data)
    stream.expect_version(1, "the loss layer")
    if stream.string() != "loss_metric_2":
        raise ModelFormatError("not a dlib metric-learning network")
    stream.floating()  # margin and distance threshold: training only
    stream.floating()
    # One version per layer wrapper, top down, until the wrapper around the input layer.
    while True:
        version = stream.integer()
        name = stream.peek_string()
        if name is not None and name.startswith("input"):
            break
        if version not in (1, 2):
            raise ModelFormatError(f"unexpected layer wrapper version {version}")
    if version not in (2, 3) or stream.string() != "input_rgb_image_sized":
        raise ModelFormatError("the network's input is not a sized RGB image")
    mean_rgb = (stream.floating(), stream.floating(), stream.floating())
    net_input = InputLayer(mean_rgb=mean_rgb, rows=stream.integer(), columns=stream.integer())
    layers = [_layer(stream)]
    _training_state(stream, tensors=3)
    if version == 3:
        stream.integer()  # sample expansion factor
    while not stream.at_end():
        layers.append(_layer(stream))
        _training_state(stream, tensors=3)
    return MetricNetwork(input=net_input, layers=tuple(layers))
