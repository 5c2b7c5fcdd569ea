"""The V2 contract's request and response models, one module per route: ``render``, ``batch``,
``save``, ``diff``, ``status`` (health and the error body), and what they share (``common``).
``/docs`` and the OpenAPI document are made from them; other floors import them from
``renderer_service.wire``."""
