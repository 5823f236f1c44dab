# shellcheck shell=bash
# Shared helpers for sandbox/up, sandbox/down and sandbox/demo; source it.
#
# A run directory contains one sandbox instance: for each process NAME it keeps
# NAME.pid and NAME.cmdline (a copy of /proc/PID/cmdline taken at start), so
# `down` stops a PID only while it still runs the command `up` started.

# shellcheck disable=SC2034 # REPO_DIR and VENV_DIR are used by the scripts that source this file.
SANDBOX_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$SANDBOX_DIR")"
VENV_DIR="$SANDBOX_DIR/.venv"
RUN_DIR="${SANDBOX_RUN_DIR:-$SANDBOX_DIR/.run}"
SANDBOX_REGION="us-east-1"

say() {
    printf 'sandbox: %s\n' "$*" >&2
}

die() {
    say "error: $*"
    exit 1
}

# Resolve RUN_DIR to an absolute path (creating it), so the simulator and
# later commands see the same directory whatever their working directory.
prepare_run_dir() {
    mkdir -p "$RUN_DIR"
    RUN_DIR="$(cd "$RUN_DIR" && pwd)"
}

# Take an exclusive lock on the run directory for the rest of the calling
# script, so `up` and `down` on the same instance never interleave.
lock_run_dir() {
    exec 9>"$RUN_DIR/lock"
    if ! flock -n 9; then
        say "waiting for another sandbox command on $RUN_DIR"
        flock 9
    fi
}

# Point every AWS client this shell starts at the local endpoint with dummy
# credentials, and keep real profiles, tokens and instance metadata out.
use_local_aws() {
    local endpoint="$1"
    export AWS_ENDPOINT_URL="$endpoint"
    export AWS_ACCESS_KEY_ID=testing
    export AWS_SECRET_ACCESS_KEY=testing
    export AWS_REGION="$SANDBOX_REGION"
    export AWS_DEFAULT_REGION="$SANDBOX_REGION"
    export AWS_EC2_METADATA_DISABLED=true
    export AWS_CONFIG_FILE=/dev/null
    export AWS_SHARED_CREDENTIALS_FILE=/dev/null
    unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
}

# Print the endpoint recorded in the run directory's env file.
recorded_endpoint() {
    sed -n 's/^AWS_ENDPOINT_URL=//p' "$RUN_DIR/env" 2>/dev/null
}

# Succeed if process NAME of this run directory is alive and still runs the
# command recorded at start (a reused PID fails the comparison).
process_alive() {
    local name="$1" pid
    [[ -f "$RUN_DIR/$name.pid" && -f "$RUN_DIR/$name.cmdline" ]] || return 1
    pid="$(<"$RUN_DIR/$name.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # Read through a pipe: /proc files report size 0, which cmp would take
    # as a difference without reading them.
    # shellcheck disable=SC2002
    cat "/proc/$pid/cmdline" 2>/dev/null | cmp -s - "$RUN_DIR/$name.cmdline"
}

instance_running() {
    process_alive moto && process_alive simulator && [[ -n "$(recorded_endpoint)" ]]
}

# Succeed once PID runs a command line that contains MARKER and is no
# longer setsid itself (setsid execs into the command a moment later).
command_started() {
    local pid="$1" marker="$2" command_line
    command_line="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$command_line" == *"$marker"* && "$command_line" != setsid* ]]
}

# Start a command in the background and record it as process NAME.
# Usage: start_process NAME LOG_FILE PROGRAM_MARKER COMMAND...
# PROGRAM_MARKER is a string of the final command line; the cmdline copy is
# taken only once the child has exec'd into it. setsid puts the process in
# its own session, so Ctrl-C in the terminal that ran `up` or `demo` does not
# reach it and only `down` stops it.
start_process() {
    local name="$1" log_file="$2" marker="$3"
    shift 3
    # fds 8 and 9 are the venv and run-directory locks. The child must not
    # inherit them, or the locks would outlive this script.
    setsid "$@" >>"$log_file" 2>&1 </dev/null 8>&- 9>&- &
    local pid=$!
    echo "$pid" >"$RUN_DIR/$name.pid"

    local waited=0
    until command_started "$pid" "$marker"; do
        if ((waited >= 50)) || ! kill -0 "$pid" 2>/dev/null; then
            say "$name (PID $pid) did not start; see $log_file"
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    cat "/proc/$pid/cmdline" >"$RUN_DIR/$name.cmdline"
}

# Stop process NAME if it is still the one recorded, then forget it.
# SIGTERM first; SIGKILL after 10 seconds.
stop_process() {
    local name="$1" pid
    if process_alive "$name"; then
        pid="$(<"$RUN_DIR/$name.pid")"
        say "stopping $name (PID $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            process_alive "$name" || break
            sleep 0.1
        done
        if process_alive "$name"; then
            say "$name (PID $pid) ignored SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    elif [[ -f "$RUN_DIR/$name.pid" ]]; then
        say "$name is not running (stale PID file removed)"
    fi
    rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.cmdline"
}
