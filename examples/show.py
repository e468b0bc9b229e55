"""Print a few sentences annotated by a trained pipeline: `python examples/show.py training/model-best`."""
import sys

import plait

SENTENCES = [
    "Apple is looking at buying a startup in the United Kingdom for $1 billion.",
    "Angela Merkel met Emmanuel Macron in Paris on Tuesday to discuss the European Union budget.",
    "I don't think the new library at Stanford University opens before March.",
]


def main(model: str) -> None:
    nlp = plait.load(model)
    for doc in nlp.pipe(SENTENCES):
        print(doc.text)
        if doc.has_annotation("TAG"):
            print("  tags:", " ".join(f"{t.text}/{t.tag_}" for t in doc))
        print("  entities:", ", ".join(f"{e.text} [{e.label_}]" for e in doc.ents) or "none")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "training/model-best")
