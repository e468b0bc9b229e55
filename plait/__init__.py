"""plait: train NLP pipelines from config files with PyTorch."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plait")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def blank(lang: str = "en", **kwargs):
    """Return an empty pipeline for `lang` (a tokenizer and no components)."""
    from plait.core.pipeline import Language

    return Language.blank(lang, **kwargs)


def load(path, **kwargs):
    """Load a pipeline saved by `nlp.to_disk(path)`; unpickles nothing."""
    from plait.core.pipeline import Language

    return Language.from_disk(path, **kwargs)


def render(docs, **kwargs) -> str:
    """One self-contained HTML page showing the docs' annotations (entities, parse, tags, categories)."""
    from plait.visual.render import render as render_docs

    return render_docs(docs, **kwargs)


__all__ = ["__version__", "blank", "load", "render"]
