"""The HuggingFace transformer encoder: model, batch output, listener, wordpiece alignment and pooling."""
