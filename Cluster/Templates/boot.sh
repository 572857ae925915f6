#!/bin/bash
# First-boot steps of a kraft-infra node, run once per instance by cloud-init (runcmd).
#
# One script with `set -euo pipefail` rather than a list of runcmd lines: cloud-init runs runcmd
# without -e, so a failed step there (a format that errors) would be hidden and cloud-init would
# still report success. Here the first failure stops the boot and `cloud-init status` says error.
# Every step is safe to run again: on a replaced instance the data volume already holds a file
# system and formatted storage, and both are kept.
set -euo pipefail

# shellcheck source=/dev/null
. /etc/kraft-infra/node.env

log() { echo "kraft-infra boot: $*"; }
trap 'log "ERROR: \"$BASH_COMMAND\" failed (line $LINENO); the boot stopped there. See /var/log/cloud-init-output.log and journalctl -u kafka"' ERR

log "${NODE_NAME} (node.id ${NODE_ID}, ${NODE_ROLE}) in cluster ${CLUSTER_ID}"

# 1. The data volume. Nitro instances show EBS volumes as NVMe devices whose by-id link carries
# the volume id (newer udev rules may add a "_1" namespace suffix); Xen instances keep the
# attachment's device name.
device=""
for _ in $(seq 1 150); do
  for candidate in "$DATA_DEVICE_BY_ID" "${DATA_DEVICE_BY_ID}_1" "$DATA_DEVICE_NAME" "${DATA_DEVICE_NAME/\/dev\/sd//dev/xvd}"; do
    if [ -b "$candidate" ]; then
      device=$(readlink -f "$candidate")
      break 2
    fi
  done
  sleep 2
done
[ -n "$device" ] || { log "ERROR: data volume ${DATA_VOLUME_ID} did not appear as ${DATA_DEVICE_BY_ID} or ${DATA_DEVICE_NAME}"; exit 1; }
log "data volume ${DATA_VOLUME_ID} is ${device}"

# Make a file system only on a blank volume: a replaced instance finds its data here.
fs_type=$(blkid -o value -s TYPE "$device" || true)
if [ -z "$fs_type" ]; then
  log "volume is blank: making an ext4 file system"
  mkfs.ext4 -q -L kafka-data "$device"
else
  log "volume already holds ${fs_type}: keeping it"
fi
fs_uuid=$(blkid -o value -s UUID "$device")
if ! grep -q "^UUID=${fs_uuid} " /etc/fstab; then
  # nofail: a missing volume must not stop the machine from booting (and being reachable by SSM).
  echo "UUID=${fs_uuid} /var/lib/kafka ext4 defaults,noatime,nofail 0 2" >> /etc/fstab
fi
install -d -m 0755 /var/lib/kafka
systemctl daemon-reload
mountpoint -q /var/lib/kafka || mount /var/lib/kafka
install -d -o kafka -g kafka -m 0750 /var/lib/kafka/data /var/lib/kafka/metadata
install -d -o kafka -g kafka -m 0755 /var/log/kafka

# 2. Java and Kafka.
/usr/local/lib/kraft-infra/install-kafka.sh

# 3. Security (security = scram-tls): the node's TLS key and the admin's password come from
# Parameter Store, read with the instance role; the key store, SASL credentials and the admin's
# tool configs are written from them. Nothing secret is in the user data. If a parameter can't
# be read, the boot stops here and Kafka is never started.
if [ "${SECURITY:-plaintext}" = scram-tls ]; then
  /usr/local/lib/kraft-infra/secure-node.sh
fi

# 4. Storage, formatted with the cluster's shared id. --ignore-formatted keeps what a replaced
# instance's volume already holds; the id goes as --cluster-id=ID because Kafka's form of it may
# begin with '-', which as a separate argument would be taken for an option. On a scram-tls
# controller, --add-scram bootstraps the admin's SCRAM credential into the new metadata log
# (KIP-900), so it exists before any broker starts; Kafka ignores it on a formatted volume.
# The line reads the id from node.env itself, so it can be re-run by hand exactly as written.
scram=/etc/kafka/secrets/bootstrap-scram.arg
if [ -s "$scram" ]; then
  # The salted credential is as good as the admin's password, and a process's arguments are
  # visible to every user in ps: the whole command goes in a java @argfile (root:kafka 0640),
  # which the launcher expands, so ps shows "@FILE" only. kafka-storage.sh is exactly
  # `kafka-run-class.sh kafka.tools.StorageTool "$@"` in every supported release.
  format_args=/etc/kafka/secrets/format.args
  (umask 0027 && printf 'kafka.tools.StorageTool format --config /etc/kafka/server.properties --cluster-id=%s --ignore-formatted %s\n' \
    "$CLUSTER_ID" "$(cat "$scram")" > "$format_args")
  chown root:kafka "$format_args"
  chmod 0640 "$format_args"
  runuser -u kafka -- env LOG_DIR=/var/log/kafka /opt/kafka/bin/kafka-run-class.sh "@${format_args}"
  rm -f "$format_args"
else
  # shellcheck disable=SC2016 # $CLUSTER_ID is expanded by the inner shell, after it sources node.env
  runuser -u kafka -- bash -c '. /etc/kraft-infra/node.env && LOG_DIR=/var/log/kafka exec /opt/kafka/bin/kafka-storage.sh format --config /etc/kafka/server.properties --cluster-id="$CLUSTER_ID" --ignore-formatted'
fi
rm -f "$scram"

# 5. Start Kafka now and at every boot. The start blocks until Kafka runs: on a broker that
# includes its wait for the controllers, so `cloud-init status` says done only once Kafka is up.
# If the wait gives up, the boot is marked failed here while systemd keeps retrying the unit.
systemctl daemon-reload
systemctl enable --now kafka.service
log "kafka.service is running; follow it with: journalctl -u kafka -f"
