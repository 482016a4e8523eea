"""practice.toml: the sample, placeholders for what is missing, clear errors."""

from __future__ import annotations

import pytest

from appeals.errors import ConfigError
from appeals.resources import templates_dir
from appeals.rules.practice import Practice, load_practice


def test_sample_practice_file_loads():
    practice = load_practice(templates_dir() / "practice.toml")
    assert practice.name == "Example Infusion Clinic"
    assert practice.address_lines == ("100 Sample Way", "Springfield, ST 00000")
    assert practice.signer_name and practice.signer_title
    # the sample leaves NPI and TIN for the office to fill: they stay placeholders
    assert practice.npi == "" and practice.tin == ""
    assert practice.missing() == ["npi", "tin"]


def test_no_file_means_every_field_is_a_placeholder():
    practice = load_practice(None)
    assert practice == Practice()
    assert "name" in practice.missing() and "signer_name" in practice.missing()


def test_partial_file_and_number_values(tmp_path):
    path = tmp_path / "practice.toml"
    path.write_text('[practice]\nname = "Clinic & Co"\nnpi = 1234567893\naddress = "1 Road\\nTown"\n')
    practice = load_practice(path)
    assert practice.name == "Clinic & Co" and practice.npi == "1234567893"
    assert practice.address_lines == ("1 Road", "Town")
    assert practice.phone == "" and practice.signer_name == ""


@pytest.mark.parametrize("text, message, row", [
    ('[practice]\nname = "x"\nnpi = 12-34\n', "not valid TOML", 3),
    ('[practice]\nname = unquoted\n', "not valid TOML", 2),
    ('[practice]\nnpl = "1"\n', "unknown key practice.npl", None),
    ('[office]\nname = "x"\n', "unknown section", None),
    ('[practice]\nname = true\n', "expected text", None),
    ('[practice]\naddress = [1, 2]\n', "list of address lines", None),
    ('practice = "x"\n', "must be a table", None),
])
def test_bad_files_name_file_line_and_fix(tmp_path, text, message, row):
    path = tmp_path / "practice.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_practice(path)
    assert info.value.file == str(path)
    assert info.value.row == row
    assert info.value.fix


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_practice(tmp_path / "nope.toml")
