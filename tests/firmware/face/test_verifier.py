"""The face pipeline on real public-domain portraits: matches, mismatches, guidance, attempts, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera import FileCamera, SyntheticCamera
from firmware.face.attempt import Verdict
from firmware.face.card_photo import simulate_card_photo
from firmware.face.detection import FaceBox
from firmware.face.errors import CardPhotoError, ImageDecodeError, ImageSizeError, SessionClosedError
from firmware.reception.types import Liveness
from firmware.face.quality import FaceCue


@pytest.fixture(scope="module")
def obama_card(photo) -> bytes:  # type: ignore[no-untyped-def]
    return simulate_card_photo(photo("obama.jpg"))


def test_same_person_matches_and_another_does_not(verifier, photo, obama_card) -> None:  # type: ignore[no-untyped-def]
    template = verifier.card_template(obama_card)
    threshold = verifier.rule.single_frame_threshold
    same = verifier.compare(template, photo("obama2.jpg"))
    other = verifier.compare(template, photo("biden.jpg"))
    assert same.score is not None and same.score >= threshold
    assert other.score is not None and other.score < threshold
    assert same.score - other.score > 0.15
    assert same.guidance == () and set(same.timings_ms) >= {"detect", "align", "embed", "total"}


def test_attempt_from_a_file_camera_matches_and_reports_no_liveness(verifier, portraits, obama_card) -> None:  # type: ignore[no-untyped-def]
    camera = FileCamera([portraits / "obama_partial_face.jpg", portraits / "obama2.jpg", portraits / "obama3.jpg"])
    with verifier.open_session(obama_card) as session:
        result = session.attempt().run(camera)
    assert result.verdict is Verdict.MATCH and result.match
    assert result.score is not None and result.score >= result.threshold == verifier.rule.attempt_threshold
    assert result.liveness is Liveness.NOT_CHECKED
    assert result.as_dict()["liveness"] == "not-checked"
    assert result.frames_scored >= 1 and result.frames_seen >= result.frames_scored


def test_impostor_attempt_uses_all_k_frames_and_is_refused(verifier, photo, obama_card) -> None:  # type: ignore[no-untyped-def]
    camera = SyntheticCamera((640, 480), photo=photo("biden.jpg"), scale=0.9, jitter=4, seed=3)
    with verifier.open_session(obama_card) as session:
        result = session.attempt().run(camera.read() for _ in range(20))
    assert result.verdict is Verdict.NO_MATCH and not result.match
    assert result.frames_scored == verifier.rule.frames_per_attempt
    assert result.score is not None and result.score < result.threshold


def test_no_face_frames_give_guidance_and_no_decision(verifier, obama_card) -> None:  # type: ignore[no-untyped-def]
    camera = SyntheticCamera((320, 240))
    with verifier.open_session(obama_card) as session:
        attempt = session.attempt()
        outcome = attempt.feed(camera.read())
        assert outcome.guidance == (FaceCue.LOOK_AT_CAMERA,) and outcome.score is None
        result = attempt.run(camera.read() for _ in range(100))
    assert result.verdict is Verdict.NO_USABLE_FRAME and not result.match
    assert result.frames_seen == attempt.budget and result.frames_scored == 0
    assert result.guidance == (FaceCue.LOOK_AT_CAMERA,)


def test_three_faces_ask_for_one_person_never_a_match(verifier, three_faces, obama_card) -> None:  # type: ignore[no-untyped-def]
    template = verifier.card_template(obama_card)
    outcome = verifier.compare(template, three_faces)
    assert outcome.faces == 3 and outcome.score is None
    assert outcome.guidance == (FaceCue.ONE_PERSON,)


def test_card_photo_without_one_face_is_refused(verifier, three_faces) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CardPhotoError, match="3 faces"):
        verifier.card_template(three_faces)
    with pytest.raises(CardPhotoError, match="no face"):
        verifier.card_template(SyntheticCamera((240, 320)).read())


def test_bad_card_bytes_are_typed_errors(verifier, obama_card) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImageDecodeError):
        verifier.card_template(obama_card[: len(obama_card) // 2])
    with pytest.raises(ImageSizeError):
        verifier.card_template(b"")
    with pytest.raises(ImageSizeError):
        verifier.card_template(np.zeros((0, 0, 3), np.uint8))


@pytest.mark.parametrize(
    ("camera", "expected"),
    [
        (dict(brightness=0.12), FaceCue.MORE_LIGHT),
        (dict(blur=5.0), FaceCue.HOLD_STILL),
        (dict(scale=0.3), FaceCue.MOVE_CLOSER),
    ],
    ids=["dark", "blurred", "far"],
)
def test_quality_guidance_on_real_faces(verifier, photo, obama_card, camera, expected) -> None:  # type: ignore[no-untyped-def]
    template = verifier.card_template(obama_card)
    # Sharp, well lit and near enough, the same scene is scored.
    assert verifier.compare(template, SyntheticCamera(photo=photo("obama2.jpg")).read()).scored
    outcome = verifier.compare(template, SyntheticCamera(photo=photo("obama2.jpg"), **camera).read())
    assert outcome.score is None and expected in outcome.guidance


def test_face_running_off_the_frame_asks_to_step_back(verifier, photo, obama_card) -> None:  # type: ignore[no-untyped-def]
    template = verifier.card_template(obama_card)
    outcome = verifier.compare(template, photo("obama_partial_face.jpg"))
    assert outcome.score is None and outcome.guidance == (FaceCue.MOVE_BACK,)


def test_a_liveness_plug_in_that_says_spoof_vetoes_the_match(verifier, photo, obama_card) -> None:  # type: ignore[no-untyped-def]
    class SaysSpoof:
        """A stand-in for a future liveness check: counts the frames it is shown, then calls them a spoof."""

        name = "test-spoof"

        def __init__(self) -> None:
            self.seen: list[FaceBox | None] = []

        def observe(self, frame: np.ndarray, face: FaceBox | None) -> None:
            self.seen.append(face)

        def verdict(self) -> Liveness:
            return Liveness.SPOOF_SUSPECTED if self.seen else Liveness.UNDECIDED

        def reset(self) -> None:
            self.seen.clear()

    check = SaysSpoof()
    with verifier.open_session(obama_card, liveness=check) as session:
        result = session.attempt().run([photo("obama2.jpg")])
        assert check.seen and check.seen[0] is not None
    assert result.verdict is Verdict.SPOOF and not result.match
    assert result.score is not None and result.score >= result.threshold  # the face matched; liveness said no
    assert check.seen == []  # closing the session reset the check


def test_closed_session_refuses_work(verifier, obama_card) -> None:  # type: ignore[no-untyped-def]
    session = verifier.open_session(obama_card)
    session.close()
    assert session.closed
    with pytest.raises(SessionClosedError):
        session.attempt()


def test_a_sixteen_bit_card_photo_is_read_as_its_tones(verifier, photo) -> None:  # type: ignore[no-untyped-def]
    """A 16-bit greyscale JPEG 2000 (Pillow would clip it to white) is scaled to 8 bits and still matches."""
    from io import BytesIO

    from PIL import Image

    from firmware.face.images import decode_image, to_grey_rgb

    grey = to_grey_rgb(photo("obama.jpg"))[:, :, 0].astype(np.uint16) * 257
    stream = BytesIO()
    Image.fromarray(grey).save(stream, format="JPEG2000")
    frame = decode_image(stream.getvalue())
    assert abs(float(frame.mean()) - float(grey.mean() / 257)) < 1.0
    template = verifier.card_template(stream.getvalue())
    outcome = verifier.compare(template, photo("obama2.jpg"))
    assert outcome.score is not None and outcome.score >= verifier.rule.single_frame_threshold
