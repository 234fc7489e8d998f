#!/usr/bin/env bash
# Builds the browser version of Vernissage into dist/: the page, the JS glue, the wasm module,
# the levels and the assets, with pre-compressed .br and .gz copies of the big files.
#
#   web/build.sh [--profile PROFILE]   (default wasm-release)
#
# Needs: the wasm32-unknown-unknown target (added with rustup if missing), wasm-bindgen-cli at
# the version in Cargo.lock (installed with cargo if missing), node 18+ (compression). Uses
# wasm-opt (a recent binaryen) when it is on PATH (WASM_OPT=/path/to/wasm-opt picks another,
# WASM_OPT=0 skips it), and says so when it is not or is too old for the module.
set -euo pipefail

say() { printf '\033[1mbuild.sh:\033[0m %s\n' "$*"; }
fail() {
    printf '\033[1;31mbuild.sh: %s\033[0m\n' "$*" >&2
    exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

PROFILE=wasm-release
while [[ $# -gt 0 ]]; do
    case "$1" in
        --profile)
            [[ $# -ge 2 ]] || fail "--profile needs a profile name (e.g. wasm-release)"
            PROFILE="$2"
            shift 2
            ;;
        --profile=*)
            PROFILE="${1#--profile=}"
            shift
            ;;
        -h | --help)
            sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) fail "unknown argument: $1 (try --help)" ;;
    esac
done

TARGET=wasm32-unknown-unknown
BIN=vernissage
DIST="$ROOT/dist"

# --- Tools -----------------------------------------------------------------------------------
command -v cargo >/dev/null || fail "cargo is not on PATH"
command -v node >/dev/null || fail "node (18 or newer) is needed for compression; install it first"

if ! grep -q "^\[profile\.$PROFILE\]" Cargo.toml; then
    fail "Cargo.toml has no [profile.$PROFILE]; profiles there: $(grep -o '^\[profile\.[a-z0-9_-]*\]' Cargo.toml | tr -d '[]' | sed 's/profile\.//' | tr '\n' ' ')"
fi

if command -v rustup >/dev/null; then
    if ! rustup target list --installed | grep -qx "$TARGET"; then
        say "adding the $TARGET target"
        rustup target add "$TARGET"
    fi
fi

# wasm-bindgen's command line must match the library version exactly.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$WB_VERSION" ]] || fail "cannot find wasm-bindgen's version in Cargo.lock"

# Where cargo puts the build (CARGO_TARGET_DIR, a config's build.target-dir, or target/).
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')" ||
    fail "cargo metadata failed (is Cargo.toml valid?)"

installed_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$installed_wb" != "$WB_VERSION" ]]; then
    if [[ -n "$installed_wb" ]]; then
        say "wasm-bindgen $installed_wb is installed but Cargo.lock wants $WB_VERSION: installing $WB_VERSION"
    else
        say "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
    fi
    # Its own target folder: no waiting on the lock of a game build running at the same time.
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --target-dir "$TARGET_DIR/wasm-bindgen-cli" ||
        fail "cargo install wasm-bindgen-cli --version $WB_VERSION failed"
    hash -r
    installed_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    [[ "$installed_wb" == "$WB_VERSION" ]] ||
        fail "wasm-bindgen on PATH is '${installed_wb:-missing}', not $WB_VERSION (is ~/.cargo/bin on PATH?)"
fi

# --- Build -----------------------------------------------------------------------------------
say "cargo build --profile $PROFILE --target $TARGET --bin $BIN"
cargo build --profile "$PROFILE" --target "$TARGET" --bin "$BIN" || fail "the wasm build failed (see above)"
WASM_IN="$TARGET_DIR/$TARGET/$PROFILE/$BIN.wasm"
[[ -f "$WASM_IN" ]] || fail "the build finished but $WASM_IN is missing"

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/vernissage-dist.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

say "wasm-bindgen --target web --no-typescript --remove-name-section"
wasm-bindgen --target web --no-typescript --remove-name-section --out-dir "$STAGE" --out-name "$BIN" "$WASM_IN" ||
    fail "wasm-bindgen failed"
WASM_OUT="$STAGE/${BIN}_bg.wasm"
RAW_BYTES="$(stat -c %s "$WASM_OUT")"

OPT_BYTES=none
WASM_OPT_BIN="${WASM_OPT:-wasm-opt}"
if [[ "$WASM_OPT_BIN" == 0 ]]; then
    say "note: WASM_OPT=0: wasm-opt skipped"
elif ! command -v "$WASM_OPT_BIN" >/dev/null; then
    say "note: wasm-opt (binaryen) is not on PATH: the module is not size-optimised further" \
        "(a recent binaryen: https://github.com/WebAssembly/binaryen/releases, or WASM_OPT=/path/to/wasm-opt)"
else
    # Enable exactly the features the module declares (rustc's target_features section). A
    # binaryen that does not know one of them would drop it and corrupt the module (Debian
    # 12's binaryen 108 breaks wasm-bindgen's externref table: no call-indirect-overlong), so
    # then the step is skipped.
    WASM_OPT_VERSION="$("$WASM_OPT_BIN" --version 2>/dev/null | head -n1)"
    known="$("$WASM_OPT_BIN" --help 2>/dev/null | grep -o -- '--enable-[a-z0-9-]*' | sort -u)"
    flags=()
    unknown=()
    while IFS= read -r feature; do
        [[ -n "$feature" ]] || continue
        if grep -qx -- "--enable-$feature" <<<"$known"; then
            flags+=("--enable-$feature")
        else
            unknown+=("$feature")
        fi
    done < <(node web/wasm-features.mjs "$WASM_OUT")
    if [[ ${#unknown[@]} -gt 0 ]]; then
        say "note: wasm-opt skipped: $WASM_OPT_VERSION does not know the module's feature(s)" \
            "${unknown[*]} and would break it; install a recent binaryen (132 works)" \
            "(https://github.com/WebAssembly/binaryen/releases, or npm's binaryen package)" \
            "and point WASM_OPT=/path/to/wasm-opt at it"
    else
        say "wasm-opt -Oz ($WASM_OPT_VERSION; ${flags[*]})"
        if "$WASM_OPT_BIN" -Oz "${flags[@]}" -o "$STAGE/opt.wasm" "$WASM_OUT"; then
            mv "$STAGE/opt.wasm" "$WASM_OUT"
            OPT_BYTES="$(stat -c %s "$WASM_OUT")"
        else
            rm -f "$STAGE/opt.wasm"
            say "WARNING: wasm-opt failed (see above): keeping wasm-bindgen's module as it is." \
                "WASM_OPT=0 skips this step."
        fi
    fi
fi

say "copying the page, the levels and the assets"
cp web/index.html web/loader.js web/style.css "$STAGE/"
# The exhibitions and what they show; not the curators' guide (levels/README.md) nor the
# scripts that made the sample pictures (assets/works/source/).
mkdir -p "$STAGE/levels"
cp levels/*.ron "$STAGE/levels/"
# The title screen's level picker lists the bundled levels: their file names and exhibition
# titles go into the page (a browser cannot list a folder).
bundled=""
for level in levels/*.ron; do
  title=$(grep -m1 -E '^[[:space:]]*title:[[:space:]]*"' "$level" | sed -E 's/^[^"]*"(.*)",?[[:space:]]*$/\1/; s/[|;<>&"#\\]//g')
  bundled="$bundled${bundled:+;}$(basename "$level")|$title"
done
sed -i "s#<meta name=\"vernissage-levels\" content=\"\">#<meta name=\"vernissage-levels\" content=\"$bundled\">#" "$STAGE/index.html"
cp -R assets "$STAGE/assets"
rm -rf "$STAGE/assets/works/source"

say "compressing (brotli and gzip copies)"
node web/compress.mjs "$STAGE" --wasm "${BIN}_bg.wasm" --wasm-raw "$RAW_BYTES" --wasm-opt "$OPT_BYTES" ||
    fail "compression failed"

# Replace dist/ only now that everything is there.
rm -rf "$DIST"
mkdir -p "$DIST"
cp -a "$STAGE"/. "$DIST"/
say "done: dist/ ($PROFILE). Serve it with web/serve.sh, then open http://127.0.0.1:8080/"
