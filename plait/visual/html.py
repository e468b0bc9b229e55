"""Self-contained HTML pages: inline CSS, JS and data, nothing fetched from the network."""
from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any, Iterable, Sequence

PAGE_SIZES = (10, 25, 50, 100, 250)


def asset(name: str) -> str:
    """A file shipped beside this module (the viewer's CSS and JS)."""
    return resources.files("plait.visual").joinpath(name).read_text(encoding="utf8")


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `<` can close it early."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page(title: str, body: str, *, css: str = "", script: str = "") -> str:
    """One HTML document with its styles and scripts inline."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{css}</style></head>\n<body>\n{body}\n{script}</body></html>\n")


def viewer_page(title: str, items: list[dict[str, Any]], *, page_size: int = 25, extra: str = "",
                evaluation: bool = False) -> str:
    """The document viewer over `items` (doc_data or pair_data dicts), drawn one page at a time in the browser."""
    sizes = sorted(set(PAGE_SIZES) | {page_size})
    options = "".join(f"<option{' selected' if s == page_size else ''}>{s}</option>" for s in sizes)
    errors = ("<label><input type=\"checkbox\" id=\"errors-only\"> only docs with errors</label>"
              "<span class=\"legend\">dashed: missed gold entity or span \u00b7 solid: wrong one \u00b7 red token: "
              "wrong annotation (hover)</span>") if evaluation else ""
    header = (f"<header><h1>{html.escape(title)}</h1>"
              "<button id=\"first\">\u00ab</button><button id=\"prev\">\u2039</button>"
              "<input type=\"number\" id=\"page\" min=\"1\" value=\"1\" aria-label=\"page\">"
              "<button id=\"next\">\u203a</button><button id=\"last\">\u00bb</button>"
              f"<label>per page <select id=\"size\">{options}</select></label>"
              "<label><input type=\"checkbox\" id=\"rows\" checked> tags under tokens</label>"
              f"{errors}<span id=\"status\"></span></header>")
    data = script_json({"page_size": page_size, "items": items})
    body = f"{header}\n{extra}<main></main>"
    script = (f"<script type=\"application/json\" id=\"plait-data\">{data}</script>\n"
              f"<script>{asset('viewer.js')}</script>\n")
    return page(title, body, css=asset("viewer.css"), script=script)


def table(head: Sequence[str], rows: Iterable[Sequence[Any]], cls: str = "prf") -> str:
    """An HTML table; floats are shown as percentages with two decimals."""
    def cell(value: Any) -> str:
        return f"{100 * value:.2f}" if isinstance(value, float) else html.escape(str(value))

    head_html = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table class=\"{cls}\"><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>"
