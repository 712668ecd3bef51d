"""Headless Chromium for the browser tests: Debian's, driven by Playwright."""

from contextlib import contextmanager

from playwright.sync_api import sync_playwright

# Debian's chromium (installed by `make system-packages`), never a browser download of Playwright's.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_page(width: int = 1280, height: int = 720):
    """A page in headless Chromium. Playwright runs an event loop in this thread while it is open,
    so the test reads the database before and after, never inside (Django refuses it there).

    Anything the pages' Content-Security-Policy blocked fails the test: the pages must work
    under it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(15_000)
            blocked: list[str] = []
            page.on(
                "console",
                lambda message: (
                    blocked.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            yield page
            assert blocked == []
        finally:
            browser.close()
