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
CDN_MARKERS = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com")


def offline_template(dest: Path) -> Path:
    """Copy Voila's installed 'lab' template to ``dest/voila/templates/wb-offline`` without its CDN links.

    Voila's lab page links Font Awesome from a CDN although the same CSS is bundled in its JavaScript;
    a closed network must never see such a request. Returns the folder to put on JUPYTER_PATH.
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
    return dest


def voila_command(port: int, host: str = "127.0.0.1", kernel_idle: int = CULL_IDLE_S) -> list[str]:
    """Voila over the app's notebooks only: no static files served, no tracebacks to the browser."""
    return [sys.executable, "-m", "voila", str(notebooks_dir()), "--no-browser", f"--port={port}",
            f"--template={TEMPLATE}",
            f"--Voila.ip={host}", "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.preheat_kernel=False",
            "--VoilaConfiguration.http_keep_alive_timeout=10",
            # kernels talk to the server over Unix sockets in a private folder, not TCP ports on loopback
            "--KernelManager.transport=ipc",
            # a closed page's kernel is shut down: Voila's own shutdown request is refused for want of an
            # XSRF token (voila-dashboards/voila#1458), so without culling every page left a kernel behind
            f"--MappingKernelManager.cull_idle_timeout={max(1, kernel_idle)}",
            f"--MappingKernelManager.cull_interval={max(1, min(60, kernel_idle // 2))}",
            "--MappingKernelManager.cull_connected=False",
            ]


# Settings traitlets can only take from the command line in a deprecated form (a list, a dict): they go
# into voila.json in the folder Voila runs in, which also keeps Voila from reading a voila.json or
# voila.py (Python, executed) from wherever the reviewer started `workbench serve` (Voila reads its current folder).
VOILA_CONFIG = {
    "VoilaConfiguration": {"file_allowlist": []},   # no file downloads at all (Voila allows images by default)
    "Voila": {"tornado_settings": {"headers": {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
                                               "Referrer-Policy": "no-referrer"}}},
}


def write_voila_config(folder: Path, user_header: str | None = None) -> Path:
    """``folder``/voila.json with :data:`VOILA_CONFIG` (and the identity header handed to kernels, if any);
    Voila is then started with ``cwd=folder``."""
    from .deploy import voila_header_config

    config = {**VOILA_CONFIG, "VoilaConfiguration": {**VOILA_CONFIG["VoilaConfiguration"],
                                                     **voila_header_config(user_header)}}
    path = folder / "voila.json"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return path


def app_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/voila/render/index.ipynb"


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve_env(root: Path, db_url: str | None, lang: str, runs: str | None = None,
              user_header: str | None = None) -> dict[str, str]:
    from .deploy import identity_env

    env = identity_env(dict(os.environ), user_header)
    if runs:
        env["WORKBENCH_RUNS"] = str(Path(runs).resolve())
    from .store.engine import absolute_url

    url = db_url or env.get("WORKBENCH_DB_URL") or default_db_url()
    env.update({"WORKBENCH_ROOT": str(root.resolve()), "WORKBENCH_DB_URL": absolute_url(url),
                "WORKBENCH_LANG": lang, "PYTHONUNBUFFERED": "1"})
    return env


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
    from .serve_ready import LogTail, port_taken, wait_until_answering

    if port_taken(args.host, args.port):
        print(f"workbench serve: port {args.port} on {args.host} is already in use (another server?); "
              "choose another with --port", file=sys.stderr)
        return 2
    cmd = voila_command(args.port, args.host, getattr(args, "kernel_idle", CULL_IDLE_S)) + prefix_args
    import shutil
    import signal
    import tempfile

    env = serve_env(root, args.db_url, args.lang, getattr(args, "runs", None), user_header)
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
    templates = offline_template(scratch)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(templates), env.get("JUPYTER_PATH", "")) if p)

    def _terminate(signum, frame):  # SIGTERM stops Voila (and its kernels) like Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    write_voila_config(scratch, user_header)
    # Voila's log passes through us: shown as before, and its last lines kept for a start-up error
    proc = subprocess.Popen(cmd, env=env, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = LogTail(proc.stdout)
    try:
        problem = wait_until_answering(proc, args.host, args.port)
        if problem is not None:   # never print an address that does not answer
            _stop(proc)
            print(f"workbench serve: {problem}; the last lines of its log:", file=sys.stderr, flush=True)
            for line in log.tail():
                print(f"  {one_line(line)}", file=sys.stderr, flush=True)
            return 1
        print(f"Reviewer app / 审评应用: {app_url(args.port, args.host)}", flush=True)
        print(f"Submissions / 申报资料: {root.resolve()}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(scratch, ignore_errors=True)
