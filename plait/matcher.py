"""The rule matchers, where spaCy scripts look for them: `from plait.matcher import Matcher` (spaCy:
`from spacy.matcher import Matcher`)."""
from plait.core.matching.dependency_matcher import DependencyMatcher
from plait.core.matching.matcher import Matcher
from plait.core.matching.phrase_matcher import PhraseMatcher

__all__ = ["Matcher", "PhraseMatcher", "DependencyMatcher"]
