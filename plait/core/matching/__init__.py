"""Rule matching over Docs in spaCy's pattern formats: token patterns (`token_pattern.py`, run by `Matcher`),
phrase patterns (`PhraseMatcher`) and dependency-tree patterns (`DependencyMatcher`). `attributes.py` holds
what every pattern shares: the token attributes a pattern may test and the value tests (IN, REGEX, ...)."""
