"""Run one Python script several times in this process, so its imports (torch: seconds) load once.

stdin: a JSON list of argument lists; stdout: a JSON list of {"status", "stdout"}, one per run, in
order. The script's stderr passes through. Used by test/interopPython.test.ts.
"""
import contextlib
import io
import json
import runpy
import sys


def main():
    script = sys.argv[1]
    results = []
    for args in json.load(sys.stdin):
        sys.argv = [script, *args]
        out = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(out):
            try:
                runpy.run_path(script, run_name='__main__')
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        results.append({'status': status, 'stdout': out.getvalue()})
    print(json.dumps(results))


if __name__ == '__main__':
    main()
