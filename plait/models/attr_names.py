"""The lexical attributes a vocab computes for each word, in column order: importing them costs nothing (no
pydantic), so a pipeline of tables loads without the setting types."""

# string-valued attributes (stored as hashes), then boolean flags
STRING_ATTRS = ("ORTH", "LOWER", "NORM", "PREFIX", "SUFFIX", "SHAPE")
FLAG_ATTRS = ("IS_ALPHA", "IS_DIGIT", "IS_PUNCT", "IS_SPACE", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL")
