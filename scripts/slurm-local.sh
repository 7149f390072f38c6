#!/usr/bin/env bash
# Sets up and tears down a real one-node Slurm cluster on this machine, so that the
# Slurm job-array test (and a developer by hand) can submit with `sbatch --wait`
# against real daemons instead of a mock. See scripts/README.md for usage.
#
# Everything the cluster owns (config, munge key and socket, state, spool, logs, pid
# files) lives under $SLURM_LOCAL_DIR; nothing under /etc is written, so clients find
# the cluster through SLURM_CONF, which `start` and `env` print and `run` exports.
set -euo pipefail

SLURM_LOCAL_DIR=${SLURM_LOCAL_DIR:-/tmp/avalanche-slurm}
# Seconds `start` waits for the node to become idle before giving up.
SLURM_LOCAL_WAIT=${SLURM_LOCAL_WAIT:-60}
# Default Slurm ports; override when another Slurm already listens on this machine.
SLURM_LOCAL_CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6817}
SLURM_LOCAL_SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6818}

conf=$SLURM_LOCAL_DIR/slurm.conf
munge_dir=$SLURM_LOCAL_DIR/munge
munge_socket=$munge_dir/munge.socket
munge_key=$munge_dir/munge.key
run_dir=$SLURM_LOCAL_DIR/run
log_dir=$SLURM_LOCAL_DIR/log
# Every Slurm command below (daemons and clients) reads this config, never /etc/slurm.
export SLURM_CONF=$conf

usage() {
    cat <<EOF
usage: $0 start | stop | status | env | run CMD [ARG...]

  start   install slurm-wlm and munge if absent, start munged, slurmctld and slurmd
          for a one-node cluster, wait until the node is idle, print the export line
  stop    cancel remaining jobs and stop the daemons started by 'start'
  status  show the daemons, sinfo and squeue
  env     print the export line clients need (eval "\$($0 env)")
  run     start, run CMD with SLURM_CONF exported, always stop; exit with CMD's status

environment: SLURM_LOCAL_DIR (default /tmp/avalanche-slurm), SLURM_LOCAL_WAIT (60 s),
             SLURM_LOCAL_CTLD_PORT (6817), SLURM_LOCAL_SLURMD_PORT (6818)
EOF
}

log() { printf 'slurm-local: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

require_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root: the daemons run as root (SlurmUser=root)"
}

install_packages() {
    local tool missing=0
    for tool in munged slurmctld slurmd sbatch sinfo; do
        command -v "$tool" >/dev/null || missing=1
    done
    [[ $missing -eq 0 ]] && return 0
    command -v apt-get >/dev/null || die "slurm-wlm/munge missing and no apt-get to install them"
    log "installing slurm-wlm and munge with apt-get"
    # policy-rc.d or not, the packaged services are never used: our daemons run from
    # our own config, so a packaged service that fails to start is harmless.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurm-wlm munge >/dev/null
}

pid_file() { printf '%s/%s.pid' "$run_dir" "$1"; }

# The pid recorded for daemon $1, if that process is alive and really is $1 (a stale
# pid file may name a pid the kernel has since given to something else).
live_pid() {
    local name=$1 file pid
    file=$(pid_file "$name")
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 1
    # A killed daemon can linger as a zombie where PID 1 is slow to reap (containers).
    local stat
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ ${stat#*) } != Z* ]] || return 1
    printf '%s' "$pid"
}

# Pids of $1 and all its descendants.
process_tree() {
    local child
    printf '%s\n' "$1"
    for child in $(pgrep -P "$1" || true); do
        process_tree "$child"
    done
}

# Kills job steps left by a cluster of ours whose daemons died (kill -9, OOM, reboot
# of the controller only): nothing else would, and they hold CPUs. Ours are the
# slurmstepd processes whose environment carries our SLURM_CONF.
kill_orphan_steps() {
    local stepd environment pids=()
    for stepd in $(pgrep -x slurmstepd || true); do
        environment=$(tr '\0' '\n' 2>/dev/null <"/proc/$stepd/environ") || continue
        if grep -qxF "SLURM_CONF=$conf" <<<"$environment"; then
            mapfile -t -O "${#pids[@]}" pids < <(process_tree "$stepd")
        fi
    done
    [[ ${#pids[@]} -eq 0 ]] && return 0
    log "killing orphaned job steps: ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

print_env() { printf 'export SLURM_CONF=%s\n' "$conf"; }

dump_logs() {
    local file
    for file in "$log_dir"/*; do
        [[ -f $file ]] || continue
        printf '===== %s (last 40 lines)\n' "$file" >&2
        tail -n 40 "$file" >&2 || true
    done
}

start_munged() {
    mkdir -p "$munge_dir"
    # Readable socket directory so non-root clients can authenticate; the key stays 0600.
    chmod 0755 "$munge_dir"
    if [[ ! -s $munge_key ]]; then
        # mungekey exists from munge 0.5.14 on; older ones take any random bytes.
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile="$munge_key"
        else
            (umask 077 && head -c 1024 /dev/urandom >"$munge_key")
        fi
    fi
    chmod 0600 "$munge_key"
    # --force: start even over a socket left by a killed munged, or when a parent of
    # SLURM_LOCAL_DIR has permissions munged calls insecure (fine for a test cluster).
    munged --force --socket="$munge_socket" --key-file="$munge_key" \
        --pid-file="$(pid_file munged)" --log-file="$log_dir/munged.log" \
        --seed-file="$munge_dir/munged.seed"
    munge -n -S "$munge_socket" | unmunge -S "$munge_socket" >/dev/null ||
        die "munged started but a credential does not round-trip"
}

write_conf() {
    local node_line node
    # slurmd -C reports this machine as slurmd itself will see it (short hostname,
    # CPUs, sockets, cores, threads, memory), so the node never registers as invalid.
    node_line=$(slurmd -C | head -n 1)
    node=${node_line#NodeName=}
    node=${node%% *}
    cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster; do not edit by hand.
ClusterName=avalanche-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$SLURM_LOCAL_CTLD_PORT
SlurmdPort=$SLURM_LOCAL_SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# Our private munged, so a system munge (or its absence) does not matter.
AuthInfo=socket=$munge_socket
StateSaveLocation=$SLURM_LOCAL_DIR/state
SlurmdSpoolDir=$SLURM_LOCAL_DIR/spool
SlurmctldPidFile=$(pid_file slurmctld)
SlurmdPidFile=$(pid_file slurmd)
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: they are absent or read-only in containers and CI sandboxes.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Trust the node line above rather than draining the node if memory reads a bit low.
SlurmdParameters=config_overrides
# Keep finished jobs in memory for an hour: sbatch --wait reports the highest exit
# code only among array tasks slurmctld still remembers, so a short MinJobAge lets an
# early failing task be purged and the array "succeed". The price: sbatch --wait polls
# after 2, 10, 42 s and then every 32 s.
MinJobAge=3600
# No mail on this machine; the default MailProg does not exist and logs an error.
MailProg=/bin/true
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    printf '%s' "$node"
}

wait_for_idle() {
    local node=$1 deadline state=""
    deadline=$((SECONDS + SLURM_LOCAL_WAIT))
    while ((SECONDS < deadline)); do
        state=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null || true)
        [[ $state == idle ]] && return 0
        live_pid slurmctld >/dev/null || { log "slurmctld exited"; return 1; }
        live_pid slurmd >/dev/null || { log "slurmd exited"; return 1; }
        sleep 0.5
    done
    log "node $node not idle after ${SLURM_LOCAL_WAIT}s (state: '${state:-no answer}')"
    scontrol show node "$node" >&2 || true
    return 1
}

all_running() {
    live_pid munged >/dev/null && live_pid slurmctld >/dev/null && live_pid slurmd >/dev/null
}

any_running() {
    live_pid munged >/dev/null || live_pid slurmctld >/dev/null || live_pid slurmd >/dev/null
}

cmd_start() {
    local node port
    require_root
    install_packages
    if all_running && timeout 10 sinfo -h >/dev/null 2>&1; then
        log "already running (config $conf)"
        print_env
        return 0
    fi
    if any_running; then
        log "partly running from an earlier start; stopping it first"
        cmd_stop
    fi
    kill_orphan_steps
    for port in "$SLURM_LOCAL_CTLD_PORT" "$SLURM_LOCAL_SLURMD_PORT"; do
        port_in_use "$port" &&
            die "port $port is taken (another Slurm?); set SLURM_LOCAL_CTLD_PORT/SLURM_LOCAL_SLURMD_PORT"
    done
    # Fresh state every start: stale job and node state from a killed cluster would
    # otherwise be replayed. The munge key is kept; it is only a shared secret.
    rm -rf "$SLURM_LOCAL_DIR/state" "$SLURM_LOCAL_DIR/spool" "$run_dir" "$log_dir"
    mkdir -p "$SLURM_LOCAL_DIR"
    # World-readable (not writable: munged rejects that) so non-root users can read
    # slurm.conf and reach the munge socket.
    chmod 0755 "$SLURM_LOCAL_DIR"
    mkdir -p "$SLURM_LOCAL_DIR/state" "$SLURM_LOCAL_DIR/spool" "$run_dir" "$log_dir"

    start_munged
    node=$(write_conf)
    # Both daemonize once their pid file is written; early errors go to *.out.
    if ! slurmctld >"$log_dir/slurmctld.out" 2>&1 || ! slurmd >"$log_dir/slurmd.out" 2>&1 ||
        ! wait_for_idle "$node"; then
        dump_logs
        cmd_stop || true
        die "cluster did not start; logs above, files in $log_dir"
    fi
    log "node $node idle; clients need: export SLURM_CONF=$conf"
    print_env
}

# Stops the named daemons by their pid files: TERM to all at once (each takes 1-2 s
# to exit, so in turn would triple the wait), then KILL whatever is left after 15 s.
stop_daemons() {
    local name pid pids=() i alive
    for name in "$@"; do
        if pid=$(live_pid "$name"); then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$(pid_file "$name")"
    done
    for ((i = 0; i < 150; i++)); do
        alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [[ $alive -eq 0 ]] && return 0
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM for 15 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

cancel_jobs() {
    local jobs i
    jobs=$(squeue -h -o '%A' 2>/dev/null || true)
    [[ -z $jobs ]] && return 0
    log "cancelling leftover jobs: $(echo "$jobs" | tr '\n' ' ')"
    # shellcheck disable=SC2086 # one job id per word
    scancel $jobs || true
    # Give slurmd time to kill the job steps before it is stopped itself.
    for ((i = 0; i < 30; i++)); do
        [[ -z $(squeue -h -t RUNNING,COMPLETING -o '%A' 2>/dev/null || true) ]] && return 0
        sleep 0.5
    done
}

cmd_stop() {
    if live_pid slurmctld >/dev/null; then
        cancel_jobs
    fi
    # Check the pids before stop_daemons removes the pid files that name them.
    local pids=() name pid
    for name in slurmd slurmctld munged; do
        pid=$(live_pid "$name") && pids+=("$pid")
    done
    stop_daemons slurmd slurmctld munged
    kill_orphan_steps
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && die "pid $pid still running after stop"
    done
    log "stopped"
}

cmd_status() {
    local name pid
    for name in munged slurmctld slurmd; do
        if pid=$(live_pid "$name"); then
            printf '%-10s running (pid %s)\n' "$name" "$pid"
        else
            printf '%-10s not running\n' "$name"
        fi
    done
    all_running || return 1
    sinfo
    squeue
}

cmd_run() {
    local status=0 child
    [[ $# -gt 0 ]] || die "run needs a command"
    cmd_start >/dev/null
    trap 'cmd_stop' EXIT
    # The command runs in the background so a signal to this script is handled at once
    # (bash defers traps while a foreground child runs) and passed on as TERM (a
    # background child of a script ignores SIGINT). <&0 keeps stdin, which bash would
    # otherwise point at /dev/null for a background command.
    "$@" <&0 &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
    # wait returns early when a trapped signal arrives, so wait until the child is gone;
    # bash remembers its exit status for the final wait.
    while kill -0 "$child" 2>/dev/null; do
        wait "$child" || true
    done
    if wait "$child"; then status=0; else status=$?; fi
    trap - EXIT INT TERM
    cmd_stop || { [[ $status -ne 0 ]] || status=1; }
    return "$status"
}

main() {
    [[ $# -gt 0 ]] || {
        usage >&2
        exit 2
    }
    local command=$1
    shift
    case $command in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) print_env ;;
    run) cmd_run "$@" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
