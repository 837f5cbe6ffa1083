"""The card-face scan: 照合番号B from the card's printed face, read through the card-face camera (docs/cardface.md).

``locate`` finds and flattens the card and discards its back unread; ``ocr`` runs Tesseract in process; ``fields``
finds the printed values by their pattern and checks the calendar; ``frame`` reads one frame with two passes;
``scan`` votes over frames; ``chip`` cross-checks against the chip and walks the device path to the chip photo;
``result`` holds the reading and the documented refusal reasons. Imports OpenCV and tesserocr (the ``cardface``
extra): the CLI imports this package only when the command runs.
"""
