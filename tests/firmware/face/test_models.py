"""The model files: only the three allowed weights are ever opened, and the loaded models are shared."""

from __future__ import annotations

import pytest

from firmware.face import models
from firmware.face.errors import ModelUnavailableError

ALLOWED = (models.LANDMARKS_5, models.DESCRIPTOR, models.CNN_DETECTOR)
LANDMARKS_68 = "shape_predictor_68_face_landmarks.dat"


def test_the_68_point_model_is_refused_though_it_is_installed() -> None:
    # Its training data's licence excludes products: the guard, not the file's absence, must keep it out.
    beside = models.weights_path(models.LANDMARKS_5).parent / LANDMARKS_68
    assert beside.is_file()
    with pytest.raises(ModelUnavailableError, match="not a model this firmware uses"):
        models.weights_path(LANDMARKS_68)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "models/" + models.LANDMARKS_5,
        "../models/" + LANDMARKS_68,
        models.LANDMARKS_5.upper(),
        models.DESCRIPTOR + ".bz2",
        "__init__.py",
    ],
)
def test_any_name_outside_the_allowed_three_is_refused(name: str) -> None:
    with pytest.raises(ModelUnavailableError):
        models.weights_path(name)


def test_the_allowed_weights_are_installed_files() -> None:
    assert len(set(ALLOWED)) == 3
    for name in ALLOWED:
        path = models.weights_path(name)
        assert path.name == name and path.is_file() and path.stat().st_size > 0


def test_models_are_loaded_once_and_shared() -> None:
    assert models.descriptor_network() is models.descriptor_network()
    assert models.landmark_predictor() is models.landmark_predictor()
