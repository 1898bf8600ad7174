#!/usr/bin/env bash
# echo.sh OUT_DIR - the echo benchmarks: ours on every backend, beside
# libuv, asyncio and uvloop, all driven by the same client (echo_client.c).
#
# One server per subject is started, pinned to CPU 0; the client runs
# pinned to CPU 1. For every workload the client warms up, then measures;
# the server's CPU time (user + system, from /proc/PID/stat) is read at the
# start and end of the measured window, so "CPU per round trip" holds even
# when the client is the bottleneck. Each workload runs BENCH_RUNS times
# (default 3) per subject, the subjects taking turns, and the median is
# kept. A separate pass under `strace -c`
# counts the server's system calls per round trip.
#
# Writes OUT_DIR/rows/echo.json (rows for results.json) and prints a table.
# Environment: BENCH_SECONDS (2), BENCH_WARMUP (0.5), BENCH_RUNS (3),
# BENCH_SUBJECTS (all), BENCH_QUICK=1 (fewer workloads, for a smoke test).
set -u
out=${1:-build/bench}
bin=$out/bin
rows=$out/rows/echo.json
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$out/rows"

seconds=${BENCH_SECONDS:-2}
warmup=${BENCH_WARMUP:-0.5}
runs=${BENCH_RUNS:-3}
hz=$(getconf CLK_TCK)
python=/usr/bin/python3 # Debian's, which has python3-uvloop
ulimit -n 4096 2>/dev/null

subjects=${BENCH_SUBJECTS:-ours-epoll ours-poll ours-select ours-io_uring libuv asyncio uvloop}
# workload = "bench conns size"
workloads=("pingpong 1 4")
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    workloads+=("echo 1 128" "echo 50 128")
else
    for size in 128 4096; do
        for conns in 1 50 150 300 1000; do
            workloads+=("echo $conns $size")
        done
    done
fi

server_command() {
    case $1 in
    ours-*) echo "${ECHO_SERVER:-build/bin/echo-server} --backend ${1#ours-}" ;;
    libuv) echo "$bin/uv-echo-server" ;;
    asyncio) echo "$python tests/bench/asyncio_echo_server.py" ;;
    uvloop) echo "$python tests/bench/asyncio_echo_server.py --uvloop" ;;
    esac
}

# Wait until FILE has a line matching PATTERN; print it. Fails after 15 s.
wait_line() {
    local file=$1 pattern=$2 i
    for ((i = 0; i < 1500; i++)); do
        if grep -m1 -E "$pattern" "$file" 2>/dev/null; then return 0; fi
        sleep 0.01
    done
    return 1
}

cpu_ticks() { # user + system time of a process, in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat"
}

# One measured run: prints "roundtrips seconds cpu_ticks syscalls".
# With STRACE=1 the server is traced during the window and the CPU
# figure is meaningless; only the system call count is used then.
run_client() {
    local port=$1 conns=$2 size=$3 pid=$4
    local fifo=$tmp/in out=$tmp/client.out
    rm -f "$fifo" "$out"
    mkfifo "$fifo"
    taskset -c 1 "$bin/echo-client" --port "$port" --conns "$conns" \
        --size "$size" --warmup "$warmup" --seconds "$seconds" \
        <"$fifo" >"$out" 2>"$tmp/client.err" &
    local client=$!
    exec 3>"$fifo"
    if ! wait_line "$out" '^ready' >/dev/null; then
        echo "client did not start: $(cat "$tmp/client.err")" >&2
        exec 3>&-
        return 1
    fi
    local strace_pid=""
    if [ "${STRACE:-0}" = 1 ]; then
        strace -c -f -p "$pid" -o "$tmp/strace.out" 2>/dev/null &
        strace_pid=$!
        sleep 0.5 # attaching takes a moment
    fi
    local before after
    before=$(cpu_ticks "$pid")
    echo go >&3
    local line
    line=$(wait_line "$out" '^roundtrips') || line=""
    after=$(cpu_ticks "$pid")
    local calls=0
    if [ -n "$strace_pid" ]; then
        kill -INT "$strace_pid"
        wait "$strace_pid" 2>/dev/null
        calls=$(awk '$NF == "total" {print $4}' "$tmp/strace.out")
    fi
    echo done >&3
    exec 3>&-
    wait "$client"
    [ -n "$line" ] || return 1
    set -- $line # roundtrips N seconds T
    echo "$2 $4 $((after - before)) ${calls:-0}"
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

json_rows=()
add_row() { # bench subject conns size value unit
    json_rows+=("{\"bench\": \"$1\", \"subject\": \"$2\", \"params\": {\"conns\": $3, \"size\": $4}, \"value\": $5, \"unit\": \"$6\"}")
}

# Start every server first, each pinned to CPU 0; an idle server costs
# nothing. Then each workload's runs go round the subjects in turn, so a
# drift in the machine's speed (it is shared) falls on every subject
# alike instead of on whichever happened to run then.
declare -A pid_of port_of
started=()
for subject in $subjects; do
    if [ "$subject" = uvloop ] && ! $python -c 'import uvloop' 2>/dev/null; then
        echo "skipped: uvloop: python3-uvloop not installed" >&2
        continue
    fi
    log=$tmp/server.$subject.out
    taskset -c 0 $(server_command "$subject") --port 0 >"$log" 2>&1 &
    pid=$!
    if ! listen=$(wait_line "$log" '^listening on '); then
        echo "skipped: $subject: server did not start: $(head -c 300 "$log")" >&2
        kill "$pid" 2>/dev/null
        continue
    fi
    pid_of[$subject]=$pid
    port_of[$subject]=${listen##*:}
    started+=("$subject")
done

for workload in "${workloads[@]}"; do
    set -- $workload
    bench=$1 conns=$2 size=$3
    declare -A rates=() cpus=()
    for ((r = 0; r < runs; r++)); do
        for subject in "${started[@]}"; do
            result=$(run_client "${port_of[$subject]}" "$conns" "$size" \
                "${pid_of[$subject]}") || continue
            set -- $result
            rates[$subject]+="$(awk -v n="$1" -v t="$2" 'BEGIN {printf "%.1f", n / t}') "
            cpus[$subject]+="$(awk -v c="$3" -v hz="$hz" -v n="$1" 'BEGIN {printf "%.3f", c / hz * 1e6 / n}') "
        done
    done
    for subject in "${started[@]}"; do
        [ -n "${rates[$subject]:-}" ] || { echo "failed: $subject $workload" >&2; continue; }
        rate=$(printf '%s\n' ${rates[$subject]} | median)
        cpu=$(printf '%s\n' ${cpus[$subject]} | median)
        add_row "$bench" "$subject" "$conns" "$size" "$rate" "rt/s"
        if [ "$bench" = echo ]; then
            add_row echo-cpu "$subject" "$conns" "$size" "$cpu" "us/rt"
            if command -v strace >/dev/null; then
                result=$(STRACE=1 run_client "${port_of[$subject]}" "$conns" \
                    "$size" "${pid_of[$subject]}") &&
                    set -- $result &&
                    add_row echo-syscalls "$subject" "$conns" "$size" \
                        "$(awk -v c="$4" -v n="$1" 'BEGIN {printf "%.3f", c / n}')" "syscalls/rt"
            fi
        fi
        printf '  %-14s %-8s conns=%-4s size=%-4s %12s rt/s  %8s us/rt cpu\n' \
            "$subject" "$bench" "$conns" "$size" "$rate" "$cpu" >&2
    done
done

for subject in "${started[@]}"; do
    kill -TERM "${pid_of[$subject]}"
    wait "${pid_of[$subject]}" 2>/dev/null
done

{
    echo "["
    for ((i = 0; i < ${#json_rows[@]}; i++)); do
        sep=","
        [ $i = $((${#json_rows[@]} - 1)) ] && sep=""
        echo "  ${json_rows[$i]}$sep"
    done
    echo "]"
} >"$rows"
echo "echo benchmarks: ${#json_rows[@]} rows in $rows" >&2
