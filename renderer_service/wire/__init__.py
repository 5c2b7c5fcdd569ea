"""The V2 contract at the service's edge: the request and response models, the fast reader of
plain bodies, the normalisation of V2 names to ``CatParams``, the error answers and cat codes.
"""

from renderer_service.wire.codes import CodeError, decode_cat_code, encode_cat_code
from renderer_service.wire.errors import (
    MAX_ERROR_ITEMS,
    ApiError,
    error_body,
    error_item,
    pattern_error,
    trait_items,
    traits_error,
    validation_error,
    validation_error_from,
)
from renderer_service.wire.models.batch import (
    MAX_BATCH_FRAMES,
    MAX_TILE_SIZE,
    PIXEL_BUDGET,
    SLOW_ENCODING_PIXEL_BUDGET,
    BatchOptions,
    BatchRequest,
    BatchResponse,
    BatchVariant,
)
from renderer_service.wire.models.common import BACKGROUND_DESCRIPTION
from renderer_service.wire.models.diff import DiffRequest, DiffResponse
from renderer_service.wire.models.pcm import PcmImportRequest, PcmImportResponse, PcmLineart
from renderer_service.wire.models.render import (
    RenderOptions,
    RenderPayload,
    RenderRequest,
    RenderResponse,
    RequestParams,
)
from renderer_service.wire.models.save import (
    SaveAge,
    SaveCatalog,
    SaveDocument,
    SaveLifeStage,
    SaveParamsQuery,
    SaveParamsResponse,
    SaveSheetQuery,
    SaveSheetResponse,
    ServiceCatalog,
    ServiceModernCatalog,
)
from renderer_service.wire.models.status import ErrorResponse, HealthResponse, ReadyResponse
from renderer_service.wire.normalise import given_of, normalise_given, normalise_params, v2_notes
from renderer_service.wire.plain_body import read_plain_body

__all__ = [
    "BACKGROUND_DESCRIPTION",
    "MAX_BATCH_FRAMES",
    "MAX_ERROR_ITEMS",
    "MAX_TILE_SIZE",
    "PIXEL_BUDGET",
    "SLOW_ENCODING_PIXEL_BUDGET",
    "ApiError",
    "BatchOptions",
    "BatchRequest",
    "BatchResponse",
    "BatchVariant",
    "CodeError",
    "DiffRequest",
    "DiffResponse",
    "ErrorResponse",
    "HealthResponse",
    "PcmImportRequest",
    "PcmImportResponse",
    "PcmLineart",
    "ReadyResponse",
    "RenderOptions",
    "RenderPayload",
    "RenderRequest",
    "RenderResponse",
    "RequestParams",
    "SaveAge",
    "SaveCatalog",
    "SaveDocument",
    "SaveLifeStage",
    "SaveParamsQuery",
    "SaveParamsResponse",
    "SaveSheetQuery",
    "SaveSheetResponse",
    "ServiceCatalog",
    "ServiceModernCatalog",
    "decode_cat_code",
    "encode_cat_code",
    "error_body",
    "error_item",
    "given_of",
    "normalise_given",
    "normalise_params",
    "pattern_error",
    "read_plain_body",
    "trait_items",
    "traits_error",
    "v2_notes",
    "validation_error",
    "validation_error_from",
]
