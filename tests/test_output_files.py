"""Output paths of the command line are checked before any work: a one-line InputError naming the option."""

import pytest

from lightdose.errors import InputError
from lightdose.output_files import writable_path


def test_a_file_in_an_existing_folder_is_accepted_and_nothing_is_created(tmp_path):
    target = tmp_path / "plot.png"
    assert writable_path(str(target), "--png") == target
    assert not target.exists()
    target.write_bytes(b"old")
    assert writable_path(target, "--png") == target  # an existing file is overwritten later


@pytest.mark.parametrize(("relative", "message"), [
    ("missing/plot.png", "is not an existing folder"),
    ("a-file/plot.png", "is not an existing folder"),
    (".", "is a folder"),
])
def test_unwritable_places_name_the_option_and_the_path(tmp_path, relative, message):
    (tmp_path / "a-file").write_text("not a folder")
    path = tmp_path / relative
    with pytest.raises(InputError, match=rf"^--png: '{path}'.*{message}; allowed: a file name in an existing, "
                                         "writable folder"):
        writable_path(path, "--png")
    assert not (tmp_path / "missing").exists()
