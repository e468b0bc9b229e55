"""Tokenizer rules per language: English has its own, every other code gets the language-neutral defaults."""
from __future__ import annotations

from plait.core.tokenizer import TokenizerRules


def get_tokenizer_rules(lang: str) -> TokenizerRules:
    """The tokenizer rules for a language code ("en"); unknown codes get language-neutral rules."""
    if lang == "en":
        from plait.core.lang import en

        return en.rules()
    from plait.core.lang import base

    return base.rules()


def get_stop_words(lang: str) -> set[str]:
    """A fresh set of the stop words of a language code (lower case); empty for a language without a list."""
    if lang == "en":
        from plait.core.lang.en_stop_words import STOP_WORDS

        return set(STOP_WORDS)
    return set()
