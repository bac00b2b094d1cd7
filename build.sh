#!/usr/bin/env bash
# ModelLoop's two entry points on a fresh Debian 12 machine with the .NET 10 SDK:
#   ./build.sh demo    install Fashion-MNIST if missing, build, run the demo loop (train, evaluate, save)
#   ./build.sh test    build and run every test, then every sample with short settings
# Both install what they need themselves (apt packages, NuGet restore; the build fixes TorchSharp's native
# library for Debian 12's libstdc++ by itself).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")"

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK is required (dotnet not found). Install it: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 2
  fi
}

apt_install() { # apt_install PACKAGE TEST-PATH: installs PACKAGE when TEST-PATH is missing and we are root
  local package=$1 path=$2
  [ -e "$path" ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $path is missing; install the Debian package '$package' (sudo apt-get install $package)." >&2
    exit 2
  fi
  echo "Installing $package (Debian package)…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null; }
}

# ./modelloop runs the Release build both commands leave behind; a checkout may have lost its executable bit.
chmod +x modelloop 2>/dev/null || true

case "${1:-}" in
  demo)
    need_dotnet
    apt_install dataset-fashion-mnist /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
    shift
    dotnet build -c Release src/ModelLoop.Cli -nologo -v q
    ./modelloop demo "$@"
    ;;
  test)
    need_dotnet
    # Tests generate or ship their own data; the samples use Fashion-MNIST and the shipped CSVs.
    apt_install dataset-fashion-mnist /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
    apt_install chromium /usr/bin/chromium # the evaluation report test renders the HTML report headless; the dashboard's browser tests (Playwright) drive it
    apt_install python3-onnx /usr/lib/python3/dist-packages/onnx/__init__.py # the ONNX export tests run onnx.checker
    apt_install fortunes /usr/share/games/fortunes/startrek # the LoraFineTune sample trains on Debian's fortunes
    dotnet build -c Release ModelLoop.slnx -warnaserror
    log=$(mktemp)
    set +e
    dotnet test -c Release --no-build ModelLoop.slnx 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
    failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
    rm -f "$log"
    if [ "$status" -ne 0 ]; then
      echo "tests: $passed passed, $failed failed"
      exit "$status"
    fi
    for sample in samples/*/; do
      projects=("$sample"*.csproj) # nullglob: empty for a folder without a project (samples/configs)
      [ ${#projects[@]} -gt 0 ] || continue
      name=$(basename "$sample")
      echo "── sample $name (short settings) ──"
      dotnet run -c Release --no-build --project "$sample" -- --ci
    done
    # The shipped training configs run too (1 epoch, 2,000 training samples), so none of them rots.
    runs=$(mktemp -d)
    for config in samples/configs/*.yaml; do
      case "$config" in
        *-space.yaml) # a search space: a 3-trial study over the config it is named after
          echo "── search space $(basename "$config") (3 trials) ──"
          ./modelloop tune --config "${config%-space.yaml}.yaml" --space "$config" --trials 3 --home "$runs/home" \
            --output "$runs/$(basename "$config" .yaml)" | tail -n 8 ;;
        *)
          echo "── config $(basename "$config") (1 epoch, 2,000 samples) ──"
          ./modelloop train --config "$config" --epochs 1 --limit 2000 --no-track --out "$runs/$(basename "$config" .yaml)" | tail -n 14 ;;
      esac
    done
    # The language-model config (nanoGPT's CPU configuration on fortunes) for 200 of its 2,000 steps; the held-out loss
    # must fall from ln(vocabulary) ≈ 4.7 to below 2.9 (it reaches about 2.6), so a training regression fails the build.
    apt_install fortunes /usr/share/games/fortunes/fortunes
    echo "── config fortunes-char.yaml (200 iterations, test loss < 2.9) ──"
    ./modelloop lm train --config samples/LanguageModel/fortunes-char.yaml --max-iters 200 --threads 1 --no-track --out "$runs/fortunes-char" | tail -n 16
    /usr/bin/python3 -c 'import json, sys; loss = json.load(open(sys.argv[1]))["test"]["loss"]; print(f"test loss {loss:.4f} (floor 2.9)"); sys.exit(0 if loss < 2.9 else 1)' "$runs/fortunes-char/summary.json"
    rm -rf "$runs"
    echo "tests: $passed passed, $failed failed"
    ;;
  *)
    echo "usage: ./build.sh demo | test" >&2
    exit 2
    ;;
esac
