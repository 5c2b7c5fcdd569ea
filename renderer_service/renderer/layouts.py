"""What differs between the two layouts where only a vocabulary is at hand: the params type a
pack's names are read into, and the trait check.

A legacy pack's vocabulary is a ``Vocabulary`` and its params a ``CatParams``; a modern pack's
a ``ModernVocabulary`` and a ``ModernCatParams`` (poses 0-25, by name too).
"""

from __future__ import annotations

from renderer_service.renderer.modern import (
    ModernCatParams,
    ModernVocabulary,
    check_modern_traits,
)
from renderer_service.renderer.params import CatParams, check_traits
from renderer_service.renderer.vocabulary import Vocabulary


def params_model_for(vocabulary: Vocabulary | ModernVocabulary) -> type[CatParams]:
    """The params type of the pack ``vocabulary`` belongs to."""
    return ModernCatParams if isinstance(vocabulary, ModernVocabulary) else CatParams


def check_params(
    params: CatParams, vocabulary: Vocabulary | ModernVocabulary, pose: int | None = None
) -> None:
    """Raise ``InvalidTraitsError`` listing every param the pack of ``vocabulary`` cannot draw
    (the pose too, on a modern pack)."""
    if isinstance(vocabulary, ModernVocabulary):
        check_modern_traits(params, vocabulary, pose)
    else:
        check_traits(params, vocabulary, pose)
