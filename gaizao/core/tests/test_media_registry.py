"""core.media: the registry through which each app answers for its own files."""

import pytest

from gaizao.core import media


def test_every_upload_folder_has_its_app_checker():
    # Registered from the apps' AppConfig.ready(); the checkers live in their permissions.py.
    assert media.file_checker("surveys/a.jpg").__module__ == "gaizao.inventory.permissions"
    assert media.file_checker("ballots/a.jpg").__module__ == "gaizao.consultation.permissions"
    assert media.file_checker("feedback/a.jpg") is not None
    assert media.file_checker("other/a.jpg") is None
    assert media.may_see_file(object(), "other/a.jpg") is False


def test_a_prefix_has_one_checker():
    fn = media.file_checker("surveys/x")
    media.register_file_checker("surveys/", fn)  # the same one again: harmless
    with pytest.raises(ValueError):
        media.register_file_checker("surveys/", lambda user, name: True)
    with pytest.raises(ValueError):
        media.register_file_checker("surveys", fn)
