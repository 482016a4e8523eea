"""Small pieces of the web layer: the preview sanitiser, upload names and limits, escaping of
data in pages, and the library rule that only the CLI imports click."""

from __future__ import annotations

import subprocess
import sys

import pytest

from appeals.web.claims import markup_to_html
from appeals.web.uploads import safe_name


def test_preview_keeps_the_templates_tags_and_drops_any_other():
    markup = ('<p align="center">Hi &lt;script&gt;</p><script>x</script>'
              '<ph>[LCD number]</ph><table widths="1"><tr><td>a</td></tr></table>')
    assert markup_to_html(markup) == (
        '<p>Hi &lt;script&gt;</p>x<mark class="ph">[LCD number]</mark>'
        '<div class="scroll"><table class="doc"><tr><td>a</td></tr></table></div>')


@pytest.mark.parametrize(("sent", "saved"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\biller\\denials.csv", "denials.csv"),
    ("", "upload"), ("...", "upload"), ("remit <1>.835", "remit _1_.835"),
])
def test_upload_names_are_plain_and_stay_in_the_folder(sent, saved):
    assert safe_name(sent) == saved


def test_a_chunked_upload_stops_at_the_limit(client, token, data_dir):
    boundary = "b0undary"

    def body():
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
               'filename="big.csv"\r\n\r\n').encode()
        for _ in range(7):
            yield b"x" * 1_000_000
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post("/api/runs", content=body(), headers={
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and "limit of 5 MB" in r.json()["error"]
    assert list((data_dir / "runs").iterdir()) == []


def test_data_that_looks_like_html_is_shown_as_text(client, samples, token):
    folder, _ = samples
    raw = (folder / "denials_clearinghouse.csv").read_bytes()  # cp1252, names quoted
    line = raw.splitlines()[1]
    name = line.split(b'"')[1]
    hostile = raw.replace(name, b"<img src=x onerror=alert(1)>", 1)
    headers = {"Authorization": f"Bearer {token}"}
    run = client.post("/api/runs", files=[("files", ("ch.csv", hostile))],
                      headers=headers).json()
    claim = line.split(b",")[0].decode()
    page = client.get(f"/runs/{run['run_id']}/claims/{claim}", headers=headers).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_web_layer_does_not_import_click():
    code = ("import sys, appeals.web, appeals.web.api, appeals.web.pages, appeals.web.work; "
            "print('click' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_two_claims_sharing_an_id_keep_their_own_documents(client, samples, token):
    folder, _ = samples
    raw = (folder / "denials_clearinghouse.csv").read_bytes().splitlines()
    header, first = raw[0], [r for r in raw[1:] if r.startswith(b"CH-5001,")]
    other = [r.replace(b"ZZC000201", b"ZZC999999").replace(b"Palmetto GBA JM", b"Aetna")
             for r in first]
    body = b"\r\n".join([header, *first, *other]) + b"\r\n"
    headers = {"Authorization": f"Bearer {token}"}
    run = client.post("/api/runs", files=[("files", ("twins.csv", body))], headers=headers)
    assert run.status_code == 200, run.text
    run_id = run.json()["run_id"]
    rows = client.get(f"/api/runs/{run_id}/queue?status=all", headers=headers).json()["rows"]
    docs = {(r["payer"], r["letter"] or r["worksheet"]) for r in rows
            if r["claim_id"] == "CH-5001" and r["status"] == "denied"}
    assert len({payer for payer, _ in docs}) == 2
    assert len({doc for _, doc in docs}) == 2 and "" not in {doc for _, doc in docs}
    refs = {r["claim"] for r in rows if r["claim_id"] == "CH-5001"}
    assert refs == {"CH-5001~1", "CH-5001~2"}  # each claim its own page
    for ref in refs:
        assert client.get(f"/runs/{run_id}/claims/{ref}", headers=headers).status_code == 200
