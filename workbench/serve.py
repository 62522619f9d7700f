"""`workbench serve`: the Voila reviewer app on loopback, with safe settings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .settings import default_db_url
from .textsafe import one_line


def notebooks_dir() -> Path:
    """The app's notebooks (the repository's notebooks/ folder, beside the package)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks", here / "notebooks"):
        if (candidate / "review.ipynb").is_file():
            return candidate
    raise FileNotFoundError("the app's notebooks (notebooks/review.ipynb) are not installed")


def default_root() -> Path:
    return Path(__file__).resolve().parent.parent / "sample_data"


TEMPLATE = "wb-offline"
CULL_IDLE_S = 300       # default: a kernel with no page connected and idle this long is shut down
POOL_SIZE = 2           # default: pre-heated kernels kept ready for review pages (index: 1)
EXECUTION_TIMEOUT_S = 120   # default: a notebook cell of a page running longer than this fails the page
FILL_DELAY_S = 2        # a used pool kernel is replaced after this pause (the page's own work goes first)
WAIT_TAG = "wait-for-request"   # the notebooks' cell that waits for the page's request: no time limit
CDN_MARKERS = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com")
WATCHDOG = Path(__file__).resolve().parent / "templates" / "page_watchdog.html"
PLOTLY_JS = "plotly.min.js"   # the installed plotly package's plotly.js, served beside the template (widgets.figure_html)
SERVED_PLOTLY_ENV = "WORKBENCH_SERVED_PLOTLY"   # set for the kernels of `workbench serve`: figures use PLOTLY_JS


def offline_template(dest: Path, execution_timeout: int = EXECUTION_TIMEOUT_S) -> Path:
    """Copy Voila's installed 'lab' template to ``dest/voila/templates/wb-offline`` without its CDN links, with
    the page watchdog (a page not rendered ``execution_timeout`` + 30 s after it was opened, or one whose cell
    timed out, says so in both languages with a Reload button and the kernel id to find in the server log).

    Voila's lab page links Font Awesome from a CDN although the same CSS is bundled in its JavaScript;
    a closed network must never see such a request. The installed plotly package's plotly.js goes into the
    template's static folder (the app's figures load it when first drawn, :mod:`widgets.figure_html`). Returns the
    folder to put on JUPYTER_PATH.
    """
    import shutil

    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("voila", "templates"):
        src = Path(base) / "lab"
        if (src / "index.html.j2").is_file():
            break
    else:
        raise FileNotFoundError("Voila's 'lab' template is not installed")
    target = dest / "voila" / "templates" / TEMPLATE
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(src, target)
    import json

    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    for page in target.rglob("*.j2"):
        text = page.read_text(encoding="utf-8")
        kept = [ln for ln in text.splitlines(keepends=True) if not any(m in ln for m in CDN_MARKERS)]
        page.write_text("".join(kept), encoding="utf-8")
    index = target / "index.html.j2"
    marker = "{{ spinner.html() }}"
    text = index.read_text(encoding="utf-8")
    if marker not in text:
        raise FileNotFoundError(f"Voila's 'lab' template has changed: no {marker} in {index}")
    watchdog = WATCHDOG.read_text(encoding="utf-8").replace("__WB_LIMIT_S__", str(int(execution_timeout) + 30))
    index.write_text(text.replace(marker, marker + "\n{% raw %}" + watchdog + "{% endraw %}", 1), encoding="utf-8")
    import plotly

    (target / "static").mkdir(exist_ok=True)
    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / PLOTLY_JS, target / "static" / PLOTLY_JS)
    return dest


def voila_command(port: int, host: str = "127.0.0.1", kernel_idle: int = CULL_IDLE_S, pool: int = POOL_SIZE,
                  execution_timeout: int = EXECUTION_TIMEOUT_S) -> list[str]:
    """Voila over the app's notebooks only: no static files served, no tracebacks to the browser; with ``pool``
    > 0, pre-heated kernels (the pool sizes are in voila.json, see :func:`write_voila_config`)."""
    return [sys.executable, "-m", "voila", str(notebooks_dir()), "--no-browser", f"--port={port}",
            f"--template={TEMPLATE}",
            f"--Voila.ip={host}", "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=False",
            f"--VoilaConfiguration.preheat_kernel={pool > 0}",
            "--VoilaConfiguration.http_keep_alive_timeout=10",
            # a cell that never answers fails the page after this long instead of spinning for ever (nbclient
            # waits without limit by default); the cell that waits for a pooled kernel's request is exempt
            f"--VoilaExecutor.timeout={max(1, int(execution_timeout))}",
            # kernels talk to the server over Unix sockets in a private folder, not TCP ports on loopback
            "--KernelManager.transport=ipc",
            # a closed page's kernel is shut down: Voila's own shutdown request is refused for want of an
            # XSRF token (voila-dashboards/voila#1458), so without culling every page left a kernel behind
            f"--MappingKernelManager.cull_idle_timeout={max(1, kernel_idle)}",
            f"--MappingKernelManager.cull_interval={max(1, min(60, kernel_idle // 2))}",
            "--MappingKernelManager.cull_connected=False",
            ]


# Settings traitlets can only take from the command line in a deprecated form (a list, a dict): they go into
# voila.json in a private folder given as Voila's only config path, which also keeps Voila from reading a voila.json
# or voila.py (Python, executed) from wherever the reviewer started `workbench serve` or from ~/.jupyter.
VOILA_CONFIG = {
    "VoilaConfiguration": {
        "file_allowlist": [],   # no file downloads at all (Voila allows images by default)
        # JupyterLab's plotly renderer: 4.7 MB evaluated on every page before its widgets show; the app draws
        # figures with the plotly.js served beside the template instead (widgets.figure_html)
        "extension_denylist": ["jupyterlab-plotly"],
    },
    "Voila": {"tornado_settings": {"headers": {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
                                               "Referrer-Policy": "no-referrer"}}},
}


def pool_config(pool: int, portfolio: bool = False) -> dict:
    """Pre-heated kernels per notebook: ``pool`` for review pages, one for the list of submissions, one for the
    portfolio when there is one (`workbench serve --runs`)."""
    sizes = {"review.ipynb": pool, "index.ipynb": min(pool, 1), "portfolio.ipynb": min(pool, 1) if portfolio else 0}
    return {"default": {"pool_size": 0}, **{nb: {"pool_size": max(0, n)} for nb, n in sizes.items()}}


# Python settings (a function cannot go in JSON): which cell may run without a time limit, and what a page
# says when a cell fails or runs out of time. Written by `workbench serve` into its own private folder.
VOILA_PY = '''# written by `workbench serve`
c = get_config()  # noqa: F821
LIMIT_S = __LIMIT_S__

from workbench.voila_patches import patch_missed_wakeup, patch_pool_handover, patch_request_info  # noqa: E402 - docs/app.md

patch_request_info()
patch_pool_handover()
patch_missed_wakeup()


def _time_limit(cell):
    """The notebooks' __WAIT_TAG__ cell waits for a page's request in a pooled kernel: no limit."""
    tags = (getattr(cell, "metadata", None) or {}).get("tags") or []
    return None if __WAIT_TAG__ in tags else LIMIT_S


c.VoilaExecutor.timeout_func = _time_limit
c.VoilaExecutor.cell_timeout_instruction = (
    "[wb-page-timeout] The review did not finish in time; reload the page. "
    "/ 审评页面未在规定时间内完成，请重新加载页面。")
c.VoilaExecutor.cell_error_instruction = (
    "[wb-page-error] The page failed; reload it, and if it fails again see the server log. "
    "/ 页面出错，请重新加载；如仍出错，请查看服务器日志。")
'''


def write_voila_config(folder: Path, user_header: str | None = None, pool: int = 0, portfolio: bool = False,
                       execution_timeout: int = EXECUTION_TIMEOUT_S) -> Path:
    """``folder``/voila.json with :data:`VOILA_CONFIG` (the identity header handed to kernels, if any; the kernel
    pools) and ``folder``/voila.py (:data:`VOILA_PY`); Voila is then started with ``cwd=folder``."""
    from .deploy import voila_header_config

    config = {**VOILA_CONFIG, "VoilaConfiguration": {**VOILA_CONFIG["VoilaConfiguration"],
                                                     **voila_header_config(user_header)}}
    if pool > 0:
        config["VoilaKernelManager"] = {"kernel_pools_config": pool_config(pool, portfolio),
                                        "fill_delay": FILL_DELAY_S}
    path = folder / "voila.json"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    code = VOILA_PY.replace("__LIMIT_S__", str(max(1, int(execution_timeout)))).replace("__WAIT_TAG__", repr(WAIT_TAG))
    (folder / "voila.py").write_text(code, encoding="utf-8")
    return path


def app_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/voila/render/index.ipynb"


def serve_env(root: Path, db_url: str | None, lang: str, runs: str | None = None,
              user_header: str | None = None, host: str = "127.0.0.1") -> dict[str, str]:
    from .deploy import identity_env

    env = identity_env(dict(os.environ), user_header)
    if runs:
        env["WORKBENCH_RUNS"] = str(Path(runs).resolve())
    from .store.engine import absolute_url

    url = db_url or env.get("WORKBENCH_DB_URL") or default_db_url()
    env.update({"WORKBENCH_ROOT": str(root.resolve()), "WORKBENCH_DB_URL": absolute_url(url),
                "WORKBENCH_LANG": lang, "PYTHONUNBUFFERED": "1", "VOILA_APP_IP": kernel_side_host(host),
                SERVED_PLOTLY_ENV: "1"})
    return env


def kernel_side_host(host: str) -> str:
    """The address a pooled kernel reaches the server at to collect its page's request (Voila's
    wait_for_request: ws://VOILA_APP_IP:PORT/voila/query/KERNEL)."""
    if host in ("", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def main_serve(args) -> int:
    root = Path(args.root) if args.root else default_root()
    if not root.is_dir():
        print(f"workbench serve: {one_line(root)}: not a folder", file=sys.stderr)
        return 2
    from .deploy import apply_roles_file, base_url_args, identity_banner, user_header_of

    try:
        user_header = user_header_of(args)
        prefix_args = base_url_args(getattr(args, "base_url", None))
    except ValueError as exc:
        print(f"workbench serve: {exc}", file=sys.stderr)
        return 2
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"workbench serve: warning: listening on {args.host}, reachable from other machines"
              + ("" if user_header else "; without --user-header every decision is recorded as this account"),
              file=sys.stderr)
    from .serve_ready import LogTail, port_taken, render_once, stop, wait_until_answering

    if port_taken(args.host, args.port):
        print(f"workbench serve: port {args.port} on {args.host} is already in use (another server?); "
              "choose another with --port", file=sys.stderr)
        return 2
    pool = max(0, getattr(args, "pool", POOL_SIZE))
    timeout = max(1, getattr(args, "execution_timeout", EXECUTION_TIMEOUT_S))
    cmd = voila_command(args.port, args.host, getattr(args, "kernel_idle", CULL_IDLE_S), pool, timeout) + prefix_args
    import shutil
    import signal
    import tempfile

    env = serve_env(root, args.db_url, args.lang, getattr(args, "runs", None), user_header, args.host)
    if getattr(args, "checks", None):   # loaded here first: a bad file stops serve before anything starts
        from .cli import ExtensionError, load_extensions

        try:
            load_extensions(args)
        except ExtensionError as exc:
            print(f"workbench serve: {one_line(exc)}", file=sys.stderr)
            return 2
        env["WORKBENCH_CHECKS"] = os.pathsep.join(str(Path(c).resolve()) for c in args.checks)
    if getattr(args, "roles", None):
        changes, problem = apply_roles_file(args.roles, env["WORKBENCH_DB_URL"])
        if problem:
            print(f"workbench serve: {one_line(problem)}", file=sys.stderr)
            return 2
        print(f"Roles / 角色: {one_line(args.roles)} ({len(changes)} change(s) recorded)", flush=True)
    print(identity_banner(user_header), flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="workbench-voila-"))
    templates = offline_template(scratch, timeout)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(templates), env.get("JUPYTER_PATH", "")) if p)

    def _terminate(signum, frame):  # SIGTERM stops Voila (and its kernels) like Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    config_dir = scratch / "config"   # not the folder Voila runs in: `python -m voila` would import a voila.py there
    config_dir.mkdir()
    write_voila_config(config_dir, user_header, pool, bool(getattr(args, "runs", None)), timeout)
    cmd.append(f"--Voila.config_file_paths={config_dir}")
    # Voila's log passes through us: shown as before, and its last lines kept for a start-up error
    proc = subprocess.Popen(cmd, env=env, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = LogTail(proc.stdout)
    try:
        problem = wait_until_answering(proc, args.host, args.port)
        if problem is not None:   # never print an address that does not answer
            stop(proc)
            print(f"workbench serve: {problem}; the last lines of its log:", file=sys.stderr, flush=True)
            for line in log.tail():
                print(f"  {one_line(line)}", file=sys.stderr, flush=True)
            return 1
        warm = render_once(args.host, args.port)   # the first render, before a reviewer's (serve_ready.py)
        if warm is not None:
            print(f"workbench serve: warning: the first page did not render ({warm}); serving anyway",
                  file=sys.stderr, flush=True)
        print(f"Reviewer app / 审评应用: {app_url(args.port, args.host)}", flush=True)
        print(f"Submissions / 申报资料: {root.resolve()}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)
