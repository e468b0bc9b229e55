"""Static word vectors: the table, its binding to models, subword rows, readers of vector files, init-vectors."""
