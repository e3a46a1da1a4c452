"""The chat page and the site widget in a real browser: headless Chromium driven by Selenium,
against real `faqbot serve` processes on free ports of 127.0.0.1.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them these
tests skip, except in CI (CI set), where a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import REPO, TINY_FAQ

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
_MISSING = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not path]
if _MISSING:
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the browser tests, but {' and '.join(_MISSING)} "
                           f"{'is' if len(_MISSING) == 1 else 'are'} missing")
    pytest.skip(f"{' and '.join(_MISSING)} not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402  (after the skip: only needed with a browser)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

KEY = "sk-browser-test"
MARKUP = ("<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> "
          "Stretch your calves before a run.")
# A small FAQ built to ask "did you mean": with these thresholds nothing is certain enough to
# answer outright, and the two cramp entries are too close to call. One answer holds markup.
CLARIFY_FAQ = TINY_FAQ.replace("""  potassium:
    label: potassium
    words: [potassium]
""", """  potassium:
    label: potassium
    words: [potassium]
  cramps:
    label: leg cramps
    words: [cramp, cramps]
""").replace("""  foods:
    label: foods
    words: [food, foods, eat]
""", """  foods:
    label: foods
    words: [food, foods, eat]
  night:
    label: at night
    words: [night]
  running:
    label: when running
    words: [running, run]
""") + f"""  - id: cramps-night
    subjects: [cramps]
    facet: night
    section: Cramps
    question: Why do my legs cramp at night?
    alternatives: [leg cramps at night, night leg cramps]
    answer: Night cramps often come with tired muscles.
  - id: cramps-running
    subjects: [cramps]
    facet: running
    section: Cramps
    question: Why do my legs cramp when running?
    alternatives: [leg cramps when running, running leg cramps]
    answer: '{MARKUP}'
thresholds:
  answer: 1.0
  clarify: 0.0
  margin: 1.0
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start `faqbot serve ARGS...` on a free port; returns its base URL. Stopped at the end."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> str:
        port = _free_port()
        log = tmp_path_factory.mktemp("serve") / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), *args],
                                    cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"faqbot serve exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("faqbot serve did not start")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def bundled(serve: Any) -> str:
    """The bundled FAQ, served with an API key: the page must work without knowing it."""
    return str(serve("--api-key", KEY))


@pytest.fixture(scope="module")
def clarifying(serve: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("faq") / "clarify.yaml"
    path.write_text(CLARIFY_FAQ, encoding="utf-8")
    return str(serve("--faq", str(path)))


@pytest.fixture(scope="module")
def limited(serve: Any) -> str:
    return str(serve("--rate-limit", "2/minute"))


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1100,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait(driver: WebDriver, condition: Any, timeout: float = 15) -> Any:
    return WebDriverWait(driver, timeout).until(condition)


def open_page(driver: WebDriver, url: str) -> None:
    """The chat page with a fresh conversation (and the console log of earlier tests drained)."""
    driver.get_log("browser")
    driver.get(url + "/")
    driver.execute_script("window.sessionStorage.clear()")
    driver.get(url + "/")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#log .greeting"))


def replies(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot:not(.greeting), #log .msg.error")


def ask(driver: WebDriver, question: str) -> WebElement:
    """Type `question`, press Enter, and return the reply's bubble."""
    before = len(replies(driver))
    box = driver.find_element(By.ID, "question")
    box.send_keys(question, Keys.ENTER)
    wait(driver, lambda d: len(replies(d)) > before)
    return replies(driver)[-1]


def reply_text(bubble: WebElement) -> str:
    return str(bubble.find_element(By.CSS_SELECTOR, ".text").get_property("textContent"))


def no_page_errors(driver: WebDriver) -> None:
    """No script error and no CSP violation in the console."""
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


# -- the page ------------------------------------------------------------------------------


def test_the_page_answers_a_question(browser: WebDriver, bundled: str) -> None:
    open_page(browser, bundled)
    assert "not a doctor" in browser.find_element(By.ID, "disclaimer").text
    bubble = ask(browser, "which foods have magnesium?")
    assert "kind-answer" in str(bubble.get_attribute("class"))
    assert "magnesium" in reply_text(bubble).lower()
    user = browser.find_elements(By.CSS_SELECTOR, "#log .msg.user")
    assert [reply_text(u) for u in user] == ["which foods have magnesium?"]
    assert browser.switch_to.active_element == browser.find_element(By.ID, "question")
    no_page_errors(browser)


def test_a_follow_up_uses_the_conversation_even_after_a_reload(browser: WebDriver,
                                                                bundled: str) -> None:
    foods = httpx.post(f"{bundled}/chat/ask", json={"question": "which foods are rich in magnesium?"},
                       timeout=10).json()["text"]
    open_page(browser, bundled)
    first = ask(browser, "how does magnesium help my muscles")
    assert reply_text(first) != foods
    browser.refresh()  # the conversation lives in sessionStorage, not on the server
    wait(browser, lambda d: len(replies(d)) == 1)
    assert reply_text(ask(browser, "what foods have it?")) == foods


def test_new_conversation_forgets_the_topic(browser: WebDriver, bundled: str) -> None:
    open_page(browser, bundled)
    ask(browser, "how does magnesium help my muscles")
    browser.find_element(By.ID, "new").click()
    assert replies(browser) == []
    assert browser.execute_script("return JSON.parse(sessionStorage.getItem('faqbot.chat.v1'))") == {
        "state": None, "turns": []}


def test_a_red_flag_is_styled_urgent(browser: WebDriver, bundled: str) -> None:
    open_page(browser, bundled)
    calm = ask(browser, "which foods have magnesium?")
    urgent = ask(browser, "I have chest pain")
    assert "kind-urgent" in str(urgent.get_attribute("class"))
    assert urgent.find_element(By.CSS_SELECTOR, ".badge").text == "URGENT"
    assert urgent.value_of_css_property("border-left-width") == "8px"
    assert urgent.value_of_css_property("background-color") != calm.value_of_css_property(
        "background-color")
    label = urgent.find_element(By.CSS_SELECTOR, ".visually-hidden").get_property("textContent")
    assert label == "faqbot, urgent: "


def test_why_shows_the_reason(browser: WebDriver, bundled: str) -> None:
    open_page(browser, bundled)
    bubble = ask(browser, "which foods have magnesium?")
    toggle = bubble.find_element(By.CSS_SELECTOR, ".why-toggle")
    detail = bubble.find_element(By.CSS_SELECTOR, ".why-detail")
    assert not detail.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    toggle.send_keys(Keys.ENTER)  # a button: the keyboard works as well as the mouse
    assert detail.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
    assert "matched" in detail.text and "(magnesium-foods)" in detail.text


def test_the_page_is_labelled_for_screen_readers(browser: WebDriver, bundled: str) -> None:
    open_page(browser, bundled)
    log = browser.find_element(By.ID, "log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert browser.find_element(By.CSS_SELECTOR, "label[for=question]").get_property(
        "textContent") == "Your question"


def test_the_page_fits_a_phone(browser: WebDriver, bundled: str) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(browser, bundled)
        ask(browser, "which foods have magnesium?")
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert width == 375
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        send = browser.find_element(By.ID, "send")
        assert send.location["x"] + send.size["width"] <= width
        assert browser.find_element(By.ID, "question").value_of_css_property("font-size") == "16px"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_colours_follow_the_system(browser: WebDriver, bundled: str, scheme: str) -> None:
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}]})
    try:
        open_page(browser, bundled)
        red, green, blue = (int(c) for c in browser.find_element(By.TAG_NAME, "body")
                            .value_of_css_property("background-color")[5:-1].split(",")[:3])
        assert (red + green + blue < 100) == (scheme == "dark")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_the_page_says_when_the_rate_limit_is_reached(browser: WebDriver, limited: str) -> None:
    open_page(browser, limited)
    ask(browser, "which foods have magnesium?")
    ask(browser, "and potassium?")
    refused = ask(browser, "and calcium?")
    assert "error" in str(refused.get_attribute("class"))
    assert reply_text(refused).startswith("Too many questions from your connection: please try "
                                          "again in ")


def test_the_api_still_needs_the_key(bundled: str) -> None:
    assert httpx.post(f"{bundled}/v1/ask", json={"question": "hi"}, timeout=10).status_code == 401


# -- did you mean, and markup in a reply -----------------------------------------------------


def test_a_did_you_mean_button_answers_that_question(browser: WebDriver, clarifying: str) -> None:
    open_page(browser, clarifying)
    bubble = ask(browser, "leg cramps")
    assert "kind-clarify" in str(bubble.get_attribute("class"))
    buttons = bubble.find_elements(By.CSS_SELECTOR, ".choices button")
    assert [b.text for b in buttons] == ["Why do my legs cramp at night?",
                                         "Why do my legs cramp when running?"]
    assert "1. Why do my legs cramp" not in reply_text(bubble)  # the buttons replace the list
    buttons[0].click()
    wait(browser, lambda d: len(replies(d)) == 2)
    assert reply_text(replies(browser)[-1]) == "Night cramps often come with tired muscles."
    assert reply_text(browser.find_elements(By.CSS_SELECTOR, "#log .msg.user")[-1]) == (
        "Why do my legs cramp at night?")
    assert all(not b.is_enabled() for b in buttons)


def test_markup_in_a_reply_is_shown_as_text(browser: WebDriver, clarifying: str) -> None:
    open_page(browser, clarifying)
    bubble = ask(browser, "leg cramps")
    bubble.find_elements(By.CSS_SELECTOR, ".choices button")[1].click()
    wait(browser, lambda d: len(replies(d)) == 2)
    answer = replies(browser)[-1]
    assert reply_text(answer) == MARKUP
    assert "<script>" in answer.text and "onerror" in answer.text
    assert browser.find_elements(By.CSS_SELECTOR, "#log img, #log script") == []
    assert browser.execute_script("return window.pwned === undefined")


# -- the widget ----------------------------------------------------------------------------


def shown(element: WebElement) -> bool:
    """Whether the element is drawn (read from the computed style, which works in a shadow root)."""
    return element.value_of_css_property("display") != "none"


def widget(driver: WebDriver) -> Any:
    host = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "div.faqbot-widget"))[0]
    return host.shadow_root


def test_the_widget_opens_on_the_demo_page_and_chats(browser: WebDriver, bundled: str) -> None:
    browser.get_log("browser")
    browser.get(bundled + "/demo")
    root = widget(browser)
    toggle = root.find_element(By.CSS_SELECTOR, "button.toggle")
    panel = root.find_element(By.CSS_SELECTOR, ".panel")
    assert not shown(panel) and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-label") == "Open the chat: Ask about calf twitching"
    toggle.click()
    assert shown(panel) and toggle.get_attribute("aria-expanded") == "true"
    frame = root.find_element(By.CSS_SELECTOR, "iframe")
    browser.switch_to.frame(frame)
    try:
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#log .greeting"))
        assert browser.find_element(By.ID, "title").text == "Ask about calf twitching"
        wait(browser, lambda d: d.switch_to.active_element == d.find_element(By.ID, "question"))
        assert "magnesium" in reply_text(ask(browser, "which foods have magnesium?")).lower()
        browser.find_element(By.ID, "close").click()  # the frame asks the widget to close
    finally:
        browser.switch_to.default_content()
    wait(browser, lambda d: not shown(panel))
    assert toggle.get_attribute("aria-expanded") == "false"
    no_page_errors(browser)


@pytest.fixture(scope="module")
def other_site(bundled: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page on another site (localhost, not 127.0.0.1) that embeds the widget with options."""
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>Another site</title></head><body><p>Hello.</p>"
        f'<script src="{bundled}/widget.js" data-title="Clinic help" data-position="left" '
        'data-open="true" data-color="#aa0000" async></script></body></html>', encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_widget_options_on_another_site(browser: WebDriver, other_site: str) -> None:
    browser.get(other_site)
    root = widget(browser)
    panel = root.find_element(By.CSS_SELECTOR, ".panel")
    wait(browser, lambda d: shown(panel))  # data-open
    toggle = root.find_element(By.CSS_SELECTOR, "button.toggle")
    assert toggle.location["x"] < 100  # data-position="left"
    assert toggle.value_of_css_property("background-color") == "rgba(170, 0, 0, 1)"
    assert browser.switch_to.active_element.tag_name == "body"  # opening on load takes no focus
    browser.switch_to.frame(root.find_element(By.CSS_SELECTOR, "iframe"))
    try:
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#log .greeting"))
        assert browser.find_element(By.ID, "title").text == "Clinic help"
        assert browser.find_element(By.CSS_SELECTOR, ".bar").value_of_css_property(
            "background-color") == "rgba(170, 0, 0, 1)"
        assert "kind-answer" in str(ask(browser, "which foods have magnesium?").get_attribute("class"))
    finally:
        browser.switch_to.default_content()
    # keyboard only: Enter on the button closes and opens; Escape in the chat closes it
    browser.execute_script("arguments[0].focus()", toggle)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait(browser, lambda d: not shown(panel))
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait(browser, lambda d: shown(panel))
    browser.switch_to.frame(root.find_element(By.CSS_SELECTOR, "iframe"))
    try:
        wait(browser, lambda d: d.switch_to.active_element == d.find_element(By.ID, "question"))
        ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    finally:
        browser.switch_to.default_content()
    wait(browser, lambda d: not shown(panel))
