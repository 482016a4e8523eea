"""The page in a real browser (Debian's chromium through Playwright): drop the samples,
work the queue, fill a blank, download the letter, mark it submitted; a screenshot of each
page at 1280 and 390 pixels wide goes to tests/web/screenshots/ (git-ignored)."""

from __future__ import annotations

import csv
from pathlib import Path

import docx
import pytest

SHOTS = Path(__file__).resolve().parent / "screenshots"
WIDTHS = (1280, 390)
FILL_VALUE = "PO Box 0 (fictional)"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")
        path = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000, path
    page.set_viewport_size({"width": 1280, "height": 900})


def unlabelled_controls(page) -> list[str]:
    """Visible inputs, selects, textareas and buttons a screen reader could not name."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea, button')].filter(el => {
          const hiddenFile = el.type === 'file' && el.labels.length;
          if (hiddenFile) return false;
          const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
                        || (el.tagName === 'BUTTON' && el.textContent.trim());
          return !named;
        }).map(el => el.outerHTML.slice(0, 80))""")


@pytest.fixture(scope="module")
def page(browser, live_server, token):
    page = browser.new_page()
    page.violations = []
    page.on("console", lambda m: page.violations.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    page.goto(f"{live_server}/?token={token}")
    yield page
    page.close()


def test_token_link_signs_in_and_leaves_the_address_bar(page, live_server):
    assert page.url == f"{live_server}/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Drop denial exports")
    assert unlabelled_controls(page) == []
    shoot(page, "1-start")


def test_a_file_that_cannot_be_read_gets_its_message_beside_it(page, live_server, tmp_path):
    page.goto(f"{live_server}/")
    bad = tmp_path / "wrong_file.csv"
    bad.write_text("hello,world\n1,2\n", encoding="utf-8")
    page.set_input_files("#files", [str(bad)])
    page.get_by_role("button", name="Read and write letters").click()
    note = page.locator("#chosen li", has_text="wrong_file.csv").locator(".file-error")
    note.wait_for(timeout=60_000)
    assert note.inner_text().startswith("wrong_file.csv: no header row found")
    assert "None of the files could be read" in page.locator("#upload-error").inner_text()
    assert page.url == f"{live_server}/"
    shoot(page, "1b-unreadable-file")


def test_drop_samples_and_a_bad_file_then_work_the_queue(page, tmp_path, samples):
    folder, names = samples
    bad = tmp_path / "not_an_export.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    page.set_input_files("#files", [str(folder / n) for n in names] + [str(bad)])
    assert page.locator("#chosen li").count() == 4
    page.get_by_role("button", name="Read and write letters").click()
    page.wait_for_url("**/runs/*", timeout=90_000)
    assert page.locator("#lines-read").inner_text() == "69"
    assert page.locator("#rows-rejected").inner_text() == "5"
    bad_item = page.locator(".files li", has_text="not_an_export.csv")
    assert "not read" in bad_item.inner_text()
    assert "no header row found" in bad_item.locator(".file-error").inner_text()

    expected = {}
    with (folder / "expected_classification.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["expected"] not in ("paid", "out_of_scope", "rejected"):
                expected.setdefault(row["claim_id"], set()).add(row["procedure_code"])
    shown = {}
    for row in page.locator("#queue tbody tr").all():
        cells = row.locator("td")
        shown.setdefault(cells.nth(1).inner_text(), set()).add(cells.nth(2).inner_text())
    for claim, codes in expected.items():
        assert shown.get(claim, set()) >= codes, claim
    dates = [d for d in page.locator("#queue tbody td[data-label=Deadline]").all_inner_texts()]
    firsts = [d.split()[0] for d in dates if d]
    assert firsts == sorted(firsts), "overdue (earliest deadline) first"
    assert unlabelled_controls(page) == []
    shoot(page, "2-run")

    page.select_option("#f-pattern", "units_over_cap")
    page.get_by_role("button", name="Filter").click()
    patterns = page.locator("#queue tbody td[data-label=Pattern]").all_inner_texts()
    assert patterns and set(patterns) == {"units over cap"}


def test_open_a_claim_fill_a_blank_download_the_letter_and_mark_it_submitted(page):
    # SCIG-1003 is a redetermination (a line to add): a letter (a Medicare reopening gets
    # a script instead; PP-3003, billed at a facility POS, goes to the facility)
    page.goto(page.url.split("?")[0] + "?q=SCIG-1003")
    page.get_by_role("link", name="SCIG-1003").first.click()
    page.wait_for_url("**/claims/SCIG-1003")
    assert page.get_by_role("heading", level=1).inner_text() == "Claim SCIG-1003"
    assert "96371" in page.locator("#preview-letters").inner_text()
    label = page.locator("#fills label", has_text="payer appeal address")
    field = page.locator("#" + label.get_attribute("for"))
    field.fill(FILL_VALUE)
    page.get_by_role("button", name="Save and write the documents again").click()
    page.wait_for_function("() => document.querySelector('#preview-letters').innerText"
                           f".includes({FILL_VALUE!r})", timeout=30_000)
    assert page.locator("#fills input[value]").evaluate_all(
        "els => els.map(e => e.value)").count(FILL_VALUE) == 1

    with page.expect_download() as info:
        page.locator("#dl-letter").click()
    saved = Path(info.value.path())
    text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    text += "\n".join(c.text for t in docx.Document(str(saved)).tables
                      for r in t.rows for c in r.cells)
    assert FILL_VALUE in text
    assert "[payer appeal address]" not in text

    page.select_option("#sub-how", "portal")
    page.fill("#sub-date", "2026-05-01")
    page.get_by_role("button", name="Mark submitted").click()
    page.wait_for_function("() => document.querySelector('#claim-state').innerText"
                           " === 'submitted'", timeout=15_000)
    assert "2026-05-01: submitted by portal" in page.locator("#history").inner_text()
    assert unlabelled_controls(page) == []
    shoot(page, "3-claim")


def test_settings_save_the_practice(page, live_server):
    page.goto(f"{live_server}/settings")
    page.fill("#p-name", "Example Infusion Clinic (fictional)")
    page.locator("#practice").get_by_role("button", name="Save the practice").click()
    page.wait_for_function("() => document.querySelector('#practice .form-status')"
                           ".innerText === 'Saved.'")
    page.reload()
    assert page.input_value("#p-name") == "Example Infusion Clinic (fictional)"
    assert unlabelled_controls(page) == []
    shoot(page, "4-settings")


def test_keyboard_reaches_the_drop_zone_and_nothing_broke_the_policy(page, live_server):
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    seen = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert "files" in seen, seen
    assert page.violations == []
