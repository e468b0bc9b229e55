"""plait: train NLP pipelines from config files with PyTorch.

The public API is what this module exports (`plait.__all__`) plus the layers in `plait.models`
(`plait.models.batch.TokenBatch`, `plait.models.static_vectors.StaticVectors`, `plait.models.features`);
`plait.core.*` is internal. Names are imported on first use, so `import plait` stays fast.
"""
from importlib import import_module

# public name -> the module that defines it
_EXPORTS = {
    "Language": "plait.core.pipeline", "Doc": "plait.core.doc", "Span": "plait.core.span",
    "Token": "plait.core.token", "Vocab": "plait.core.vocab", "StringStore": "plait.core.strings",
    "hash_string": "plait.core.strings", "Vectors": "plait.core.vectors.table", "MorphAnalysis": "plait.core.morphology",
    "Example": "plait.core.data.example", "registry": "plait.core.registry", "read_corpus": "plait.core.training.api",
    "Optimizer": "plait.core.training.api", "component": "plait.core.custom", "factory": "plait.core.custom",
    "BaseComponent": "plait.core.custom", "UserError": "plait.core.errors", "ConfigError": "plait.core.errors",
    "DataError": "plait.core.errors", "ModelLoadError": "plait.core.errors", "render": "plait.visual.render",
    "ComponentKind": "plait.core.components.declaration", "tok2vec_listener": "plait.core.components.declaration",
    "require_gpu": "plait.core.gpu", "prefer_gpu": "plait.core.gpu", "require_cpu": "plait.core.gpu",
    "set_gpu_allocator": "plait.core.gpu",
}


def blank(lang: str = "en", **kwargs):
    """Return an empty pipeline for `lang` (a tokenizer and no components)."""
    from plait.core.pipeline import Language

    return Language.blank(lang, **kwargs)


def load(path, **kwargs):
    """Load a pipeline saved by `nlp.to_disk(path)`, or by the name of an installed pipeline package (`plait
    package`) (`disable=[...]`: loaded, not run; `enable=[...]`: only these run; `exclude=[...]`: not loaded);
    unpickles nothing."""
    from pathlib import Path

    from plait.core import fs
    from plait.core.pipeline import Language

    if isinstance(path, str) and not Path(path).exists():
        from plait.core.packages import installed_pipeline

        path = installed_pipeline(path) or path  # the name of an installed pipeline package
    fs.recover_swap(Path(path))  # a save of this folder killed between its two renames: put the copy back
    return Language.from_disk(path, **kwargs)


def __getattr__(name: str):
    if name == "__version__":  # looked up on first use: importlib.metadata is slow to import
        from plait.core.about import version

        globals()[name] = version()
        return globals()[name]
    if name in _EXPORTS:
        if name == "registry":
            from plait.core.registry import ensure_registered

            ensure_registered()
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'plait' has no attribute {name!r}")


__all__ = ["__version__", "blank", "load", *_EXPORTS]
