"""The multilingual encoder finds the same need across languages (real model, offline)."""

import numpy as np
import pytest

from icahub.assistance import embeddings


def test_a_french_need_is_closer_to_an_english_clearance_offer_than_to_victim_assistance():
    # given a French clearance need, an English clearance offer and an English VA offer
    need, clearance, assistance = embeddings.encode(
        [
            "Dépollution des zones contaminées par les armes à sous-munitions",
            "Clearance of land contaminated by cluster munition remnants",
            "Physical rehabilitation and psychological support for survivors",
        ]
    )

    # then the vectors are unit vectors and the clearance offer is the closer one
    assert np.linalg.norm(need) == pytest.approx(1.0, abs=1e-5)
    assert need @ clearance > need @ assistance + 0.2


def test_arabic_and_spanish_texts_are_understood():
    arabic, spanish, english = embeddings.encode(
        [
            "إزالة الألغام من الأراضي الملوثة",
            "Limpieza de tierras contaminadas por minas",
            "Demining of contaminated land",
        ]
    )

    assert arabic @ english > 0.4
    assert spanish @ english > 0.4


def test_no_text_gives_an_empty_matrix_and_an_unknown_backend_is_refused(settings):
    assert embeddings.encode([]).shape == (0, 512)
    settings.ICAHUB_EMBEDDINGS = "word2vec"
    with pytest.raises(ValueError, match="unknown embeddings backend"):
        embeddings.encode(["text"])
