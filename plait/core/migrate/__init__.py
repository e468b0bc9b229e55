"""`plait migrate-config`: spaCy v3 training configs (and spacy-transformers blocks) as plait configs."""
