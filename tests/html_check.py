#!/usr/bin/env python3
"""tests/html_check.py: the readiness report as a browser sees it.

Renders report pages in headless Chromium and checks, on the live DOM:
  - the expected text is there (headline, sentences, hostile strings as text);
  - every task the map places is drawn, with its name in the wrapped label;
  - the overlay markers are there (bypass badges, arcs, red boxes, legend);
  - nothing can run or fetch: no script, img, iframe ... element, no on*
    attribute, no href outside the page, one stylesheet without url();
  - no request was attempted other than the page itself;
  - on the map as laid out, no badge, tag, red box or marker covers a label,
    a shape or another of them; no red box crosses a pool or lane border;
    red boxes show distinct names; and 900 px wide, the page body does not
    scroll sideways.

Requests are observed through the DevTools protocol over a pipe
(--remote-debugging-pipe): Network.requestWillBeSent reports every request
the page starts, file: and data: URLs included, and also those that the
Content-Security-Policy then blocks. Before any page is checked, a control
page that does fetch (an http image and a relative file image, no CSP) must
show both requests, which proves the detector sees what it must. Chromium's
own background traffic never reaches the page's target and is not counted;
host names do not resolve (--host-resolver-rules), so nothing leaves the
machine either way. A screenshot (--screenshot, 1400x2000) of each page must
be a PNG that is not blank.

Usage:
  html_check.py [TEST_REPORT]         writes the example pages with
                                      `TEST_REPORT --demo DIR` (default
                                      $AB_BUILD_ROOT/tests/test_report)
                                      and checks them
  html_check.py --page FILE.html [--expect FILE.json]
  --keep DIR                          copies the pages and screenshots there

Exit status: 0 all good, 1 a check failed, 77 (skipped) when no Chromium is
installed.
"""

import html.parser
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib

SKIP = 77
BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
BANNED = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "image", "use",
          "foreignobject", "audio", "video", "source", "frame", "frameset", "applet", "portal"}
URL_ATTRS = {"src", "srcset", "action", "formaction", "data", "poster", "background",
             "xlink:href", "ping", "manifest", "codebase", "cite", "longdesc"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def find_browser():
    env = os.environ.get("AB_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def base_flags(profile):
    return ["--headless=new", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--hide-scrollbars", "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile]


class Devtools:
    """A DevTools protocol session over --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, browser, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.evt_r, evt_w = os.pipe()

        def child_fds():
            # dup2 onto 3 and 4 from copies, so the descriptors lose close-on-exec.
            a, b = os.dup(cmd_r), os.dup(evt_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([browser] + base_flags(profile) +
                                     ["--remote-debugging-pipe", "about:blank"],
                                     preexec_fn=child_fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(evt_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read(self, timeout):
        out = []
        end = time.monotonic() + timeout
        while not out:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                out.append(json.loads(raw))
            if out:
                break
            left = end - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.evt_r], [], [], left)
            if not ready:
                break
            chunk = os.read(self.evt_r, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the DevTools pipe")
            self.buf += chunk
        return out

    def call(self, method, params=None, session=None, timeout=30):
        want = self.send(method, params, session)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for msg in self._read(end - time.monotonic()):
                if msg.get("id") == want:
                    if "error" in msg:
                        raise RuntimeError("%s: %s" % (method, msg["error"]))
                    return msg.get("result", {})
                self.events.append(msg)
        raise RuntimeError("no answer to " + method)

    def pump(self, seconds, until=None):
        """Reads events for up to seconds; stops early at the first one until(event) accepts."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for msg in self._read(end - time.monotonic()):
                self.events.append(msg)
                if until and until(msg):
                    return True
        return False

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.evt_r)


def navigate(dt, session, url):
    """Opens url in the session and waits for its load event. The load that counts is
    this navigation's: about:blank's own load event can arrive after the navigation
    starts on a busy machine, so events are matched by the navigation's loader."""
    dt.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
    dt.events.clear()
    loader = dt.call("Page.navigate", {"url": url}, session).get("loaderId")

    def loaded(e):
        p = e.get("params", {})
        return (e.get("method") == "Page.lifecycleEvent" and p.get("name") == "load" and
                p.get("loaderId") == loader)
    if not any(loaded(e) for e in dt.events) and not dt.pump(60, until=loaded):
        fail("%s: the page did not finish loading" % url)


def load(browser, url, until=None):
    """Loads url in a fresh profile; returns (requests, blocked, console, outerHTML).
    until(events), if given, says when the events after the load are complete."""
    profile = tempfile.mkdtemp(prefix="ab-chromium-")
    dt = Devtools(browser, profile)
    try:
        target = dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Page", "Log", "Runtime"):
            dt.call(domain + ".enable", {}, session)
        navigate(dt, session, url)
        dt.pump(1.0)  # Anything started after the load event (a refresh, a late fetch).
        if until is not None and not until(dt.events):
            dt.pump(20, until=lambda e: until(dt.events))
        dom = dt.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                           "returnByValue": True}, session)["result"]["value"]
        events = [e for e in dt.events if e.get("sessionId") == session]
    finally:
        dt.close()
        shutil.rmtree(profile, ignore_errors=True)
    requests = [e["params"]["request"]["url"] for e in events
                if e.get("method") == "Network.requestWillBeSent"]
    blocked = [e["params"].get("blockedReason") for e in events
               if e.get("method") == "Network.loadingFailed" and e["params"].get("blockedReason")]
    console = [e["params"]["entry"].get("text", "") for e in events
               if e.get("method") == "Log.entryAdded"]
    console += [json.dumps(e["params"]) for e in events
                if e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown")]
    return requests, blocked, console, dom


# Run in the page: the boxes of the map as the browser lays them out. Every box the
# overlay placed (badge, tag, red box, start or end marker) must meet no label, no
# shape and no other overlay box; a red box must lie inside a pool or lane or
# outside it, never across its border; red boxes must show distinct names; and the
# page body must not scroll sideways (wide tables and the map scroll in their box).
GEOMETRY_JS = r"""
(() => {
  const out = {units: 0, overlays: 0, covered: [], crossing: [], same: [], overflow: null};
  const de = document.documentElement;
  out.overflow = {scroll: de.scrollWidth, client: de.clientWidth};
  const svg = document.querySelector('svg.ab-map');
  if (!svg) return JSON.stringify(out);
  const bb = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const txt = e => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 120);
  const units = [];
  const add = (e, overlay, what) => {
    const b = bb(e);
    if (b[2] - b[0] > 0 && b[3] - b[1] > 0) units.push({b, overlay, what});
  };
  for (const g of svg.querySelectorAll('g.ab-bypass, g.ab-dead-tag, g.ab-arc-label, ' +
                                       'g.ab-case-end-label, g.ab-extra')) {
    add(g.querySelector('rect'), true, g.getAttribute('class') + ' "' + txt(g) + '"');
  }
  for (const m of svg.querySelectorAll('g.ab-case-end > rect.ab-stop, g.ab-case-end > circle')) {
    add(m, true, 'marker of ' + m.parentNode.getAttribute('data-step'));
  }
  for (const g of svg.querySelectorAll('g.node')) {
    const shape = g.querySelector(':scope > rect, :scope > circle, :scope > polygon');
    const container = shape && shape.tagName === 'rect' &&
                      (shape.getAttribute('fill-opacity') || '1') !== '1';
    if (shape && !container) add(shape, false, 'shape ' + g.getAttribute('data-element'));
    for (const t of g.querySelectorAll(':scope > text')) add(t, false, 'label "' + txt(t) + '"');
  }
  for (const t of svg.querySelectorAll('g.flow > text, g.message > text, g.pool > text, ' +
                                       'g.lane > text')) {
    add(t, false, 'name "' + txt(t) + '"');
  }
  const tol = 1.5;
  for (let i = 0; i < units.length; i++) {
    if (units[i].overlay) out.overlays++;
    for (let j = i + 1; j < units.length; j++) {
      const a = units[i], c = units[j];
      if (!a.overlay && !c.overlay) continue;
      if (a.b[0] < c.b[2] - tol && c.b[0] < a.b[2] - tol &&
          a.b[1] < c.b[3] - tol && c.b[1] < a.b[3] - tol) {
        out.covered.push(a.what + ' / ' + c.what);
      }
    }
  }
  out.units = units.length;
  const bands = [...svg.querySelectorAll('g.pool > rect, g.lane > rect')];
  const shown = [];
  for (const g of svg.querySelectorAll('g.ab-extra')) {
    const r = bb(g.querySelector('rect'));
    for (const band of bands) {
      const c = bb(band);
      const meets = r[0] < c[2] && c[0] < r[2] && r[1] < c[3] && c[1] < r[3];
      const inside = r[0] >= c[0] - 0.5 && r[1] >= c[1] - 0.5 && r[2] <= c[2] + 0.5 &&
                     r[3] <= c[3] + 0.5;
      if (meets && !inside) {
        out.crossing.push(g.getAttribute('data-activity') + ' / ' +
                          band.parentNode.getAttribute('data-element'));
      }
    }
    const lines = [...g.querySelectorAll(':scope > text')].map(txt);
    lines.pop();  /* The case count. */
    const name = lines.join(' ');
    if (shown.includes(name)) out.same.push(name);
    shown.push(name);
  }
  return JSON.stringify(out);
})()
"""


def inspect(browser, url, width):
    """The page laid out width px wide: what GEOMETRY_JS finds."""
    profile = tempfile.mkdtemp(prefix="ab-chromium-")
    dt = Devtools(browser, profile)
    try:
        target = dt.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        dt.call("Page.enable", {}, session)
        dt.call("Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 1200, "deviceScaleFactor": 1, "mobile": False}, session)
        navigate(dt, session, url)
        res = dt.call("Runtime.evaluate", {"expression": GEOMETRY_JS, "returnByValue": True},
                      session)["result"]["value"]
    finally:
        dt.close()
        shutil.rmtree(profile, ignore_errors=True)
    return json.loads(res)


def check_geometry(browser, name, url):
    """Nothing covers a label, red boxes stay off borders and apart, usable 900 px wide."""
    wide = inspect(browser, url, 1400)
    for what in wide["covered"]:
        fail("%s: overlapping boxes on the map: %s" % (name, what))
    for what in wide["crossing"]:
        fail("%s: a red box crosses a pool or lane border: %s" % (name, what))
    for what in wide["same"]:
        fail("%s: two red boxes show the same name %r" % (name, what))
    narrow = inspect(browser, url, 900)
    ov = narrow["overflow"]
    if ov["scroll"] > ov["client"]:
        fail("%s: at 900 px the page is %d px wide (it scrolls sideways)" % (name, ov["scroll"]))
    return wide["overlays"]


def screenshot(browser, url, png):
    profile = tempfile.mkdtemp(prefix="ab-chromium-")
    try:
        subprocess.run([browser] + base_flags(profile) +
                       ["--screenshot=" + png, "--window-size=1400,2000", url],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def png_ink(path):
    """Share of pixels that are not (nearly) white, from an 8-bit RGB(A) PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                return None
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    inked = 0
    for y in range(height):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        if y % 4 == 0:
            for x in range(0, width, 4):
                px = line[x * bpp:x * bpp + 3]
                if min(px) < 235:
                    inked += 1
        prev = line
    samples = ((height + 3) // 4) * ((width + 3) // 4)
    return inked / samples if samples else 0.0


class Dom(html.parser.HTMLParser):
    """The elements (name, attributes, parent index) and text of a serialised DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict, parent index)
        self.text = {}      # element index -> its direct text
        self.stack = []
        self.styles = []
        self.all_text = []

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else -1
        self.elements.append((tag.lower(), {k.lower(): (v or "") for k, v in attrs}, parent))
        idx = len(self.elements) - 1
        if tag.lower() not in ("meta", "br", "hr", "input", "wbr", "col", "area", "embed",
                               "img", "link", "source", "track", "param", "base"):
            self.stack.append(idx)

    def handle_startendtag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else -1
        self.elements.append((tag.lower(), {k.lower(): (v or "") for k, v in attrs}, parent))

    def handle_endtag(self, tag):
        tag = tag.lower()
        for k in range(len(self.stack) - 1, -1, -1):
            if self.elements[self.stack[k]][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        if self.stack:
            idx = self.stack[-1]
            self.text[idx] = self.text.get(idx, "") + data
            if self.elements[idx][0] == "style":
                self.styles.append(data)
                return
        self.all_text.append(data)

    def classes(self, idx):
        return self.elements[idx][1].get("class", "").split()

    def children(self, idx):
        return [i for i, e in enumerate(self.elements) if e[2] == idx]


def norm(s):
    return " ".join(s.split())


def model_tasks(path):
    """(id, name) of the tasks a map's first diagram places, or of all tasks without DI."""
    root = ET.parse(path).getroot()
    tasks = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith("{%s}" % BPMN_NS):
            continue
        local = el.tag.split("}", 1)[1]
        if local == "task" or local.endswith("Task"):
            if el.get("id") is not None:
                tasks.append((el.get("id"), norm(el.get("name", ""))))
    planes = [p for p in root.iter("{%s}BPMNPlane" % DI_NS)]
    if not planes:
        return tasks
    placed = {s.get("bpmnElement") for s in planes[0].iter("{%s}BPMNShape" % DI_NS)}
    return [t for t in tasks if t[0] in placed]


def check_inert(name, dom):
    for tag, attrs, _ in dom.elements:
        if tag in BANNED:
            fail("%s: a <%s> element is in the DOM" % (name, tag))
        for key, value in attrs.items():
            if key.startswith("on"):
                fail("%s: an event handler %s on <%s>" % (name, key, tag))
            if key in URL_ATTRS:
                fail("%s: a %s attribute on <%s>" % (name, key, tag))
            if key == "href" and not value.startswith("#"):
                fail("%s: an href outside the page on <%s>: %r" % (name, tag, value))
            if key == "style" and re.search(r"url\s*\(|@import|expression\s*\(", value, re.I):
                fail("%s: a style attribute that loads: %r" % (name, value))
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            fail("%s: a meta refresh" % name)
    styles = [e for e in dom.elements if e[0] == "style"]
    if len(styles) != 1:
        fail("%s: %d <style> elements, expected 1" % (name, len(styles)))
    for css in dom.styles:
        if re.search(r"url\s*\(|@import", css, re.I):
            fail("%s: the stylesheet loads something" % name)
    csp = [a.get("content") for t, a, _ in dom.elements
           if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    if csp != [CSP]:
        fail("%s: Content-Security-Policy is %r" % (name, csp))


def check_tasks(name, dom, model):
    drawn = {}
    for i, (tag, attrs, _) in enumerate(dom.elements):
        if tag == "g" and "task" in dom.classes(i) and "node" in dom.classes(i):
            lines = [dom.text.get(c, "") for c in dom.children(i) if dom.elements[c][0] == "text"]
            drawn[attrs.get("data-element")] = norm(" ".join(lines))
    tasks = model_tasks(model)
    if not tasks:
        fail("%s: %s places no task" % (name, model))
    for tid, tname in tasks:
        if tid not in drawn:
            fail("%s: task %s (%s) is not drawn" % (name, tid, tname))
            continue
        shown = drawn[tid].replace(" ", "")
        full = tname.replace(" ", "")
        if "\u2026" in shown:
            # Cut at the end ("Create Purch…") or in the middle ("Create …Order").
            head, tail = shown.split("\u2026", 1)
            ok = full.startswith(head) and full.endswith(tail) and \
                len(head) + len(tail) < len(full)
        else:
            ok = shown == full
        if not ok:
            fail("%s: task %s shows %r for %r" % (name, tid, shown, tname))
    return len(tasks)


def check_page(browser, page, expect, keep, work):
    name = os.path.basename(page)
    url = "file://" + os.path.abspath(page)
    requests, blocked, console, outer = load(browser, url)
    others = [r for r in requests if r != url]
    if others:
        fail("%s: the page attempted requests: %s" % (name, others))
    if blocked:
        fail("%s: requests were blocked (%s)" % (name, blocked))
    noisy = [c for c in console if "Content Security Policy" in c or "Refused" in c]
    if noisy:
        fail("%s: the browser refused something: %s" % (name, noisy))
    dom = Dom()
    dom.feed(outer)
    check_inert(name, dom)
    text = "\n".join(dom.all_text) + "\n" + "\n".join(
        v for i, v in dom.text.items() if dom.elements[i][0] != "style")
    ntasks = 0
    if expect:
        for s in expect.get("texts", []):
            if s not in text:
                fail("%s: %r is not shown" % (name, s))
        for cls, want in expect.get("classes", {}).items():
            got = sum(1 for i, e in enumerate(dom.elements)
                      if e[0] == "g" and cls in dom.classes(i))
            if got != want:
                fail("%s: %d elements of class %s, expected %d" % (name, got, cls, want))
        if expect.get("model"):
            ntasks = check_tasks(name, dom, expect["model"])
    big = [dom.text.get(i, "") for i, e in enumerate(dom.elements) if "ab-big" in dom.classes(i)]
    if expect and not any(t.strip() for t in big):
        fail("%s: no headline number" % name)
    overlays = check_geometry(browser, name, url)
    if expect and expect.get("model") and overlays == 0:
        fail("%s: no overlay box was found on the map: the geometry checks saw nothing" % name)
    png = os.path.join(work, os.path.splitext(name)[0] + ".png")
    screenshot(browser, url, png)
    ink = png_ink(png) if os.path.exists(png) else None
    if ink is None:
        fail("%s: no usable screenshot" % name)
    elif ink < 0.01:
        fail("%s: the screenshot is blank (%.4f inked)" % (name, ink))
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(page, keep)
        if os.path.exists(png):
            shutil.copy(png, keep)
    print("%s: %d requests besides the page, %d tasks checked, %d overlay boxes clear, "
          "screenshot %.1f%% inked" % (name, len(others), ntasks, overlays, 100 * (ink or 0)))


def check_detector(browser, work):
    """A page that fetches must show its fetches, or the no-request check proves nothing."""
    page = os.path.join(work, "control.html")
    with open(page, "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title>'
                '</head><body><p>control</p><img src="http://127.0.0.1:8/ab-probe.png">'
                '<img src="ab-probe-local.png"></body></html>')
    want = ["http://127.0.0.1:8/ab-probe.png", "file://" + os.path.join(work, "ab-probe-local.png")]
    requests, _, _, _ = load(browser, "file://" + page, until=lambda events: all(
        any(e.get("method") == "Network.requestWillBeSent" and
            e["params"]["request"]["url"] == w for e in events) for w in want))
    for w in want:
        if w not in requests:
            fail("the request detector missed %s (it saw %s)" % (w, requests))
    # The same page under the report's policy: the fetches are attempted, and refused.
    with open(page, "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv='
                '"Content-Security-Policy" content="%s"><title>control</title></head><body>'
                '<img src="http://127.0.0.1:8/ab-probe.png"></body></html>' % CSP)
    requests, blocked, _, _ = load(browser, "file://" + page, until=lambda events: any(
        e.get("method") == "Network.loadingFailed" for e in events))
    if "csp" not in blocked:
        fail("the report's Content-Security-Policy did not block a fetch (%s, %s)" %
             (requests, blocked))


def main(argv):
    keep = None
    pages = []
    args = list(argv)
    producer = None
    while args:
        a = args.pop(0)
        if a == "--keep":
            keep = os.path.abspath(args.pop(0))
        elif a == "--page":
            pages.append([os.path.abspath(args.pop(0)), None])
        elif a == "--expect":
            with open(args.pop(0), encoding="utf-8") as f:
                pages[-1][1] = json.load(f)
        else:
            producer = a
    browser = find_browser()
    if browser is None:
        print("no Chromium (chromium, chromium-browser, google-chrome): skipped")
        return SKIP
    work = tempfile.mkdtemp(prefix="ab-html-")
    try:
        if not pages:
            if producer is None:
                root = os.environ.get("AB_BUILD_ROOT", ".")
                producer = os.path.join(root, "tests", "test_report")
            if not os.access(producer, os.X_OK):
                print("FAIL: %s cannot be run" % producer, file=sys.stderr)
                return 1
            subprocess.run([producer, "--demo", work], check=True)
            for fn in sorted(os.listdir(work)):
                if fn.endswith(".json"):
                    with open(os.path.join(work, fn), encoding="utf-8") as f:
                        ex = json.load(f)
                    pages.append([os.path.join(work, ex["page"]), ex])
            if len(pages) < 3:
                print("FAIL: the producer wrote %d pages" % len(pages), file=sys.stderr)
                return 1
        check_detector(browser, work)
        if failures:
            return 1
        for page, expect in pages:
            check_page(browser, page, expect, keep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("all pages render offline and inert")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
