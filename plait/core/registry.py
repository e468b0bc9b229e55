"""The registries with plait's built-in names in them: `ensure_registered` imports registrations.py when a name
is first needed, so a config that names only the tokenizer never imports the components (or torch)."""
from __future__ import annotations

from plait.core.registries import REGISTRY_NAMES, catalog, registry

__all__ = ["REGISTRY_NAMES", "catalog", "ensure_registered", "registry"]


def ensure_registered() -> None:
    """Import the module that registers every built-in name (idempotent)."""
    import plait.core.registrations  # noqa: F401
