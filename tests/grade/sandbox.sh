# shellcheck shell=bash
# sandbox.sh - where grade.sh compiles and runs a submission (sourced).
#
# Three modes (GRADE_SANDBOX=auto|bwrap|uid|off; auto picks the first
# that works here):
#   bwrap  bubblewrap: new user, PID, network (loopback only), mount, IPC
#          and UTS namespaces; the system read-only; of the workbook only
#          lib/ (and the headers a grader lists), read-only; the
#          submission's own scratch directory; a size-limited /tmp. Run
#          as root, the sandbox first becomes an unprivileged uid of its
#          own (one per job slot), so that RLIMIT_NPROC applies.
#   uid    the fallback where namespaces cannot be made (some containers):
#          an unprivileged uid per job slot with the same limits; the
#          scratch directory is its only writable place in the workbook;
#          every process of that uid is killed at the end. Needs root.
#   off    no sandbox: for the learner's own copy only.
# Every mode applies the limits (CPU, wall time, processes, file size,
# open files; memory through ASan's options and a memory cgroup when one
# can be made), unless GRADE_DISABLE has "limits".
#
# What grade.sh sets before calling: ROOT, BUILD, GRADE_DISABLE.

GRADE_UID_BASE=${GRADE_UID_BASE:-2000000000} # sandbox uids: base + slot
SLOT_DIR=/run/aw-grade-slots                 # one lock file per slot
SLOTS_MAX=256
SB_TMP_MB=${GRADE_TMP_MB:-64}       # the sandbox's /tmp
SB_FSIZE_MB=${GRADE_FSIZE_MB:-16}   # any one file it writes
SB_MEMORY_MB=${GRADE_MEMORY_MB:-2048} # the memory cgroup, when there is one
SB_NOFILE=1024

SANDBOX_MODE="" SANDBOX_NOTE=""
SB_SLOT="" SB_UID="" SB_LOCK_FD="" SB_CGROUP=""

disabled() { [[ ,${GRADE_DISABLE:-}, == *,"$1",* ]]; }

am_root() { [[ $(id -u) == 0 ]]; }

# The sandbox's view of the system: /usr and /etc read-only, the
# top-level links (or directories) of a merged /usr, a fresh /proc, /dev
# and /tmp.
bwrap_base_args() {
    local d
    SB_ARGS=(bwrap --unshare-all --unshare-user --die-with-parent --new-session
        --disable-userns --ro-bind /usr /usr --ro-bind /etc /etc)
    for d in bin sbin lib lib32 lib64 libx32; do
        if [[ -L /$d ]]; then
            SB_ARGS+=(--symlink "$(readlink "/$d")" "/$d")
        elif [[ -d /$d ]]; then
            SB_ARGS+=(--ro-bind "/$d" "/$d")
        fi
    done
    SB_ARGS+=(--proc /proc --dev /dev
        --size $((SB_TMP_MB * 1024 * 1024)) --tmpfs /dev/shm
        --size $((SB_TMP_MB * 1024 * 1024)) --tmpfs /tmp)
}

# As whom the sandboxed command starts: root first becomes the slot's uid.
as_sandbox_user() {
    SB_USER=()
    if am_root && [[ $SANDBOX_MODE != off ]]; then
        SB_USER=(setpriv --reuid="$SB_UID" --regid="$SB_UID" --clear-groups
            --inh-caps=-all)
    fi
}

# Can bwrap make its namespaces here, as the user it would run as?
bwrap_works() {
    command -v bwrap >/dev/null || return 1
    (
        # In a job slot of its own: a slot's uid is the holder's alone.
        SANDBOX_MODE=bwrap
        sandbox_slot
        bwrap_base_args
        as_sandbox_user
        cd / && timeout -k 2 20 "${SB_USER[@]}" "${SB_ARGS[@]}" -- /bin/true \
            {SB_LOCK_FD}>&-
    ) >/dev/null 2>&1
}

# Choose SANDBOX_MODE from GRADE_SANDBOX; dies if the choice cannot work.
# instructor: true when grading someone else's copy.
sandbox_choose() { # instructor
    local want=${GRADE_SANDBOX:-auto}
    disabled sandbox && want=off
    case $want in
    auto)
        if bwrap_works; then
            SANDBOX_MODE=bwrap
        elif am_root && command -v setpriv >/dev/null; then
            SANDBOX_MODE=uid
            SANDBOX_NOTE="sandbox: uid fallback (no namespaces)"
        else
            SANDBOX_MODE=off
            SANDBOX_NOTE="sandbox: off (no namespaces here, and not root)"
        fi
        ;;
    bwrap)
        bwrap_works || die "GRADE_SANDBOX=bwrap, but bwrap cannot make namespaces here"
        SANDBOX_MODE=bwrap
        ;;
    uid)
        if ! am_root || ! command -v setpriv >/dev/null; then
            die "GRADE_SANDBOX=uid needs root (to switch to a sandbox uid)"
        fi
        SANDBOX_MODE=uid
        SANDBOX_NOTE="sandbox: uid fallback (no namespaces)"
        ;;
    off)
        SANDBOX_MODE=off
        SANDBOX_NOTE="sandbox: off"
        ;;
    *) die "GRADE_SANDBOX must be auto, bwrap, uid or off, not '$want'" ;;
    esac
    if $1 && [[ $SANDBOX_MODE == off ]] && [[ ${UNSAFE:-} != 1 ]]; then
        die "refusing to grade $SRC without a sandbox ($SANDBOX_NOTE);" \
            "UNSAFE=1 grades it anyway, as yourself"
    fi
}

# A memory cgroup for the slot, if this machine lets us make one (v2,
# else v1); SB_CGROUP is its cgroup.procs file.
make_cgroup() {
    local base dir bytes=$((SB_MEMORY_MB * 1024 * 1024))
    SB_CGROUP=""
    am_root && ! disabled limits || return 0
    for base in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        [[ -f $base/cgroup.controllers ]] || continue
        grep -qw memory "$base/cgroup.controllers" || continue
        dir=$base/aw-grade-$SB_SLOT
        mkdir -p "$dir" 2>/dev/null || continue
        echo "$bytes" >"$dir/memory.max" 2>/dev/null || continue
        echo 0 >"$dir/memory.swap.max" 2>/dev/null
        SB_CGROUP=$dir/cgroup.procs
        return 0
    done
    base=/sys/fs/cgroup/memory
    if [[ -f $base/memory.limit_in_bytes ]]; then
        dir=$base/aw-grade-$SB_SLOT
        if mkdir -p "$dir" 2>/dev/null &&
            echo "$bytes" >"$dir/memory.limit_in_bytes" 2>/dev/null; then
            echo "$bytes" >"$dir/memory.memsw.limit_in_bytes" 2>/dev/null
            SB_CGROUP=$dir/cgroup.procs
        fi
    fi
    return 0
}

# Take a free job slot (a uid of our own while we hold its lock); for the
# life of the calling (sub)shell.
sandbox_slot() {
    local s fd
    SB_UID=$(id -u)
    if [[ $SANDBOX_MODE == off ]] || ! am_root; then
        exec {SB_LOCK_FD}</dev/null # so that callers may close it alike
        return 0
    fi
    if ! mkdir -p "$SLOT_DIR" || ! chmod 700 "$SLOT_DIR"; then
        die "cannot create $SLOT_DIR"
    fi
    for ((s = 0; s < SLOTS_MAX; s++)); do
        exec {fd}>"$SLOT_DIR/$s" || continue
        if flock -n "$fd"; then
            SB_SLOT=$s SB_UID=$((GRADE_UID_BASE + s)) SB_LOCK_FD=$fd
            kill_sandbox_user # whatever a crashed run left behind
            make_cgroup
            return 0
        fi
        exec {fd}>&-
    done
    die "no free sandbox slot (more than $SLOTS_MAX gradings at once?)"
}

# Every process of the slot's uid (the uid fallback's only way to find
# them all: they may have left the process group).
kill_sandbox_user() {
    local tries
    [[ -n $SB_SLOT ]] || return 0
    for ((tries = 0; tries < 50; tries++)); do
        pgrep -u "$SB_UID" >/dev/null 2>&1 || return 0
        setpriv --reuid="$SB_UID" --regid="$SB_UID" --clear-groups \
            kill -KILL -1 >/dev/null 2>&1
        sleep 0.05
    done
}

# Run a command in the sandbox: sandboxed SECONDS NPROC AS_MB PROFILE -- CMD...
# PROFILE is the bwrap mount list (SB_MOUNTS, an array the caller fills)
# plus the environment (SB_ENV). AS_MB 0 means no address-space limit
# (ASan reserves terabytes of it). Returns the command's status; 124 or
# 137 for the wall-time limit.
sandboxed() {
    local secs=$1 nproc=$2 as_mb=$3 limits=() cmd=() SB_ARGS SB_USER
    shift 4
    if ! disabled limits; then
        limits=(prlimit --cpu="$secs" --nproc="$nproc"
            --fsize=$((SB_FSIZE_MB * 1024 * 1024)) --nofile="$SB_NOFILE"
            --core=0)
        ((as_mb > 0)) && limits+=(--as=$((as_mb * 1024 * 1024)))
        limits+=(--)
    fi
    as_sandbox_user
    case $SANDBOX_MODE in
    bwrap)
        bwrap_base_args
        cmd=("${SB_USER[@]}" "${SB_ARGS[@]}" "${SB_MOUNTS[@]}"
            --remount-ro "$ROOT" --chdir "$ROOT" -- "${limits[@]}" "$@")
        ;;
    uid) cmd=("${SB_USER[@]}" "${limits[@]}" "$@") ;;
    off) cmd=("${limits[@]}" "$@") ;;
    esac
    if [[ -n $SB_CGROUP ]]; then
        # shellcheck disable=SC2016 # for the inner shell
        cmd=(bash -c 'echo $$ >"$0" 2>/dev/null; exec "$@"' "$SB_CGROUP" "${cmd[@]}")
    fi
    # A clean environment: nothing of ours leaks in (tokens never go
    # through it), and the sandbox cannot see this shell's variables.
    env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "${SB_ENV[@]}" \
        timeout -k 2 "$secs" "${cmd[@]}" &
    SB_RUNNING=$!
    wait "$SB_RUNNING"
    local rc=$?
    SB_RUNNING=""
    [[ $SANDBOX_MODE == uid ]] && kill_sandbox_user
    return $rc
}
