#!/usr/bin/python3
"""Summarise a meson test log (meson-logs/testlog.json) for scripts/test.

Prints one line "PASS FAIL SKIP" on stdout and, on stderr, the name of every
test that failed or was skipped, with the last lines of its output (for a
skip, the reason the test printed before exiting 77)."""
import json
import re
import sys

FAILURE = re.compile(r"\b(FAIL|FAILED|not ok|Assertion|ERROR|AddressSanitizer|runtime error)\b|check\(s\) failed")


def tail(text, n):
    lines = [l for l in (text or "").strip().splitlines() if l.strip()]
    return lines[-n:]


def main():
    path = sys.argv[1]
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            result = t.get("result", "")
            name = t.get("name", "?")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
                reason = tail(t.get("stdout", ""), 1) or tail(t.get("stderr", ""), 1) or ["(no reason printed)"]
                print(f"  skipped {name}: {reason[0]}", file=sys.stderr)
            else:
                failed += 1
                print(f"  FAILED {name} ({result}, {t.get('duration', 0):.1f} s)", file=sys.stderr)
                # the failed checks first, wherever they are in a long log
                both = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
                marked = [l for l in both.splitlines() if FAILURE.search(l)]
                for l in marked[:15]:
                    print(f"    > {l}", file=sys.stderr)
                for l in tail(t.get("stdout", ""), 25):
                    print(f"    | {l}", file=sys.stderr)
                for l in tail(t.get("stderr", ""), 25):
                    print(f"    ! {l}", file=sys.stderr)
    print(passed, failed, skipped)


if __name__ == "__main__":
    main()
