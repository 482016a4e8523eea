"""Where a job writes: one output folder, replaced only when it is safe, never half-written.

A run or a scrub builds its output in a private staging folder on the output folder's own
file system and swaps it in at the end. ``--force`` replaces only what an earlier job wrote
(its manifest lists every file); a folder that holds anything else, an input, the working
directory or a home directory is refused, so no user file is ever deleted. A lock keeps two
jobs off one folder; staging left by a killed job is found and removed by the next one;
SIGTERM and SIGHUP clean up like Ctrl-C.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from appeals.errors import Interrupted, OutputError

MANIFEST = "manifest.json"
MARKER = ".appeals-staging"  # inside every staging folder: only those are ever removed as stale
INSIDE = ".appeals."  # staging (and LOCK) inside an output folder that is a mount point
LOCK = f"{INSIDE}lock"
_ACLS = ("system.posix_acl_access", "system.posix_acl_default")
_TOP = {
    "run": {"letters", "worksheets", "summary.xlsx", MANIFEST},
    "scrub": {"worksheets", "scrub.xlsx", MANIFEST},
}
_SHOWN = 5


@dataclass
class Stage:
    """A job's staging folder; ``commit()`` swaps it in as the output folder."""

    path: Path
    target: Path
    notes: list[str] = field(default_factory=list)  # what the user should be told
    inside: bool = False  # staged inside the target (a mount point) rather than beside it
    committed: bool = False

    def commit(self) -> None:
        (self.path / MARKER).unlink(missing_ok=True)
        _match_permissions(self.path, self.target)
        if self.inside:
            _swap_entries(self.path, self.target)
        else:
            _replace(self.path, self.target)
        self.committed = True


def resolve_out_dir(out_dir: str | Path) -> Path:
    """The real folder ``out_dir`` names; a symlink is followed, a dangling one refused."""
    path = Path(out_dir)
    if path.is_symlink() and not path.exists():
        raise OutputError(
            "the output folder is a symbolic link to nothing", file=out_dir,
            fix="remove the link or choose another folder with -o",
        )
    target = path.resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(
            "the output folder is a file, not a folder", file=out_dir,
            fix="choose a folder with -o",
        )
    return target


def check_out_dir(
    out_dir: str | Path, target: Path, inputs: Iterable[str | Path], *, force: bool, job: str
) -> None:
    """Refuse an output folder whose replacement could delete anything the job did not write."""
    for special, what in ((Path.cwd(), "the working directory"), (Path.home(), "a home directory"),
                          (Path(target.anchor), "the root directory")):  # fmt: skip
        with contextlib.suppress(OSError):
            if target == special.resolve():
                raise OutputError(
                    f"the output folder is {what}", file=out_dir,
                    fix="choose a new folder for the output with -o, e.g. -o appeals-out",
                )
    for item in inputs:
        source = Path(item).resolve()
        if target == source or target in source.parents:
            raise OutputError(
                f"the output folder holds the input {item}", file=out_dir,
                fix="choose an output folder outside the folders of the inputs",
            )
    if not target.exists() or not [p for p in target.iterdir() if not _ours(p)]:
        return
    if not force:
        raise OutputError(
            "the output folder already exists and is not empty", file=out_dir,
            fix="choose another folder with -o, or pass --force to replace it",
        )
    other = earlier_job(target)
    if other is not None and other != job:
        raise OutputError(
            f"the output folder holds an appeals {other}, not a {job}", file=out_dir,
            fix=f"give the {job} its own folder with -o",
        )
    foreign = foreign_files(target, job)
    if foreign:
        shown = ", ".join(foreign[:_SHOWN]) + (f" and {len(foreign) - _SHOWN} more"
                                               if len(foreign) > _SHOWN else "")
        raise OutputError(
            f"--force replaces only an earlier appeals output, and the folder also holds {shown}",
            file=out_dir, fix="move those files elsewhere, or choose another folder with -o",
        )


def earlier_job(folder: Path) -> str | None:
    """"run" or "scrub" when ``folder`` holds an appeals manifest, else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("tool") != "appeals":
        return None
    return str(manifest.get("job", "run"))


def foreign_files(folder: Path, job: str) -> list[str]:
    """Everything in ``folder`` that the manifest of an earlier ``job`` does not list."""
    listed: set[str] = set()
    if earlier_job(folder) == job:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {str(o.get("file")) for o in manifest.get("outputs", []) if isinstance(o, dict)}
        listed.add(MANIFEST)
    out = []
    for path in sorted(folder.rglob("*")):
        if any(_ours(folder / part) for part in path.relative_to(folder).parts[:1]):
            continue  # this job's own staging and lock inside a mount point
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() and not path.is_symlink():
            if rel.split("/")[0] in _TOP[job] and listed:
                continue
        elif rel in listed:
            continue
        out.append(rel)
    return out


@contextlib.contextmanager
def staged_output(target: Path, out_dir: str | Path) -> Iterator[Stage]:
    """Lock the output folder, remove stale staging, and yield a fresh private staging folder.

    Whatever ends the block early (an error, Ctrl-C, SIGTERM, SIGHUP) removes the staging
    folder and leaves the previous output as it was; an interruption says so truthfully.
    """
    notes: list[str] = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out_dir, None) from None
    inside = _other_device(target)
    with _lock(target, out_dir, inside), _signals_interrupt():
        removed = remove_stale_staging(target)
        if removed:
            notes.append(f"removed {removed} unfinished output folder(s) left by an "
                         f"interrupted earlier run beside {out_dir}")
        stage = _make_stage(target, out_dir, notes, inside)
        try:
            yield stage
        except KeyboardInterrupt as exc:
            _remove(stage.path)
            exc.outcome = (  # type: ignore[attr-defined]
                f"{out_dir} was changed" if stage.committed else
                f"{out_dir} was left as it was and the unfinished output removed"
            )
            raise
        except OSError as exc:
            _remove(stage.path)
            raise output_error(exc, out_dir, stage.path) from None
        except OutputError as exc:
            _remove(stage.path)
            # a writer names the staging folder, which is gone: name the real one
            if exc.file and exc.file.startswith(str(stage.path)):
                exc.file = str(out_dir) + exc.file[len(str(stage.path)):]
            raise
        except BaseException:
            _remove(stage.path)
            raise


def output_error(exc: OSError, out_dir: str | Path, staging: Path | None) -> OutputError:
    """An OSError met while writing, as one message naming the disk that failed."""
    filename = exc.filename if isinstance(exc.filename, str) and exc.filename else None
    elsewhere = filename is not None and not (
        staging is not None and filename.startswith(str(staging))
        or filename.startswith(str(Path(out_dir)))
    )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        if elsewhere:
            return OutputError(
                f"the disk holding {filename} is full; nothing was changed in the output folder",
                file=out_dir, fix="free some space on that disk and run again",
            )
        what, fix = "the disk is full", "free some space (or choose another disk with -o) and run again"
    elif exc.errno == errno.ENAMETOOLONG:
        what, fix = "a file name is too long for this file system", "choose a shorter folder with -o"
    else:
        what = f"cannot write the output ({exc.strerror or exc})"
        fix = "check that the folder's parent exists and is writable, or choose another with -o"
    return OutputError(f"{what}; nothing was changed in the folder", file=out_dir, fix=fix)


def staging_prefix(target: Path) -> str:
    """``.NAME.`` beside the output; a long name is shortened with a hash so staging fits."""
    name = target.name
    if len(name.encode()) > 180:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = name.encode()[:60].decode(errors="ignore") + "~" + digest
    return f".{name}."


def remove_stale_staging(target: Path) -> int:
    """Remove staging folders an interrupted run left (marked, or a swapped-out old output)."""
    places = [(target.parent, staging_prefix(target))]
    if target.is_dir():
        places.append((target, INSIDE))
    removed = 0
    for folder, prefix in places:
        for path in folder.glob(f"{prefix}*"):
            if path.is_symlink() or not path.is_dir():
                continue
            rest = path.name[len(prefix):]
            ours = (path / MARKER).is_file() or (
                rest.startswith("old-") and earlier_job(path) is not None
            )
            if ours:
                _remove(path)
                removed += 1
    return removed


def _make_stage(target: Path, out_dir: str | Path, notes: list[str], inside: bool) -> Stage:
    # A mount point cannot be renamed, and staging beside it would put patient data on
    # another disk: stage inside it and swap its entries instead.
    where, prefix = (target, INSIDE) if inside else (target.parent, staging_prefix(target))
    try:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
        if not inside and target.is_dir():
            # before anything is written, so files and folders inherit the default ACL
            # just as they would have inside the folder being replaced
            _copy_acls(target, path)
        (path / MARKER).touch(mode=0o600)
    except OSError as exc:
        raise output_error(exc, out_dir, None) from None
    return Stage(path=path, target=target, notes=notes, inside=inside)


def _other_device(target: Path) -> bool:
    """OUT is a mount point or on another file system than its parent (st_dev)."""
    if target.is_symlink() or not target.is_dir():
        return False
    try:
        return os.path.ismount(target) or target.stat().st_dev != target.parent.stat().st_dev
    except OSError:
        return False


@contextlib.contextmanager
def _lock(target: Path, out_dir: str | Path, inside: bool) -> Iterator[None]:
    # on a mount point the lock lives inside it too: nothing of a run touches the parent
    path = target / LOCK if inside else target.parent / f"{staging_prefix(target)}lock"
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise output_error(exc, out_dir, None) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(
                "another appeals run is writing this output folder", file=out_dir,
                fix="wait for it to finish, or choose another folder with -o",
            ) from None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break  # the lock file is still the one on disk (not unlinked by its holder)
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise like Ctrl-C does, so the same clean-up runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    owner = os.getpid()

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            # a forked document worker inherited this handler: it leaves at once and the
            # parent cleans up (resetting it in the worker could lose a signal sent meanwhile)
            os._exit(128 + signum)
        raise Interrupted(signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _match_permissions(staging: Path, target: Path) -> None:
    """Private by default (0700/0600); a folder being replaced keeps its owner, group, mode
    (setgid included) and ACLs."""
    dir_mode, file_mode, gid = 0o700, 0o600, -1
    if target.is_dir():
        st = target.stat()
        dir_mode = stat.S_IMODE(st.st_mode)
        file_mode = dir_mode & 0o666 | 0o600
        gid = st.st_gid
    for root, dirs, files in os.walk(staging):
        for name in files:
            _chmod(Path(root, name), file_mode, gid)
        for name in dirs:
            _chmod(Path(root, name), dir_mode & 0o777 | 0o700, gid)
    _chmod(staging, dir_mode | 0o700, gid)
    if target.is_dir():
        with contextlib.suppress(OSError):  # only root may give a folder to another owner
            os.chown(staging, target.stat().st_uid, -1)
        os.chmod(staging, dir_mode | 0o700)  # chown clears setgid
        _copy_acls(target, staging)  # last: chmod rewrites the ACL's mask entry


def _copy_acls(source: Path, dest: Path) -> None:
    """POSIX ACLs byte for byte (a file system without them has nothing to copy)."""
    for name in _ACLS:
        try:
            value = os.getxattr(source, name)
        except OSError:
            with contextlib.suppress(OSError):
                os.removexattr(dest, name)  # none on the source: none on the copy
            continue
        os.setxattr(dest, name, value)


def _ours(path: Path) -> bool:
    """A lock or staging folder of this tool inside an output folder on a mount point."""
    if not path.name.startswith(INSIDE) or path.is_symlink():
        return False
    return path.name == LOCK or (path.is_dir() and (path / MARKER).is_file())


def _chmod(path: Path, mode: int, gid: int) -> None:
    if gid != -1:
        with contextlib.suppress(OSError):
            os.chown(path, -1, gid)
    os.chmod(path, mode)


def _replace(staging: Path, target: Path) -> None:
    """Move the finished folder into place; the old one goes only once the new one is ready."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{staging_prefix(target)}old-", dir=target.parent))
        old.rmdir()  # a free, unique name beside the output
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)  # put the previous output back
        raise
    if old is not None:
        _remove(old)


def _swap_entries(staging: Path, target: Path) -> None:
    """For a mount point: move the old entries aside and the new ones in, inside the folder."""
    old = Path(tempfile.mkdtemp(prefix=f"{INSIDE}old-", dir=target))
    for entry in list(target.iterdir()):
        if entry not in (staging, old, target / LOCK):
            os.replace(entry, old / entry.name)
    for entry in list(staging.iterdir()):
        os.replace(entry, target / entry.name)
    staging.rmdir()
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
