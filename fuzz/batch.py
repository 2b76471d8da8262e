"""Many fuzz cases through one `redist fuzz-batch MODE` process.

Each case is a frame on the child's stdin (JSON options, then the input,
each behind a 4-byte little-endian length) and one JSON line back. A
writer thread feeds the frames while this side reads the answers, so the
pipe never deadlocks; the first case without an answer is the one that
crashed the process (it exited) or hung (no answer within the timeout).
The process is then started again for the cases after it.
"""

import json
import os
import select
import struct
import subprocess
import threading
import time


class BatchRunner:
    def __init__(self, redist, mode, timeout=10.0):
        self.redist = redist
        self.mode = mode
        self.timeout = timeout
        self.proc = None
        self.stderr_tail = b""
        self.started = 0

    def _start(self):
        self.proc = subprocess.Popen([self.redist, "fuzz-batch", self.mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        self.started += 1
        self.stderr_tail = b""
        self._buffer = b""
        proc = self.proc

        def drain():
            while True:
                chunk = proc.stderr.read(65536)
                if not chunk:
                    return
                self.stderr_tail = (self.stderr_tail + chunk)[-20000:]

        self._stderr_thread = threading.Thread(target=drain, daemon=True)
        self._stderr_thread.start()

    def _stop(self, kill=False):
        if self.proc is None:
            return
        proc = self.proc
        self.proc = None
        try:
            if kill:
                proc.kill()
            else:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._stderr_thread.join(timeout=2)
        for stream in (proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass

    def close(self):
        self._stop()

    @staticmethod
    def frame(options, data):
        header = json.dumps(options).encode()
        return struct.pack("<I", len(header)) + header + struct.pack("<I", len(data)) + data

    def _readline(self, deadline):
        """One line of the child's stdout, or None at end of file, or 'timeout'."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return "timeout"
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def run(self, cases):
        """Results for [(options, bytes)], in order: each the parsed JSON
        line, or {"crash": stderr} / {"hang": seconds}."""
        results = []
        while len(results) < len(cases):
            if self.proc is None:
                self._start()
            pending = cases[len(results):]
            proc = self.proc

            def feed():
                try:
                    for options, data in pending:
                        proc.stdin.write(self.frame(options, data))
                    proc.stdin.flush()
                except (BrokenPipeError, OSError, ValueError):
                    pass

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            for _ in pending:
                line = self._readline(time.monotonic() + self.timeout)
                if line == "timeout":
                    results.append({"hang": self.timeout})
                    self._stop(kill=True)
                    break
                if line is None:
                    self._stop(kill=True)
                    results.append({"crash": self.stderr_tail.decode("utf-8", "replace"),
                                    "exit": proc.returncode})
                    break
                results.append(json.loads(line))
            writer.join()
        return results
