"""`nlp.pipe(texts, n_process=N)`: batches annotated by N forked worker processes, results in input order.

Workers are forked, so they start with the parent's loaded pipeline and no copy of it is sent; each runs
torch on one thread. Docs given as input and annotated docs coming back travel in plait's binary corpus encoding (no pickle), which carries
tokens, every annotation column, cats and spans, but not `doc.tensor` or custom extension values.
"""
from __future__ import annotations

import itertools
import multiprocessing
import traceback
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from srsly import msgpack

from plait.core.data.docbin import decode_docs, encode_docs, unpack_record
from plait.core.threads import pin_threads

if TYPE_CHECKING:
    from plait.core.doc import Doc
    from plait.core.pipeline import Language

IN_FLIGHT = 2  # batches queued per worker: enough to keep each busy, few enough to bound memory


class WorkerError(RuntimeError):
    """A worker failed on a document; `index` is its position in the input."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"document {index}: {message}")
        self.index = index


def _work(nlp: "Language", tasks: Any, results: Any) -> None:
    pin_threads(1)
    for number, start, items in iter(tasks.get, None):
        texts = [decode_docs(unpack_record(item), nlp.vocab)[0] if isinstance(item, bytes) else item
                 for item in items]
        try:
            docs = list(nlp.pipe(texts, batch_size=len(texts)))
            results.put((number, msgpack.packb(encode_docs(docs), use_bin_type=True) if docs else b"", None))
        except Exception:  # find the document: run the batch's texts one by one
            results.put((number, b"", _first_failure(nlp, start, texts)))


def _first_failure(nlp: "Language", start: int, texts: list[Any]) -> tuple[int, str]:
    for offset, text in enumerate(texts):
        try:
            nlp(text)
        except Exception as err:
            return start + offset, f"{type(err).__name__}: {err}"
    return start, "the batch failed, but no document failed alone:\n" + traceback.format_exc(limit=3)


def pipe_in_processes(nlp: "Language", texts: Iterable[Any], *, n_process: int, batch_size: int) -> Iterator["Doc"]:
    """Annotate `texts` (strings or Docs) in `n_process` forked workers, yielding Docs in input order."""
    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    workers = [context.Process(target=_work, args=(nlp, tasks, results), daemon=True) for _ in range(n_process)]
    for worker in workers:
        worker.start()
    try:
        batches = _batches(texts, batch_size)
        sent = received = 0
        waiting: dict[int, bytes] = {}
        for number, start, batch in itertools.islice(batches, n_process * IN_FLIGHT):
            tasks.put((number, start, batch))
            sent += 1
        while received < sent:
            while received not in waiting:
                number, data, failure = _get(results, workers)
                if failure is not None:
                    raise WorkerError(*failure)
                waiting[number] = data
            data = waiting.pop(received)
            received += 1
            for number, start, batch in itertools.islice(batches, 1):
                tasks.put((number, start, batch))
                sent += 1
            if data:
                yield from decode_docs(unpack_record(data), nlp.vocab)
    finally:
        for worker in workers:
            worker.kill()
            worker.join()


def _batches(texts: Iterable[Any], size: int) -> Iterator[tuple[int, int, list[Any]]]:
    """(batch number, index of its first text, texts); a Doc travels in the binary corpus encoding."""
    it = iter(texts)
    for number in itertools.count():
        batch = [t if isinstance(t, str) else msgpack.packb(encode_docs([t]), use_bin_type=True)
                 for t in itertools.islice(it, size)]
        if not batch:
            return
        yield number, number * size, batch


def _get(results: Any, workers: list[Any]) -> tuple[int, bytes, tuple[int, str] | None]:
    """The next result; a worker that died without one (killed, out of memory) is an error, not a hang."""
    while True:
        try:
            return results.get(timeout=1.0)
        except Exception:  # queue.Empty
            dead = [w for w in workers if not w.is_alive()]
            if dead:
                raise RuntimeError(f"a worker process died (exit code {dead[0].exitcode}) before finishing "
                                   "its batch") from None
