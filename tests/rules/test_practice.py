"""practice.toml: the sample, placeholders for what is missing, clear errors."""

from __future__ import annotations

import pytest

from appeals.errors import ConfigError
from appeals.resources import templates_dir
from appeals.rules.practice import Practice, load_practice


def test_sample_practice_file_loads_as_placeholders_until_edited(tmp_path):
    sample = templates_dir() / "practice.toml"
    practice = load_practice(sample)
    # the shipped example values are not an office's details: they stay placeholders
    assert practice.name == "" and practice.address_lines == () and practice.signer_name == ""
    assert set(practice.missing()) == {"name", "address_lines", "phone", "fax", "email", "npi",
                                       "tin", "signer_name", "signer_title"}
    edited = tmp_path / "practice.toml"
    edited.write_text(sample.read_text(encoding="utf-8").replace(
        "Example Infusion Clinic", "Northside Infusion").replace("Alex Example", "Sam Doe"),
        encoding="utf-8")
    practice = load_practice(edited)
    assert (practice.name, practice.signer_name) == ("Northside Infusion", "Sam Doe")
    assert practice.phone == ""  # still the sample's


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
