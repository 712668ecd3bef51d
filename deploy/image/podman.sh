#!/usr/bin/env bash
# podman with what a machine like the build machine needs: a VM with no image registry, no
# container network plugins, cgroups in hybrid mode and root without CAP_SYS_RESOURCE.
# Usage: deploy/image/podman.sh build|run|create ARG...   (other subcommands pass through)
#   - runc, not crun, when cgroup v2 holds controllers next to v1 ("hybrid" mode, which
#     crun 1.8 refuses even with --cgroups=disabled);
#   - --ulimit nofile/nproc at most this shell's hard limits (podman asks for 1048576, which
#     only a process with CAP_SYS_RESOURCE may set; nproc is also capped at kernel.pid_max);
#   - no CNI plugins, so no bridge network: containers get slirp4netns (user-mode networking,
#     with -p publishing), builds the host's network (PODMAN_NETWORK overrides both);
#   - run: no healthcheck timers without systemd (podman runs them as systemd timers);
#   - build: the host's CA bundle for pip during RUN steps only (a TLS-inspecting proxy's CA
#     reaches the build, never the image), and the docker format, which keeps HEALTHCHECK.
set -euo pipefail
subcommand=${1:?usage: podman.sh build|run|create ARG...}
shift

global=()
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] && command -v runc >/dev/null; then
  global+=(--runtime runc)
fi

nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
pid_max=$(cat /proc/sys/kernel/pid_max)
[ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ] && nproc=$pid_max
[ "$nofile" = unlimited ] && nofile=1048576
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

case "$subcommand" in
  build)
    extra=(--format docker "${limits[@]}" --network "${PODMAN_NETWORK:-host}")
    ca=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
    if [ -f "$ca" ]; then
      pipconf=$(mktemp /var/tmp/atelier-pip.XXXXXX.conf)
      trap 'rm -f "$pipconf"' EXIT
      printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$pipconf"
      chmod 644 "$pipconf"
      extra+=(-v "$ca:/etc/ssl/certs/ca-certificates.crt:ro" -v "$pipconf:/etc/pip.conf:ro")
    fi
    podman "${global[@]}" build "${extra[@]}" "$@"
    ;;
  run | create)
    extra=("${limits[@]}" --network "${PODMAN_NETWORK:-slirp4netns}")
    [ -d /run/systemd/system ] || extra+=(--no-healthcheck)
    exec podman "${global[@]}" "$subcommand" "${extra[@]}" "$@"
    ;;
  *)
    exec podman "${global[@]}" "$subcommand" "$@"
    ;;
esac
