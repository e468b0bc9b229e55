"""`nlp.pipe(texts, n_process=N)`: batches annotated by N processes, the caller's and N - 1 forked workers.

Workers are forked, so they start with the parent's loaded pipeline and no copy of it is sent; every process
runs torch on one thread. The parent is one of the N: whenever the batch it must yield next is not back yet,
it takes a queued batch itself, so N processes keep N cores busy and a slower one takes fewer batches; the input's
last N batches go out in quarter batches, so the N finish together instead of N - 1 idling on one full batch. Docs
given as input and annotated docs coming back travel in plait's binary corpus encoding (no pickle), which
carries tokens, every annotation column, cats and spans, but not custom extension values; `doc.tensor` is not
kept by any of the N, so output does not depend on which process annotated a doc. Each worker sends results
on a pipe of its own, which the parent waits on together with the worker's process, so a worker that dies
ends the run with a WorkerDied naming it, never a hang.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing
import queue
import threading
import traceback
from dataclasses import dataclass
from multiprocessing import connection
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from srsly import msgpack

from plait.core.data.docbin import decode_trusted_docs, encode_docs, unpack_record
from plait.core.errors import StoppedError
from plait.runtime.threads import pin_threads, pinned_threads

if TYPE_CHECKING:
    from plait.core.doc import Doc
    from plait.core.pipeline import Language

IN_FLIGHT = 2  # batches queued or running per process: enough that none waits for work
AHEAD = 4  # batches held per process past the next one to yield: room for a slow batch, a bound on memory
# How long the parent waits for a worker's result before it looks again for a batch to take: a batch it has just
# queued reaches the queue's pipe a moment later, through the queue's feeder thread.
POLL_SECONDS = 0.002
TAIL_PIECES = 4  # pieces each of the last N batches is cut into


class WorkerError(RuntimeError):
    """A worker failed on a document; `index` is its position in the input."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"document {index}: {message}")
        self.index = index


class WorkerDied(StoppedError):
    """A worker process ended before the input did (killed, out of memory); `index` is the first document of
    the batch it was on."""

    def __init__(self, worker: int, pid: int | None, exitcode: int | None, index: int) -> None:
        how = f"killed by signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
        super().__init__(f"worker {worker} (pid {pid}) died ({how}) at document {index}")
        self.worker, self.index = worker, index


@dataclass
class _Worker:
    """A forked worker, the read end of its own result pipe, and the first document of the batch it last took.
    It holds the pipe's only write end, so a read from a dead worker ends (EOF) instead of waiting forever."""

    number: int
    process: Any
    results: Any
    reached: int | None = None

    def died(self, fallback: int) -> WorkerDied:
        self.process.join(timeout=1)  # dead or dying: collect its exit code
        index = fallback if self.reached is None else self.reached
        return WorkerDied(self.number, self.process.pid, self.process.exitcode, index)


def _work(nlp: "Language", tasks: Any, results: Any) -> None:
    pin_threads(1)
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_send_all, args=(outbox, results), daemon=True).start()
    for number, start, items in iter(tasks.get, None):
        outbox.put(("took", start))
        docs, failure = _annotate(nlp, start, items)
        outbox.put(("done", (number, msgpack.packb(encode_docs(docs), use_bin_type=True) if docs else b"", failure)))


def _send_all(outbox: queue.SimpleQueue, results: Any) -> None:
    """Send a worker's messages in order, from a thread, so that the worker starts its next batch meanwhile."""
    for message in iter(outbox.get, None):
        results.send(message)


def _start_workers(context: Any, nlp: "Language", tasks: Any, count: int) -> list[_Worker]:
    workers = []
    for number in range(1, count + 1):
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(nlp, tasks, writer), daemon=True)
        process.start()
        writer.close()  # now only the worker holds it: workers forked later never see it
        workers.append(_Worker(number, process, reader))
    return workers


def _annotate(nlp: "Language", start: int, items: list[Any]) -> tuple[list["Doc"], tuple[int, str] | None]:
    """The batch's docs annotated, or (no docs, the first failing document's index and error)."""
    texts = [decode_trusted_docs(unpack_record(item), nlp.vocab)[0] if isinstance(item, bytes) else item for item in items]
    try:
        docs = list(nlp.pipe(texts, batch_size=len(texts)))
    except Exception:  # find the document: run the batch's texts one by one
        return [], _first_failure(nlp, start, texts)
    for doc in docs:
        doc.tensor = None
    return docs, None


def _first_failure(nlp: "Language", start: int, texts: list[Any]) -> tuple[int, str]:
    for offset, text in enumerate(texts):
        try:
            nlp(text)
        except Exception as err:
            return start + offset, f"{type(err).__name__}: {err}"
    return start, "the batch failed, but no document failed alone:\n" + traceback.format_exc(limit=3)


def pipe_in_processes(nlp: "Language", texts: Iterable[Any], *, n_process: int, batch_size: int) -> Iterator["Doc"]:
    """Annotate `texts` (strings or Docs) in this process and `n_process - 1` forked workers, yielding Docs in
    input order."""
    context = multiprocessing.get_context("fork")
    tasks = context.Queue()
    workers = _start_workers(context, nlp, tasks, n_process - 1)
    with pinned_threads(1):  # this process is one of the N
        try:
            batches = _batches(texts, batch_size, n_process)
            sent = received = given = 0
            done: dict[int, list["Doc"] | bytes] = {}

            def top_up() -> None:
                """Queue batches until IN_FLIGHT per process are queued or running, and at most AHEAD per
                process are held past the one to yield next."""
                nonlocal sent
                room = min(n_process * IN_FLIGHT - (sent - received - len(done)), n_process * AHEAD - (sent - received))
                for number, start, batch in itertools.islice(batches, max(room, 0)):
                    tasks.put((number, start, batch))
                    sent += 1

            top_up()
            while received < sent:
                while received not in done:
                    number, data, failure = _next_result(nlp, tasks, workers, given)
                    if failure is not None:
                        raise WorkerError(*failure)
                    done[number] = data
                    top_up()
                data = done.pop(received)
                received += 1
                top_up()
                if isinstance(data, bytes) and data:
                    data = decode_trusted_docs(unpack_record(data), nlp.vocab)
                for doc in data:  # an empty batch's b"" yields nothing
                    given += 1
                    yield doc
        finally:
            for worker in workers:
                worker.process.kill()
                worker.process.join()
                worker.results.close()
            tasks.cancel_join_thread()  # batches no worker will read must not keep this process from exiting
            tasks.close()


def _batches(texts: Iterable[Any], size: int, n_process: int) -> Iterator[tuple[int, int, list[Any]]]:
    """(batch number, index of its first text, texts), a Doc in the binary corpus encoding; batches of `size`,
    but the last `n_process` of them in pieces of a quarter (see the module's docstring)."""
    items = (t if isinstance(t, str) else msgpack.packb(encode_docs([t]), use_bin_type=True) for t in texts)
    start = 0
    for number, batch in enumerate(_split_tail(_chunks(items, size), n_process, max(1, size // TAIL_PIECES))):
        yield number, start, batch
        start += len(batch)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _split_tail(batches: Iterable[list[Any]], hold: int, piece: int) -> Iterator[list[Any]]:
    """The batches as they come, except the last `hold`, whose items come in lists of `piece`."""
    held: collections.deque[list[Any]] = collections.deque()
    for batch in batches:
        held.append(batch)
        if len(held) > hold:
            yield held.popleft()
    rest = list(itertools.chain.from_iterable(held))
    for i in range(0, len(rest), piece):
        yield rest[i:i + piece]


def _next_result(nlp: "Language", tasks: Any, workers: list[_Worker], given: int
                 ) -> tuple[int, list["Doc"] | bytes, tuple[int, str] | None]:
    """The next finished batch: a worker's, if one is back, else one this process takes from the queue and
    annotates itself, else a worker's when it comes. A worker that dies (killed, out of memory) is a
    WorkerDied, whatever this process was waiting on; `given` is how many docs were yielded so far."""
    while True:
        result = _receive(workers, 0, given)
        if result is not None:
            return result
        try:
            number, start, items = tasks.get_nowait()
        except queue.Empty:
            pass
        else:
            docs, failure = _annotate(nlp, start, items)
            return number, docs, failure
        result = _receive(workers, POLL_SECONDS, given)
        if result is not None:
            return result


def _receive(workers: list[_Worker], timeout: float, given: int) -> tuple[int, bytes, tuple[int, str] | None] | None:
    """A batch one worker has finished, waiting at most `timeout` seconds on every worker's pipe and process at
    once (None if none came)."""
    ready = connection.wait([w.results for w in workers] + [w.process.sentinel for w in workers], timeout)
    for worker in workers:
        if worker.results in ready:
            try:
                kind, value = worker.results.recv()
            except (EOFError, OSError):  # it died, perhaps halfway through a message
                raise worker.died(given) from None
            if kind == "done":
                return value
            worker.reached = value
    for worker in workers:
        if worker.process.sentinel in ready:
            raise worker.died(given)
    return None
