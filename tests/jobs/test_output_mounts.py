"""Issue #12 item 11, through the CLI: a replaced output folder keeps its owner, group, mode
(setgid included) and POSIX ACLs; an output folder that is a mount point is staged inside
itself, so nothing (no patient data, no lock) lands on the parent's disk and no rename of the
mount point is attempted (EBUSY)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from appeals.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
INPUT = SAMPLES / "denials_clearinghouse.csv"
ARGS = ["--today", "2026-04-30", "--quiet"]
IS_ROOT = os.geteuid() == 0


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def getfacl(path: Path) -> str:
    done = subprocess.run(["getfacl", "--absolute-names", "--omit-header", "--numeric", str(path)],
                          capture_output=True, text=True, check=True)
    return done.stdout


needs_acl = pytest.mark.skipif(shutil.which("setfacl") is None,
                               reason="setfacl/getfacl missing: install Debian's acl package")


def other_group() -> int:
    """A group other than the process's own, so keeping it proves something."""
    if IS_ROOT:
        return 4 if os.getgid() != 4 else 5  # 'adm' / 'tty' on Debian
    groups = [g for g in os.getgroups() if g != os.getgid()]
    if not groups:
        pytest.skip("not root and a member of no second group: cannot set another group")
    return groups[0]


@needs_acl
def test_forced_replacement_keeps_owner_group_setgid_and_acls(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", INPUT, "-o", out, *ARGS).exit_code == 0
    gid = other_group()
    os.chown(out, -1, gid)
    os.chmod(out, 0o2770)
    subprocess.run(["setfacl", "-m", "u:65534:rwx,d:u:65534:rwx,d:g::rwx,d:o::-", str(out)],
                   check=True)
    before, owner = getfacl(out), out.stat().st_uid
    assert "user:65534:rwx" in before and "default:user:65534:rwx" in before

    result = invoke("run", INPUT, "-o", out, "--force", *ARGS)

    assert result.exit_code == 0, result.output
    st = out.stat()
    assert (st.st_uid, st.st_gid) == (owner, gid)
    assert stat.S_IMODE(st.st_mode) == 0o2770
    assert getfacl(out) == before
    # what the old folder's default ACL gave anything created in it, the new output has too
    document = next(out.rglob("*.docx"))  # a letter or worksheet
    assert "user:65534:rw" in getfacl(document)
    assert document.stat().st_gid == gid
    assert "default:user:65534:rwx" in getfacl(document.parent)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@needs_acl
def test_a_new_output_folder_is_private_without_acls(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", INPUT, "-o", out, *ARGS).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "user:65534" not in getfacl(out)


@pytest.fixture
def mounted_out(tmp_path: Path):
    if not IS_ROOT:
        pytest.skip("mounting a tmpfs on the output folder needs root (CI runs as root)")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(out)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount -t tmpfs refused even as root (a container without CAP_SYS_ADMIN?): "
                    f"{done.stderr.strip()}")
    try:
        yield out
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


def test_a_mount_point_output_is_staged_inside_and_replaced_twice(
    mounted_out: Path, monkeypatch
) -> None:
    out, parent = mounted_out, mounted_out.parent
    assert os.path.ismount(out)
    import appeals.render.documents as documents

    real = documents.write_documents
    seen: list[list[str]] = []

    def spy(classified, staging, **kwargs):  # looks at the disks while the run writes
        seen.append(sorted(p.name for p in parent.iterdir() if p.name.startswith(".out")))
        assert Path(staging).parent == out  # staged on the mounted file system itself
        return real(classified, staging, **kwargs)

    monkeypatch.setattr(documents, "write_documents", spy)
    for _ in range(3):  # the first run fills the empty mount, the others replace it
        result = invoke("run", INPUT, "-o", out, "--force", *ARGS)
        assert result.exit_code == 0, result.output
        assert os.path.ismount(out)
        assert (out / "summary.xlsx").is_file() and any(out.rglob("*.docx"))
        assert sorted(p.name for p in out.iterdir()) == [
            "letters", "manifest.json", "summary.xlsx", "worksheets"]
        assert not [p for p in parent.iterdir() if p.name.startswith(".out")]
    assert seen == [[], [], []]
