"""A stand-in HuggingFace hub on 127.0.0.1: real HTTP, serving model repositories from local folders.

It answers the requests huggingface_hub's `snapshot_download` makes (read from its source): the revision's
info (`/api/models/{repo}/revision/{rev}`: the commit), the file tree (`/api/models/{repo}/tree/{commit}`),
then for each file a HEAD and a GET of `/{repo}/resolve/{commit}/{path}` (headers X-Repo-Commit, ETag,
Content-Length; a GET with a Range header resumes). A missing repository, revision or file is a 404 with the
X-Error-Code the hub sends. `cut` makes the first GET of a file stop halfway with the connection closed, and
every later one (huggingface_hub resumes) a 503: a hub that goes away in the middle of a download.
"""
from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class StandInHub:
    """Repositories `repos` (repo id -> folder) served at `url` until `stop()`; `requests` logs each path asked."""

    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = {name: Path(folder) for name, folder in repos.items()}
        self.commits = {name: hashlib.sha1(name.encode()).hexdigest() for name in repos}
        self.cut: set[str] = set()  # "repo/path" of files whose download the network cuts
        self.requests: list[str] = []
        self._cut_once: set[str] = set()
        self._etags: dict[Path, str] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()
        self.running = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop answering: the port is closed, a later request is refused."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self.running = False

    def files(self, repo: str) -> list[str]:
        root = self.repos[repo]
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def etag(self, path: Path) -> str:
        if path not in self._etags:
            self._etags[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._etags[path]


def _handler(hub: StandInHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet: the tests read `hub.requests`
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            hub.requests.append(f"{self.command} {path}")
            if path.startswith("/api/models/"):
                return self._api(path.removeprefix("/api/models/"))
            repo, _, rest = path.lstrip("/").partition("/resolve/")
            revision, _, filename = rest.partition("/")
            if self._known(repo, revision) and filename not in hub.files(repo):
                self._error(404, "EntryNotFound", repo)
            elif self._known(repo, revision):
                self._file(repo, filename, body)

        def _api(self, rest: str) -> None:
            for marker in ("/revision/", "/tree/"):
                repo, found, revision = rest.partition(marker)
                if found:
                    break
            else:
                return self._error(404, "RepoNotFound", rest)
            if not self._known(repo, revision):
                return
            commit = hub.commits[repo]
            if marker == "/revision/":
                info = {"id": repo, "sha": commit, "siblings": [{"rfilename": f} for f in hub.files(repo)]}
            else:
                root = hub.repos[repo]
                info = [{"type": "file", "path": f, "size": (root / f).stat().st_size, "oid": hub.etag(root / f)}
                        for f in hub.files(repo)]
            self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"})

        def _known(self, repo: str, revision: str) -> bool:
            """Whether the repository and revision exist; a 404 answered if not."""
            if repo not in hub.repos:
                self._error(404, "RepoNotFound", repo)
                return False
            if revision not in ("main", hub.commits[repo]):
                self._error(404, "RevisionNotFound", repo)
                return False
            return True

        def _file(self, repo: str, filename: str, body: bool) -> None:
            path = hub.repos[repo] / filename
            data = path.read_bytes()
            key = f"{repo}/{filename}"
            if body and key in hub.cut and key in hub._cut_once:
                return self._error(503, "ServiceUnavailable", repo)
            start = int(self.headers.get("Range", "bytes=0-").removeprefix("bytes=").split("-")[0]) if body else 0
            headers = {"X-Repo-Commit": hub.commits[repo], "ETag": f'"{hub.etag(path)}"',
                       "Content-Type": "application/octet-stream"}
            if start:
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            content = data[start:]
            if not body:
                return self._send(200, b"", {**headers, "Content-Length": str(len(content))})
            if key in hub.cut:
                hub._cut_once.add(key)
                self._send(206 if start else 200, content[:len(content) // 2],
                           {**headers, "Content-Length": str(len(content))})
                self.close_connection = True
                return
            self._send(206 if start else 200, content, headers)

        def _error(self, status: int, code: str, repo: str) -> None:
            self._send(status, json.dumps({"error": f"{code}: {repo}"}).encode(),
                       {"X-Error-Code": code, "Content-Type": "application/json"})

        def _send(self, status: int, content: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            headers.setdefault("Content-Length", str(len(content)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if content and self.command != "HEAD":
                self.wfile.write(content)

    return Handler
