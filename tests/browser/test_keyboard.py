"""Keyboard use: the skip link is the first stop and takes focus to the main content."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "skip_text"),
    [("/", "本文へ移動"), ("/en/", "Skip to main content")],
)
def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(page: Page, path, skip_text):
    page.goto(path)
    skip_link = page.get_by_role("link", name=skip_text)
    expect(skip_link).not_to_be_in_viewport()  # hidden until focused

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused

    page.keyboard.press("Enter")

    main = page.locator("main#main")
    expect(main).to_be_focused()
    assert page.url.endswith("#main")
    # The next Tab goes on from the main content, not back to the header.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const active = document.activeElement;
            return {
                html: active.outerHTML.slice(0, 200),
                afterMainStart: active !== document.body && (main.contains(active)
                    || !!(main.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING)),
            };
        }"""
    )
    assert focused["afterMainStart"], focused["html"]
