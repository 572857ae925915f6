#!/bin/bash
# Runs on the machine that runs `pulumi up` (a developer laptop or a CI runner), started by a
# Pulumi Command resource as `bash -c "<this text>"`. It runs one kraft-infra script on one EC2
# node through AWS Systems Manager Run Command, with the AWS CLI, and reports the node's answer:
# the nodes take no inbound connections, and SSM needs none.
#
# Every input is an environment variable, so no value is ever spliced into shell text here or by
# the caller, and the command line the node runs is built only from two values checked below:
#   AWS_REGION (required), AWS_PROFILE   the stack's AWS settings; the aws CLI reads them itself
#   KRAFT_INSTANCE_IDS                   every instance of the cluster, separated by spaces or commas
#   KRAFT_TARGET_INSTANCE_ID             the instance the script runs on
#   KRAFT_DOCUMENT_NAME                  the stack's SSM Command document holding the script
#   KRAFT_DOCUMENT_PARAMETER             the name of its one parameter
#   KRAFT_REMOTE_ARGUMENT                the parameter's value: base64 data or an id list
#   KRAFT_TIMEOUT_SECONDS (900)          deadline for all of it
#   KRAFT_RETRY_UNTIL_SUCCESS (false)    true: run the script again while it fails on the node
#   KRAFT_RETRY_INTERVAL_SECONDS (15)    pause between those runs
#   KRAFT_POLL_INTERVAL_SECONDS (5)      pause between questions to SSM
#   KRAFT_DESCRIPTION                    free text for the log and the SSM command's comment
#
# Steps: wait until the SSM agent of every instance is Online, send the command, poll its
# invocation until it ends. Success: the node's stdout on stdout (Pulumi keeps it as the output),
# exit 0. Failure on the node, an aws error or the deadline: the node's output and the reason on
# stderr, exit 1. An invalid input or no aws CLI: exit 2, before any aws call. Progress: stderr.
set -euo pipefail

log() { printf 'kraft-infra: %s\n' "$*" >&2; }
refuse() { log "$*"; exit 2; }

# Bracket lists are spelt out: a range such as a-z follows the locale in bash's regex matching.
hex=0123456789abcdef
digits=0123456789
lower=abcdefghijklmnopqrstuvwxyz
upper=ABCDEFGHIJKLMNOPQRSTUVWXYZ
instance_re="^i-[${hex}]{8,17}\$"
document_re="^[${upper}${lower}${digits}_.-]{3,128}\$"
parameter_re="^[${upper}${lower}${digits}]{1,64}\$"
argument_re="^[${upper}${lower}${digits}+/=,]*\$"
command_id_re="^[${lower}${upper}${digits}-]{36}\$"
newline=$'\n'

# check NAME VALUE REGEX EXPECTED: refuses VALUE unless it matches REGEX.
check() {
  [[ $2 =~ $3 ]] || refuse "invalid $1='$2': expected $4"
}

target=${KRAFT_TARGET_INSTANCE_ID:-}
document=${KRAFT_DOCUMENT_NAME:-}
parameter=${KRAFT_DOCUMENT_PARAMETER:-}
argument=${KRAFT_REMOTE_ARGUMENT:-}
timeout_seconds=${KRAFT_TIMEOUT_SECONDS:-900}
retry=${KRAFT_RETRY_UNTIL_SUCCESS:-false}
retry_interval=${KRAFT_RETRY_INTERVAL_SECONDS:-15}
poll_interval=${KRAFT_POLL_INTERVAL_SECONDS:-5}

[ -n "${AWS_REGION:-}" ] || refuse "AWS_REGION is not set: it names the stack's region, and the aws CLI reads it from the environment"
check KRAFT_TARGET_INSTANCE_ID "$target" "$instance_re" "an EC2 instance id such as i-0123456789abcdef0"
check KRAFT_DOCUMENT_NAME "$document" "$document_re" "an SSM document name: 3 to 128 of A-Z a-z 0-9 _ . -"
check KRAFT_DOCUMENT_PARAMETER "$parameter" "$parameter_re" "a document parameter name: A-Z a-z 0-9 only"
check KRAFT_REMOTE_ARGUMENT "$argument" "$argument_re" "base64 data or an id list (A-Z a-z 0-9 + / = , only)"
check KRAFT_TIMEOUT_SECONDS "$timeout_seconds" "^[1-9][${digits}]{0,6}\$" "a whole number of seconds, at least 1"
check KRAFT_RETRY_UNTIL_SUCCESS "$retry" '^(true|false)$' "true or false"
# No leading zeros: bash would read 08 as a bad octal number.
check KRAFT_RETRY_INTERVAL_SECONDS "$retry_interval" "^(0|[1-9][${digits}]{0,4})\$" "a whole number of seconds"
check KRAFT_POLL_INTERVAL_SECONDS "$poll_interval" "^(0|[1-9][${digits}]{0,4})\$" "a whole number of seconds"

# The instances to wait for: the listed ones, once each, and the target even when not listed.
IFS=$' \t\n,' read -r -d '' -a words <<< "${KRAFT_INSTANCE_IDS:-}" || true
wait_ids=()
for word in ${words[@]+"${words[@]}"} "$target"; do
  [ -n "$word" ] || continue
  [[ $word =~ $instance_re ]] \
    || refuse "invalid KRAFT_INSTANCE_IDS='${KRAFT_INSTANCE_IDS:-}': '${word}' is not an EC2 instance id such as i-0123456789abcdef0 (separate them with spaces or commas)"
  case " ${wait_ids[*]-} " in
    *" ${word} "*) ;;
    *) wait_ids+=("$word") ;;
  esac
done
# DescribeInstanceInformation takes at most 100 values in one filter.
(( ${#wait_ids[@]} <= 100 )) || refuse "invalid KRAFT_INSTANCE_IDS: ${#wait_ids[@]} instances, at most 100 are supported"

description=${KRAFT_DESCRIPTION:-}
# SSM keeps a comment of at most 100 characters. Printable ASCII only, so that 100 bytes are 100
# characters in any locale; and never a leading "-" (an option to the CLI) or "file://" or
# "fileb://" (the CLI would read that file into the comment).
comment=$(printf '%s' "${description:-"kraft-infra ${document} on ${target}"}" | LC_ALL=C tr -c '[:print:]' '?')
case $comment in
  -*|file://*|fileb://*) comment="kraft-infra ${comment}" ;;
esac
comment=${comment:0:100}

# The document's one parameter; name and value are checked above, so neither needs quoting in
# the JSON (SSM checks the value again against the document's allowed pattern).
parameters="{\"${parameter}\":[\"${argument}\"]}"
script="document ${document}"

command -v aws >/dev/null 2>&1 \
  || refuse "the AWS CLI (aws, version 2) is needed on the machine that runs pulumi up, and it is not on PATH; see https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"

work=$(mktemp -d "${TMPDIR:-/tmp}/kraft-ssm.XXXXXX")
trap 'rm -rf "$work"' EXIT

start=$SECONDS
deadline=$(( start + timeout_seconds ))
elapsed() { printf '%s' $(( SECONDS - start )); }
# pause SECONDS: sleeps that long, or until the deadline when that comes first.
pause() {
  local left=$(( deadline - SECONDS ))
  (( left > 0 )) || return 0
  sleep $(( $1 < left ? $1 : left ))
}

# aws_call ARGS...: the AWS CLI, its answer in $work/out and its complaints in $work/err.
aws_call() { aws "$@" >"$work/out" 2>"$work/err"; }
aws_error_is() { grep -q "($1)" "$work/err"; }
aws_failed() {
  cat "$work/err" >&2
  log "aws ssm $1 failed (exit $2) after $(elapsed)s, see above; nothing is retried for that"
  exit 1
}
# read_answer NAME: sets NAME to the one string `--output text` printed, exactly, without the
# newline the CLI adds after it.
read_answer() {
  local text
  text=$(cat "$work/out"; printf x)
  text=${text%x}
  printf -v "$1" '%s' "${text%"$newline"}"
}

# last_line TEXT: its last non-blank line, leaving out the line the SSM agent adds to stderr
# when a command fails ("failed to run commands: exit status 1").
last_line() {
  printf '%s\n' "$1" | grep -v -e '^[[:space:]]*$' -e '^failed to run commands: ' | tail -n 1 || true
}

node_out=""
node_err=""
# node_line: the node's last word on it: stderr's last line, else stdout's.
node_line() {
  local line
  line=$(last_line "$node_err")
  [ -n "$line" ] || line=$(last_line "$node_out")
  printf '%s' "${line:-no output}"
}
show_node_output() {
  local name text
  for name in stdout stderr; do
    if [ "$name" = stdout ]; then text=$node_out; else text=$node_err; fi
    [ -n "$text" ] || continue
    log "----- ${name} of ${script} on ${target} -----"
    printf '%s\n' "${text%"$newline"}" >&2
  done
}

log "${description:+"${description}: "}running ${script} on ${target} through SSM Run Command (region ${AWS_REGION}, deadline ${timeout_seconds}s)"

# 1. The SSM agent of every instance Online: until then a command could not reach the target,
# and the scripts ask the other nodes too.
ids_csv=$(IFS=,; printf '%s' "${wait_ids[*]}")
while :; do
  if aws_call ssm describe-instance-information \
      --filters "Key=InstanceIds,Values=${ids_csv}" \
      --query "InstanceInformationList[?PingStatus=='Online'].InstanceId" --output text; then
    online=" $(tr '\t\n' '  ' < "$work/out") "
  else
    code=$?
    # Instances SSM does not know yet are simply not online yet.
    aws_error_is InvalidInstanceId || aws_failed describe-instance-information "$code"
    online=" "
  fi
  missing=()
  for id in "${wait_ids[@]}"; do
    case $online in
      *" ${id} "*) ;;
      *) missing+=("$id") ;;
    esac
  done
  ready=$(( ${#wait_ids[@]} - ${#missing[@]} ))
  if (( ${#missing[@]} == 0 )); then
    log "the SSM agent is online on all ${ready} instances after $(elapsed)s"
    break
  fi
  if (( SECONDS >= deadline )); then
    log "gave up after $(elapsed)s (KRAFT_TIMEOUT_SECONDS=${timeout_seconds}) waiting for the SSM agent to be Online on ${#wait_ids[@]} instances: ${ready} of ${#wait_ids[@]} online, never ${missing[*]}; check that they run, have the SSM instance profile and reach the SSM endpoints"
    exit 1
  fi
  log "waiting for the SSM agent: ${ready} of ${#wait_ids[@]} online (${missing[*]} not yet)"
  pause "$poll_interval"
done

command_id=""
status=""
# send: sends the command, setting command_id.
send() {
  # $LATEST: the content the stack wrote last, whichever version is the document's default.
  # shellcheck disable=SC2016 # a literal $LATEST, SSM's name for the newest version
  aws_call ssm send-command --document-name "$document" --document-version '$LATEST' --instance-ids "$target" \
    --comment "$comment" --parameters "$parameters" --query Command.CommandId --output text \
    || aws_failed send-command "$?"
  command_id=$(tr -d ' \t\r\n' < "$work/out")
  if ! [[ $command_id =~ $command_id_re ]]; then
    log "aws ssm send-command answered no command id but '${command_id}'"
    exit 1
  fi
}
# wait_for_invocation: polls the invocation until it ends, setting status; fails when the
# deadline passes first.
wait_for_invocation() {
  local code
  while :; do
    if aws_call ssm get-command-invocation --command-id "$command_id" --instance-id "$target" \
        --query Status --output text; then
      status=$(tr -d ' \t\r\n' < "$work/out")
    else
      code=$?
      # Right after send-command the invocation may not exist yet.
      aws_error_is InvocationDoesNotExist || aws_failed get-command-invocation "$code"
      status=Pending
    fi
    case $status in
      Success|Failed|Cancelled|TimedOut|Cancelling) return 0 ;;
      Pending|InProgress|Delayed) ;;
      *) log "command ${command_id}: unexpected status '${status}', still waiting" ;;
    esac
    (( SECONDS < deadline )) || return 1
    pause "$poll_interval"
  done
}
# read_output: the node's stdout and stderr of the ended invocation.
read_output() {
  local stream
  for stream in StandardOutputContent StandardErrorContent; do
    aws_call ssm get-command-invocation --command-id "$command_id" --instance-id "$target" \
      --query "$stream" --output text || aws_failed get-command-invocation "$?"
    if [ "$stream" = StandardOutputContent ]; then read_answer node_out; else read_answer node_err; fi
  done
}

# 2 and 3. Send, and wait for the node's answer; in retry mode again while the script fails.
attempt=0
last_failure=""
while :; do
  attempt=$(( attempt + 1 ))
  send
  log "sent ${script} to ${target}: command ${command_id} (attempt ${attempt})"
  if ! wait_for_invocation; then
    # Nobody waits for its answer any more: stop it, as far as SSM still can.
    aws ssm cancel-command --command-id "$command_id" --instance-ids "$target" >/dev/null 2>&1 || true
    earlier=""
    if [ -n "$last_failure" ]; then
      show_node_output
      earlier="; attempt $(( attempt - 1 )) had failed with: ${last_failure}"
    fi
    log "gave up after $(elapsed)s (KRAFT_TIMEOUT_SECONDS=${timeout_seconds}) waiting for ${script} on ${target} to finish: command ${command_id} was still ${status} and is cancelled${earlier}"
    exit 1
  fi
  read_output
  if [ "$status" = Success ]; then
    log "${script} succeeded on ${target} after $(elapsed)s (attempt ${attempt})"
    printf '%s' "$node_out"
    exit 0
  fi
  last_failure=$(node_line)
  if [ "$retry" = true ] && [ "$status" = Failed ]; then
    log "not yet: ${last_failure}"
    pause "$retry_interval"
    if (( SECONDS >= deadline )); then
      show_node_output
      log "gave up after $(elapsed)s (KRAFT_TIMEOUT_SECONDS=${timeout_seconds}) waiting for ${script} to succeed on ${target}: ${attempt} attempts failed, the last with: ${last_failure}"
      exit 1
    fi
    continue
  fi
  show_node_output
  log "command ${command_id} ended with status ${status}"
  log "${script} failed on ${target}: ${last_failure}"
  exit 1
done
