#!/usr/bin/env bash
# stress.sh - `make grade-stress`: the graders whose checks depend on real
# time, run 5 times each on the reference solution beside a CPU hog.
#
# Most graders use the virtual clock, where a busy machine changes
# nothing. The ones below cannot: they talk to real sockets, a real
# poll(2), io_uring or another thread, and wait for them with real
# deadlines. A grader that fails a correct solution when the machine is
# busy is a flaky test; this target shows it. Each exercise is graded
# STRESS_ROUNDS times (default 5) on solutions/, while one busy loop per
# CPU competes for the processor.
#
# Prints one line per exercise and last "stress: N passed, M failed"
# (one count per exercise and round). Settings (environment): EX (one
# exercise), STRESS_ROUNDS, BUILD, and grade.sh's.

set -uo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2
export ROOT
export BUILD=${BUILD:-build}
ROUNDS=${STRESS_ROUNDS:-5}
WORK=$BUILD/stress

# The graders that wait on real time, and what they wait for.
STRESSED=(
    06-selectors/nonblocking_io   # a peer's reset arrives in 10 ms steps
    06-selectors/poll_loop        # its own poll(2) loop on the real clock
    06-selectors/await_readiness  # loops with 10 ms stop timers
    06-selectors/echo_readiness   # "accepts nothing for half a second"
    07-servers/line_echo          # real sockets, a client that never reads
    07-servers/chat_room          # a member that never reads is dropped
    07-servers/http_get           # keep-alive and pipelining on sockets
    07-servers/idle_timeout       # idle and write timeouts of 0.5 s
    07-servers/graceful_server    # grace periods of 0.3 s and 5 s
    08-proactor/batch_recv        # a thread sends 50 ms late
    08-proactor/cancel_recv       # a receive races its cancel
    08-proactor/fewer_syscalls    # system calls counted per round trip
    08-proactor/shout_server      # both backends, a client that never reads
)
if [[ -n ${EX:-} ]]; then
    STRESSED=("$EX")
fi

mkdir -p "$WORK"
hogs=()
stop_hogs() {
    local pid
    for pid in "${hogs[@]}"; do
        kill "$pid" 2>/dev/null
    done
    wait "${hogs[@]}" 2>/dev/null
    hogs=()
}
trap 'stop_hogs; exit 130' INT TERM
for ((i = 0; i < $(nproc 2>/dev/null || echo 1); i++)); do
    bash -c 'while :; do :; done' &
    hogs+=($!)
done

passed=0 failed=0
for name in "${STRESSED[@]}"; do
    ok=0 notes=()
    for ((round = 1; round <= ROUNDS; round++)); do
        out=$WORK/${name//\//.}.$round
        rm -rf "$out"
        SRC=solutions EX=$name GRADE_OUT=$out GRADE_JOBS=1 \
            bash tests/grade/grade.sh >"$out.log" 2>&1
        status=$(cat "$out/$name/status" 2>/dev/null || echo none)
        if [[ $status == passed || $status == skipped ]]; then
            ok=$((ok + 1))
        else
            notes+=("round $round: $(cat "$out/$name/reason" 2>/dev/null || echo "no result: see $out.log")")
        fi
    done
    passed=$((passed + ok))
    failed=$((failed + ROUNDS - ok))
    printf '%-36s %d of %d passed\n' "$name" "$ok" "$ROUNDS"
    ((${#notes[@]})) && printf '    %s\n' "${notes[@]}"
done
stop_hogs
echo "stress: $passed passed, $failed failed"
((failed == 0))
