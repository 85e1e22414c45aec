#!/usr/bin/env python3
"""Drives Depot's web console in headless Chromium (Selenium + chromedriver) for ConsoleBrowserTests.

Usage: console_browser.py BASE_URL ADMIN_TOKEN ARTIFACTS_DIR BUILD_SOURCE_DIR GIT_REPOSITORY DEPOT_BIN
Expects domain `acme`, repository `main` and npm package `depot-console-demo` 1.0.0 whose README holds a
<script> and a javascript: link; BUILD_SOURCE_DIR holds a buildspec that prints `live-log-first`, sleeps, then
prints `live-log-marker`; GIT_REPOSITORY is a git repository with a `main` branch (a pipeline's source); DEPOT_BIN is the CLI
(`depot login --tool browser` prints a one-time sign-in link). Saves screenshots (desktop and phone widths) and axe-core reports into
ARTIFACTS_DIR, prints one line per step, and exits 1 with the failed check on the last line.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, admin_token, artifacts, build_source, git_repository, depot_bin = sys.argv[1].rstrip("/"), *sys.argv[2:7]
os.makedirs(artifacts, exist_ok=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_h1(driver, predicate, message):
    """Waits for the next page's h1 after a click (the old page's elements go stale as it navigates)."""
    try:
        WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: predicate(d.find_element(By.TAG_NAME, "h1").text))
    except Exception:
        raise AssertionError(message)


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def axe_check(driver, name):
    """axe-core from the axe-selenium-python package (offline): no serious or critical violations."""
    import axe_selenium_python

    script = os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
    with open(script, encoding="utf-8") as handle:
        source = handle.read()
    # Injected through the driver, not a <script> of the page: the console's CSP forbids inline script.
    driver.execute_script(source)
    result = driver.execute_async_script("const done = arguments[arguments.length - 1]; axe.run().then(done, e => done({error: String(e)}));")
    check("error" not in result, f"axe failed on {name}: {result.get('error')}")
    with open(os.path.join(artifacts, f"axe-{name}.json"), "w", encoding="utf-8") as handle:
        json.dump(result["violations"], handle, indent=2)
    serious = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    check(not serious, f"axe: serious or critical violations on {name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in serious))
    print(f"axe {name}: {len(result['violations'])} minor violations, none serious")


def shoot(driver, name):
    for label, width, height in (("desktop", 1280, 900), ("phone", 390, 844)):
        driver.set_window_size(width, height)
        driver.save_screenshot(os.path.join(artifacts, f"{name}-{label}.png"))
        if label == "phone":
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            check(overflow <= 1, f"{name} scrolls sideways at phone width by {overflow}px")
    driver.set_window_size(1280, 900)


def sign_in(driver, token):
    driver.get(base + "/ui/signin")
    field = driver.find_element(By.ID, "token")
    check(driver.find_element(By.CSS_SELECTOR, "label[for=token]").text == "Token", "the token field has a label")
    field.send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "sign-out")))


def api(method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


PIPELINE = """
name: console-release
stages:
  - name: Source
    actions:
      - name: Checkout
        category: Source
        provider: Git
        configuration: {Repository: "%s", Branch: main}
        outputArtifacts: [SourceOutput]
  - name: Approve
    actions:
      - name: Gate
        category: Approval
        provider: Manual
  - name: Deploy
    actions:
      - name: Announce
        category: Invoke
        provider: Shell
        configuration: {Command: "echo deployed"}
"""


def wait_action(execution_id, stage, action, status, seconds=120):
    """Polls the API until the action has `status`."""
    def current(_):
        _, detail = api("GET", f"/api/v1/domains/acme/pipelines/console-release/executions/{execution_id}", admin_token)
        for s in detail.get("stages", []):
            for a in s.get("actions", []):
                if s["name"] == stage and a["name"] == action:
                    return a.get("status") == status
        return False
    try:
        WebDriverWait(None, seconds, poll_frequency=0.3).until(current)
    except Exception:
        raise AssertionError(f"{stage}/{action} never became {status}")


def main():
    driver = make_driver()
    try:
        # Sign-in page, then sign in with the admin token.
        driver.get(base + "/ui/signin")
        shoot(driver, "signin")
        axe_check(driver, "signin")
        sign_in(driver, admin_token)
        check("Domains" in driver.find_element(By.TAG_NAME, "h1").text, "home lists the domains")
        shoot(driver, "home")
        axe_check(driver, "home")
        print("signed in")

        # Domain -> repository -> package -> version, by clicking links.
        driver.find_element(By.LINK_TEXT, "acme").click()
        wait_h1(driver, lambda t: t == "Domain acme", "domain page")
        shoot(driver, "domain")
        axe_check(driver, "domain")
        driver.find_element(By.LINK_TEXT, "main").click()
        wait_h1(driver, lambda t: t == "Repository main", "repository page")
        shoot(driver, "repository")
        axe_check(driver, "repository")

        # Copy snippets: a copy button next to each set-up snippet, and it copies.
        buttons = driver.find_elements(By.CSS_SELECTOR, "button.copy")
        check(len(buttons) >= 7, f"copy buttons for every client (found {len(buttons)})")
        snippets = driver.find_element(By.TAG_NAME, "main").get_attribute("textContent")
        for tool in ("npm", "pip", "uv", "twine", "maven", "cargo", "swift"):
            check(f"depot login --tool {tool}" in snippets, f"set-up snippet for {tool}")
        first = driver.find_element(By.CSS_SELECTOR, "details summary")
        first.click()
        button = driver.find_element(By.CSS_SELECTOR, "details[open] button.copy")
        button.click()
        WebDriverWait(driver, 5).until(lambda d: button.text in ("Copied", "Copy"))
        print("snippets present")

        # Search by prefix and format.
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys("depot-console")
        driver.find_element(By.ID, "search").click()
        WebDriverWait(driver, 10).until(EC.url_contains("q=depot-console"))
        check(driver.find_elements(By.LINK_TEXT, "depot-console-demo"), "search finds the package")
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys("nothing-like-this")
        driver.find_element(By.ID, "search").click()
        WebDriverWait(driver, 10).until(EC.url_contains("q=nothing-like-this"))
        check("No package matches" in driver.page_source, "search with no match says so")
        driver.back()
        print("search works")

        driver.find_element(By.LINK_TEXT, "depot-console-demo").click()
        wait_h1(driver, lambda t: t == "depot-console-demo", "package page")
        check("npm install depot-console-demo@1.0.0" in driver.page_source, "install line")
        shoot(driver, "package")
        axe_check(driver, "package")
        driver.find_element(By.LINK_TEXT, "1.0.0").click()
        wait_h1(driver, lambda t: "1.0.0" in t, "version page")
        readme = driver.find_element(By.ID, "readme")
        check(readme.find_elements(By.TAG_NAME, "h2"), "README headings rendered")
        check("<script>" in readme.text, "the README's <script> shows as text")
        check(not readme.find_elements(By.TAG_NAME, "script"), "no script element in the README")
        for link in readme.find_elements(By.TAG_NAME, "a"):
            check(link.get_attribute("href").startswith(("http:", "https:", "mailto:")), f"inert links only: {link.get_attribute('href')}")
        check(driver.execute_script("return window.__depotXSS === undefined"), "the README's script never ran")
        shoot(driver, "version")
        axe_check(driver, "version")
        print("README rendered inert")

        # Mint a token (shown once), then revoke it.
        driver.get(base + "/ui/domains/acme/tokens")
        driver.find_element(By.ID, "token-name").send_keys("browser-made")
        driver.find_element(By.ID, "token-hours").clear()
        driver.find_element(By.ID, "token-hours").send_keys("1")
        driver.find_element(By.ID, "mint-token").click()
        secret = WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.ID, "new-token"))).text.strip()
        token_id = driver.find_element(By.ID, "new-token-id").text.strip()
        check(secret.startswith("dpt_"), "the new token is shown")
        shoot(driver, "tokens")
        axe_check(driver, "tokens")
        check(api("GET", "/api/v1/domains/acme/repositories", secret)[0] == 200, "the minted token works")
        driver.get(base + "/ui/domains/acme/tokens")
        check(secret not in driver.page_source, "the secret is shown once")
        driver.find_element(By.CSS_SELECTOR, f"#token-{token_id} button.danger").click()
        WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: d.find_element(By.CSS_SELECTOR, f"#token-{token_id} .state").text == "revoked")
        check(api("GET", "/api/v1/domains/acme/repositories", secret)[0] == 401, "the revoked token is refused")
        print("minted and revoked a token")

        # A form post without the CSRF token is refused (the page's own form, its hidden field removed).
        driver.get(base + "/ui/domains/acme/tokens")
        driver.execute_script("document.querySelector('form.card input[name=csrf]').remove()")
        driver.find_element(By.ID, "mint-token").click()
        wait_h1(driver, lambda t: "403" in t, "a post without the CSRF token gets 403")
        print("CSRF enforced")

        # A build's log appears live (Server-Sent Events) while the build runs.
        status, _ = api("POST", "/api/v1/domains/acme/projects", admin_token,
                        {"name": "live", "repository": "main", "sourceDirectory": build_source})
        check(status == 201, f"create a project ({status})")
        status, build = api("POST", "/api/v1/domains/acme/projects/live/builds", admin_token, {})
        check(status == 202, f"start a build ({status})")
        driver.get(base + f"/ui/domains/acme/builds/{build['id']}")
        initial = driver.find_element(By.ID, "build-status").text
        check(initial in ("QUEUED", "IN_PROGRESS"), f"the build page opened while the build runs ({initial})")
        check(driver.find_element(By.ID, "log").get_attribute("data-events"), "a running build's log follows live")
        check("live-log-marker" not in driver.find_element(By.ID, "log").text, "the marker is not printed yet")
        WebDriverWait(driver, 60).until(lambda d: "live-log-first" in d.find_element(By.ID, "log").text)
        WebDriverWait(driver, 60).until(lambda d: "live-log-marker" in d.find_element(By.ID, "log").text)
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "build-status").text == "SUCCEEDED")
        check("BUILD" in driver.page_source, "phases listed")
        driver.refresh()
        check("live-log-marker" in driver.find_element(By.ID, "log").text, "the ended build's log is kept")
        shoot(driver, "build")
        axe_check(driver, "build")
        print("live build log")

        # A pipeline execution: stages and actions as boxes; approve its waiting action in the browser and see it continue.
        status, _ = api("POST", "/api/v1/domains/acme/pipelines", admin_token, {"definition": PIPELINE % git_repository})
        check(status == 201, f"create a pipeline ({status})")
        status, started = api("POST", "/api/v1/domains/acme/pipelines/console-release/executions", admin_token, {})
        check(status == 202, f"start the pipeline ({status})")
        execution = started["pipelineExecutionId"]
        wait_action(execution, "Approve", "Gate", "WaitingForApproval")
        driver.get(base + "/ui/domains/acme")
        driver.find_element(By.LINK_TEXT, "Pipelines").click()
        wait_h1(driver, lambda t: t == "Pipelines of acme", "pipelines page")
        driver.find_element(By.LINK_TEXT, "console-release").click()
        wait_h1(driver, lambda t: t == "Pipeline console-release", "pipeline page")
        driver.find_element(By.PARTIAL_LINK_TEXT, execution).click()
        wait_h1(driver, lambda t: t == "Execution of console-release", "execution page")
        gate = driver.find_element(By.CSS_SELECTOR, "[data-action='Approve/Gate']")
        check("WaitingForApproval" in gate.text, "the approval action's box says it waits")
        check("Succeeded" in driver.find_element(By.CSS_SELECTOR, "[data-action='Source/Checkout']").text, "the source action's box")
        check(driver.find_element(By.CSS_SELECTOR, "label[for=approve-Approve-Gate-comment]").text == "Comment", "the comment has a label")
        shoot(driver, "execution")
        axe_check(driver, "execution")
        driver.find_element(By.ID, "approve-Approve-Gate-comment").send_keys("looks good from the browser")
        driver.find_element(By.ID, "approve-Approve-Gate-approve").click()
        wait_h1(driver, lambda t: t == "Execution of console-release", "back on the execution page")
        gate = driver.find_element(By.CSS_SELECTOR, "[data-action='Approve/Gate']")
        check("Succeeded" in gate.text and "looks good from the browser" in gate.text, f"approved with the comment: {gate.text}")
        check(not driver.find_elements(By.ID, "approve-Approve-Gate-approve"), "no approve button once answered")

        def deployed(d):
            d.refresh()
            return d.find_element(By.ID, "execution-status").text == "Succeeded"
        WebDriverWait(driver, 120, poll_frequency=1).until(deployed)
        check("Succeeded" in driver.find_element(By.CSS_SELECTOR, "[data-action='Deploy/Announce']").text, "the execution continued past the approval")
        shoot(driver, "execution-done")
        # A second execution waits for a read-only token below, which sees no buttons.
        status, started = api("POST", "/api/v1/domains/acme/pipelines/console-release/executions", admin_token, {})
        check(status == 202, f"start the pipeline again ({status})")
        waiting = started["pipelineExecutionId"]
        wait_action(waiting, "Approve", "Gate", "WaitingForApproval")
        print("approved a pipeline action")

        # Sign out.
        driver.get(base + "/ui/")
        driver.find_element(By.ID, "sign-out").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "sign-in")))
        driver.get(base + "/ui/domains/acme")
        check(driver.find_elements(By.ID, "sign-in"), "signed out: pages ask to sign in")
        print("signed out")

        # A revoked token's session is refused.
        status, created = api("POST", "/api/v1/domains/acme/tokens", admin_token, {"permissions": ["read"], "name": "short-lived"})
        check(status == 201, f"mint a read token ({status})")
        sign_in(driver, created["token"])
        driver.get(base + "/ui/domains/acme")
        wait_h1(driver, lambda t: t == "Domain acme", "the read token's session works")
        driver.get(base + f"/ui/domains/acme/pipelines/console-release/executions/{waiting}")
        gate = driver.find_element(By.CSS_SELECTOR, "[data-action='Approve/Gate']")
        check("WaitingForApproval" in gate.text, "the read token sees the waiting approval")
        check(not driver.find_elements(By.ID, "approve-Approve-Gate-approve"), "but no approve button without the approve permission")
        check(api("DELETE", f"/api/v1/domains/acme/tokens/{created['id']}", admin_token)[0] == 200, "revoke it")
        driver.get(base + "/ui/domains/acme")
        check(driver.find_elements(By.ID, "sign-in") and "session has ended" in driver.page_source, "the revoked token's session is refused")
        print("revoked session refused")

        # depot login --tool browser: the link it prints signs this browser in once, with the CLI's (read) token.
        status, reader = api("POST", "/api/v1/domains/acme/tokens", admin_token, {"permissions": ["read"], "name": "link-reader"})
        check(status == 201, f"mint a read token for the CLI ({status})")
        login = subprocess.run([depot_bin, "login", "--tool", "browser"], env=dict(os.environ, DEPOT_URL=base, DEPOT_TOKEN=reader["token"]),
                               capture_output=True, text=True, timeout=30)
        check(login.returncode == 0, f"depot login --tool browser: {login.stdout} {login.stderr}")
        link = login.stdout.split()[0] if login.stdout.split() else ""
        check(link.startswith(base + "/ui/signin?link="), f"the CLI prints the link: {login.stdout}")
        check(reader["token"] not in login.stdout, "the link does not hold the token")
        driver.delete_all_cookies()
        driver.get(link)
        check(not driver.find_elements(By.ID, "token"), "the link's page asks for no token")
        shoot(driver, "signin-link")
        axe_check(driver, "signin-link")
        driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "sign-out")))
        check("link-reader" in driver.find_element(By.CSS_SELECTOR, ".who").text, "signed in with the CLI's token")
        driver.get(base + "/ui/domains/acme")
        check(not driver.find_elements(By.ID, "create-repository"), "the session has the token's (read) scope")
        driver.delete_all_cookies()
        driver.get(link)
        driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(driver, 10).until(lambda d: "used already or has expired" in d.page_source)
        check(not driver.find_elements(By.ID, "sign-out"), "a used link signs nobody in")
        print("sign-in link works once")
    finally:
        driver.quit()
    print("OK")


try:
    main()
except Exception as error:  # the Swift test shows the last line
    import traceback

    ours = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
    line = ours[-1] if ours else 0
    print(f"FAILED at line {line}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    sys.exit(1)
