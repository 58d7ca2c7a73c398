#!/bin/sh
# Builds each library module's DocC catalog (Sources/MODULE/MODULE.docc) into .build/docs/MODULE.doccarchive,
# from the symbol graphs of a debug build, with the toolchain's own docc: no package plugin needed.
# Warnings are errors: a page whose ``Symbol`` link names a symbol the module no longer has fails.
# `--if-available` (make test): a toolchain without docc skips the docs with a notice instead of failing.
set -eu
swift=${SWIFT:-swift}
docc=${DOCC:-$(dirname "$(readlink -f "$(command -v "$swift")")")/docc}
if [ ! -x "$docc" ]; then
    if [ "${1:-}" = "--if-available" ]; then echo "docs: no docc beside $swift; skipped"; exit 0; fi
    echo "docs: no docc beside $swift (set DOCC)" >&2; exit 1
fi
out=.build/docs
rm -rf "$out"
mkdir -p "$out"
# SwiftPM builds, then extracts every module's public symbols into one directory.
"$swift" package dump-symbol-graph >/dev/null 2>&1
graphs=$("$swift" build --show-bin-path)/../symbolgraph
for catalog in Sources/*/*.docc; do
    module=$(basename "$catalog" .docc)
    # One module's graphs alone: its own and its extensions of other modules' types.
    mkdir -p "$out/graphs/$module"
    cp "$graphs/$module".symbols.json "$out/graphs/$module"/
    find "$graphs" -maxdepth 1 -name "$module@*.symbols.json" -exec cp {} "$out/graphs/$module"/ \;
    "$docc" convert "$catalog" --additional-symbol-graph-dir "$out/graphs/$module" --output-path "$out/$module.doccarchive" \
        --fallback-display-name "$module" --fallback-bundle-identifier "metl.$module" --warnings-as-errors > "$out/$module.log" 2>&1 \
        || { cat "$out/$module.log" >&2; exit 1; }
    echo "docs: $out/$module.doccarchive"
done
