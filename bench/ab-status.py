#!/usr/bin/env python3
"""A/B of `certdaemon status` cold starts: runs each BINARY:CONFIG[,EXTRA-ARG...] alternately N times (one process per
run, the same minutes for all, so machine load hits every variant alike) and prints each one's median wall time, its
first quartile and its median CPU time (user + system of the child).

    python3 bench/ab-status.py 40 old/certdaemon:/tmp/sb/certdaemon.json new/certdaemon:/tmp/sb/certdaemon.json
    python3 bench/ab-status.py 40 new/certdaemon:/tmp/sb/certdaemon.json,--json new/certdaemon:version

CONFIG "version" runs `certdaemon --version` instead. The sandbox is any configuration with its state and certificate
directories, e.g. the 100-lineage one `CertDaemon.Bench native` generates (docs/benchmarks.md, section 6).
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def arguments(spec):
    binary, rest = spec.split(":", 1)
    config, *extra = rest.split(",")
    return [binary, "--version"] if config == "version" else [binary, "status", "--config", config, *extra]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs, specs = int(sys.argv[1]), sys.argv[2:]
    environment = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "AWS_REGION": "us-east-1"}
    wall = {spec: [] for spec in specs}
    cpu = {spec: [] for spec in specs}
    for _ in range(runs):
        for spec in specs:
            before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run(arguments(spec), env=environment, stdout=subprocess.DEVNULL, check=True)
            ended, after = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[spec].append((ended - started) * 1e3)
            cpu[spec].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3)
    print(f"load {os.getloadavg()[0]:.2f}, {runs} runs each")
    for spec in specs:
        print(f"{spec:60} wall median {statistics.median(wall[spec]):6.2f} ms, p25 {statistics.quantiles(wall[spec], n=4)[0]:6.2f}, "
              f"cpu median {statistics.median(cpu[spec]):6.2f} ms")


if __name__ == "__main__":
    main()
