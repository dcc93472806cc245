#!/bin/sh
# Runs the benchmarks of docs/benchmarks.md: all of them, or the ones named; --quick for a smoke run.
#   bench/run.sh                      # everything, ~30 min on 2 cores (longer with 100-name peer runs)
#   bench/run.sh --quick              # every benchmark, small sizes, a few minutes
#   bench/run.sh issuance footprint   # only those
#   bench/run.sh native               # the Native AOT binary beside the JIT build (publishes it first: eng/publish.sh)
# Extra "--key value" settings are passed on (e.g. --runs 5 --peer-runs-100 1); results go to bench-results/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
missing=""
for tool in pebble pebble-challtestsrv lego certbot nginx wrk; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get install -y pebble lego certbot nginx-light wrk >&2
fi

dotnet build "$here/CertDaemon.sln" -c Release -nologo -v quiet
bench="$here/bench/CertDaemon.Bench/bin/Release/net10.0/CertDaemon.Bench"
results="${BENCH_RESULTS:-$here/bench-results}"

names=""; options=""
for argument in "$@"; do
    case "$argument" in
        issuance|footprint|scale|reliability|native|fleet) names="$names $argument" ;;
        *) options="$options $argument" ;;
    esac
done
[ -n "$names" ] || names="issuance footprint scale reliability fleet"

{
    echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "dotnet $(dotnet --version); $(lego --version); $(certbot --version 2>&1); $(nginx -v 2>&1); pebble $(dpkg-query -W -f='${Version}' pebble 2>/dev/null)"
} | tee "$results.machine.txt" >&2 || true

case " $names " in
    *" native "*)
        [ -x "$here/artifacts/native/linux-x64/certdaemon" ] || bash "$here/eng/publish.sh" --rid linux-x64 >/dev/null ;;
esac

status=0
for name in $names; do
    # shellcheck disable=SC2086
    "$bench" "$name" --results "$results" $options || status=1
done
exit $status
