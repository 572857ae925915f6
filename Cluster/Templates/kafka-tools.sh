#!/bin/bash
# Sourced by kafka-ready.sh and kafka-topics-apply.sh: how they find this broker and run Kafka's
# command-line tools (in $KAFKA_HOME, /opt/kafka by default). The caller sets config
# (server.properties), tool_timeout and work (a temporary directory it removes), and defines
# fail MESSAGE.
# shellcheck disable=SC2154 # config, tool_timeout and work are the caller's

# broker_endpoint: this broker's own client endpoint, the first entry of listeners in $config
# (e.g. CLIENT://10.42.0.30:9092 gives 10.42.0.30:9092); a wildcard host means localhost.
broker_endpoint() {
  local listeners endpoint
  listeners=$(sed -n 's/^[[:space:]]*listeners[[:space:]]*[=:][[:space:]]*//p' "$config" | tail -n 1)
  endpoint=${listeners%%,*}
  endpoint=${endpoint#*://}
  [[ $endpoint =~ ^(.*):([0-9]+)$ ]] || fail "${config} names no listeners endpoint (listeners=${listeners})"
  case ${BASH_REMATCH[1]} in
    "" | 0.0.0.0) endpoint="localhost:${BASH_REMATCH[2]}" ;;
  esac
  printf '%s' "$endpoint"
}

# run_tool NAME ARGS...: runs bin/NAME with a small heap (the broker's own settings are not
# meant for it) and a LOG_DIR inside $work (kafka-run-class.sh creates one); its stdout goes to
# $work/out and its stderr to $work/err.
run_tool() {
  local tool="${KAFKA_HOME:-/opt/kafka}/bin/$1"
  shift
  if [ ! -x "$tool" ]; then
    echo "${tool} is not installed" > "$work/err"
    : > "$work/out"
    return 127
  fi
  KAFKA_HEAP_OPTS="-Xmx256m" LOG_DIR="$work/logs" timeout "$tool_timeout" "$tool" "$@" > "$work/out" 2> "$work/err"
}

# tool_error STATUS: one line saying why the last tool failed. kafka-topics.sh prints
# "Error while executing topic command : <message>" on stdout; the other tools print the message
# on stderr, followed by a stack trace whose lines are indented.
tool_error() {
  local line
  if [ "$1" -eq 124 ]; then
    echo "no answer within ${tool_timeout}s"
    return
  fi
  line=$(grep '^Error while executing' "$work/out" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -v -e '^[[:space:]]' -e '^$' "$work/err" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -v -e '^[[:space:]]' -e '^$' "$work/out" | tail -n 1 || true)
  [ -n "$line" ] || line="exit status $1"
  printf '%s' "${line:0:300}"
}
