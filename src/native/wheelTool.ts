/**
 * Reading a tensorflow-cpu wheel (a zip file) for the native build. Python's zipfile does the
 * reading: python3 is already required (node-gyp runs on it), and it streams the 800 MB library
 * out of the archive without holding it in memory.
 */

/** What the native addon needs from a wheel. */
export const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;
export const WHEEL_LIBRARY_DIR = 'tensorflow/';
export const WHEEL_INCLUDE_DIR = 'tensorflow/include/';

/** The C API headers tfjs-node's binding includes: a wheel without them cannot build it. */
export const WHEEL_C_API_HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'] as const;

/**
 * argv: check WHEEL | extract WHEEL DEST ENTRY_HEADER... ; prints one JSON line on stdout.
 * - {"problem": "..."} when the file is no zip, or lacks a library or a C API header;
 * - check: {"ok": true}, from the zip's directory alone (fast, before anything is installed);
 * - extract: {"headers": N} after extracting: the headers reachable by #include from the entry headers
 *   (only those the wheel holds: the rest are system headers) into DEST/include, and the two
 *   libraries into DEST/lib.
 * The closure keeps the extraction to the few dozen headers the binding compiles against,
 * instead of the wheel's 13,000 (287 MB).
 */
export const WHEEL_SCRIPT = String.raw`
import json, os, re, shutil, sys, zipfile, zlib
mode, wheel, dest, entries = sys.argv[1], sys.argv[2], (sys.argv[3:4] or [""])[0], sys.argv[4:]
LIB, INC = ${JSON.stringify(WHEEL_LIBRARY_DIR)}, ${JSON.stringify(WHEEL_INCLUDE_DIR)}
LIBS = ${JSON.stringify(WHEEL_LIBRARIES)}
def out(value):
    print(json.dumps(value)); sys.exit(0)
try:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
except (zipfile.BadZipFile, OSError) as error:
    out({"problem": "not a readable wheel (zip): " + str(error)})
for lib in LIBS:
    if LIB + lib not in names:
        out({"problem": "no " + LIB + lib + " inside (is it a tensorflow-cpu wheel for Linux?)"})
for entry in ${JSON.stringify(WHEEL_C_API_HEADERS)} + entries:
    if INC + entry not in names:
        out({"problem": "no " + INC + entry + " inside (the C API headers)"})
if mode == "check":
    out({"ok": True})
include = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
seen, todo = set(), list(entries)
try:
    while todo:
        header = todo.pop()
        if header in seen or INC + header not in names:
            continue
        seen.add(header)
        todo.extend(m.decode() for m in include.findall(archive.read(INC + header)))
    for header in sorted(seen):
        target = os.path.join(dest, "include", header)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(INC + header) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    os.makedirs(os.path.join(dest, "lib"), exist_ok=True)
    for lib in LIBS:
        with archive.open(LIB + lib) as src, open(os.path.join(dest, "lib", lib), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as error:
    out({"problem": "damaged inside: " + str(error)})
out({"headers": len(seen)})
`;
