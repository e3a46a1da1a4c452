"""Redraw the README's screenshots of the chat page and the site widget.

    python tools/screenshots.py [--out docs]

Starts `faqbot serve` (the bundled FAQ) on a free port of 127.0.0.1, drives headless Chromium
(Debian's `chromium` and `chromium-driver`, with Selenium from the test extra) through a short
conversation, and writes chat-page.png and widget.png. Light mode, as most readers see it.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parent.parent
CONVERSATION = ["how does magnesium help my muscles", "what foods have it?", "I have chest pain"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _browser(width: int, height: int) -> WebDriver:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        raise SystemExit("screenshots: needs chromium and chromedriver (apt-get install chromium "
                         "chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))


def _ask(driver: WebDriver, question: str) -> None:
    before = len(driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot"))
    driver.find_element(By.ID, "question").send_keys(question, Keys.ENTER)
    WebDriverWait(driver, 15).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log .msg.bot")) > before)


def chat_page(url: str, out: Path) -> None:
    driver = _browser(760, 1040)
    try:
        driver.get(url + "/")
        for question in CONVERSATION:
            _ask(driver, question)
        driver.find_elements(By.CSS_SELECTOR, "#log .why-toggle")[1].click()
        driver.execute_script("const log = document.getElementById('log'); "
                              "log.scrollTop = log.scrollHeight")
        driver.find_element(By.ID, "question").send_keys("and potassium?")
        time.sleep(0.3)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def widget(url: str, out: Path) -> None:
    driver = _browser(1200, 800)
    try:
        driver.get(url + "/demo")
        host = WebDriverWait(driver, 15).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "div.faqbot-widget"))[0]
        host.shadow_root.find_element(By.CSS_SELECTOR, "button.toggle").click()
        driver.switch_to.frame(host.shadow_root.find_element(By.CSS_SELECTOR, "iframe"))
        WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log .greeting"))
        _ask(driver, "can stress make my calves twitch?")
        driver.switch_to.default_content()
        time.sleep(0.3)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder (default: docs)")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("screenshots: faqbot serve did not start") from None
                time.sleep(0.1)
        chat_page(url, args.out / "chat-page.png")
        widget(url, args.out / "widget.png")
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"wrote {args.out / 'chat-page.png'} and {args.out / 'widget.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
