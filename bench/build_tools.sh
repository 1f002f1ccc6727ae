# Sourced by bench/*/run.sh (needs $root and $build_dir set).
#   sentinel_bin      → the Sentinel binary to measure: $SENTINEL_BIN, else the
#                       Release build/ of `make build`, else $build_dir's (built
#                       when missing).
#   bench_tool NAME   → $build_dir/bench/NAME (a load client of bench/CMakeLists.txt),
#                       configured and built when missing or older than its source:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSENTINEL_BUILD_BENCH=ON

bench_configure() {
  [ -f "$build_dir/build.ninja" ] || [ -f "$build_dir/Makefile" ] || {
    local generator
    generator=$(command -v ninja >/dev/null 2>&1 && echo "-G Ninja" || true)
    echo "configuring $build_dir ..." >&2
    # shellcheck disable=SC2086
    cmake -S "$root" -B "$build_dir" $generator -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DSENTINEL_BUILD_BENCH=ON >/dev/null || return 1
  }
}

bench_tool() {
  local name=$1 exe=$build_dir/bench/$1 src
  src=$(ls "$root"/bench/*/"$name.cpp")
  if [ ! -x "$exe" ] || [ "$src" -nt "$exe" ]; then
    bench_configure || return 1
    echo "building $exe ..." >&2
    cmake --build "$build_dir" --target "$name" -j "$(nproc)" >&2 || { echo "building $name failed" >&2; return 1; }
  fi
  echo "$exe"
}

sentinel_bin() {
  if [ -n "${SENTINEL_BIN:-}" ]; then
    [ -x "$SENTINEL_BIN" ] || { echo "SENTINEL_BIN=$SENTINEL_BIN is not executable" >&2; return 1; }
    echo "$SENTINEL_BIN"
  elif [ -x "$root/build/src/app/sentinel" ]; then
    echo "$root/build/src/app/sentinel"
  else
    bench_configure || return 1
    echo "no build/ (make build): building Sentinel in $build_dir ..." >&2
    cmake --build "$build_dir" --target sentinel -j "$(nproc)" >&2 || { echo "building sentinel failed" >&2; return 1; }
    echo "$build_dir/src/app/sentinel"
  fi
}
