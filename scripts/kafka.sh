#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) for machines without Docker.
# The broker's jars come from Maven Central (scripts/kafka/pom.xml) and are cached under .kafka/.
# See docs/local-kafka.md.
#
#   scripts/kafka.sh fetch          resolve the broker jars once (no network when cached)
#   scripts/kafka.sh start          format storage once, start in the background, wait until it answers
#   scripts/kafka.sh stop           SIGTERM, bounded wait, then SIGKILL
#   scripts/kafka.sh status         exit 0 when the broker answers, 1 otherwise
#   scripts/kafka.sh logs [-f] [N]  last N lines of the broker log (default 100), -f follows
#   scripts/kafka.sh reset          stop and delete the data directory
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
KAFKA_CACHE_DIR="$(realpath -m "${KAFKA_CACHE_DIR:-$ROOT/.kafka}")"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_DATA_DIR="$(realpath -m "${KAFKA_DATA_DIR:-$KAFKA_CACHE_DIR/data}")"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT_SECONDS="${KAFKA_START_TIMEOUT_SECONDS:-60}"
KAFKA_STOP_TIMEOUT_SECONDS="${KAFKA_STOP_TIMEOUT_SECONDS:-30}"

HOST=127.0.0.1
LIBS_DIR="$KAFKA_CACHE_DIR/$KAFKA_VERSION/libs"
PROPS_FILE="$KAFKA_DATA_DIR/server.properties"
PID_FILE="$KAFKA_DATA_DIR/broker.pid"
LOG_DIR="$KAFKA_DATA_DIR/logs"
KRAFT_DIR="$KAFKA_DATA_DIR/kraft"

log() { printf '[kafka] %s\n' "$*"; }
die() {
  printf '[kafka] error: %s\n' "$*" >&2
  exit 1
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || true; fi
}

require_java() {
  local java major
  java="$(java_bin)"
  [[ -n "$java" ]] || die "java not found; Kafka $KAFKA_VERSION needs Java 17 or newer (apt-get install openjdk-17-jre-headless)"
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1)"
  major="${major%% *}"
  [[ "$major" == 1 ]] && major=8
  ((major >= 17)) || die "Kafka $KAFKA_VERSION needs Java 17 or newer, found: $("$java" -version 2>&1 | head -n 1)"
}

# Bounded: one TCP connect attempt of at most one second.
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# An open port is not enough: the broker listens before it can serve metadata.
# Prefer a real metadata request through kafkajs; before `npm ci` fall back to the broker's own log.
broker_answers() {
  port_open "$KAFKA_PORT" || return 1
  if command -v node >/dev/null && (cd "$ROOT" && node -e "require.resolve('kafkajs')" 2>/dev/null); then
    node "$ROOT/scripts/kafka/probe.js" "$HOST:$KAFKA_PORT" >/dev/null 2>&1
  else
    grep -q 'Kafka Server started' "$LOG_DIR/server.log" 2>/dev/null
  fi
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # The pid could have been reused by an unrelated process since the broker died.
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $PROPS_FILE" || return 1
  echo "$pid"
}

# Serialises start/stop/reset so that CI and a test run starting the broker at once cannot race.
take_lock() {
  mkdir -p "$KAFKA_DATA_DIR"
  exec 9>"$KAFKA_DATA_DIR/.lock"
  flock -w 120 9 || die "another scripts/kafka.sh holds $KAFKA_DATA_DIR/.lock"
}

# Serialises fetches into one cache, which several data directories (brokers) may share: a second
# first run must wait and then find the jars, not replace the folder the first broker starts from.
# Its own lock (fd 8), released when the fetch is done, so it never nests inside take_lock.
take_fetch_lock() {
  mkdir -p "$KAFKA_CACHE_DIR"
  exec 8>"$KAFKA_CACHE_DIR/.fetch.lock"
  flock -w 600 8 || die "another scripts/kafka.sh has been fetching into $KAFKA_CACHE_DIR for 10 minutes"
}

cmd_fetch() {
  take_fetch_lock
  fetch_once
  exec 8>&-
}

fetch_once() {
  if [[ -f "$LIBS_DIR/.complete" ]]; then
    log "Kafka $KAFKA_VERSION is cached in $LIBS_DIR ($(find "$LIBS_DIR" -name '*.jar' | wc -l) jars)"
    return
  fi
  require_java
  command -v mvn >/dev/null || die "mvn not found; install Apache Maven (apt-get install maven)"
  local partial="$LIBS_DIR.partial.$$"
  log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies from Maven Central"
  rm -rf "$partial" "$partial.log"
  mkdir -p "$(dirname "$partial")"
  # Maven's own output only matters when it fails; kept aside so the normal path stays readable.
  if ! mvn -B -ntp -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$partial" >"$partial.log" 2>&1; then
    tail -n 40 "$partial.log" >&2
    die "Maven could not resolve Kafka $KAFKA_VERSION (full output: $partial.log)"
  fi
  rm -f "$partial.log"
  [[ -f "$partial/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
  rm -rf "$LIBS_DIR"
  mv "$partial" "$LIBS_DIR"
  touch "$LIBS_DIR/.complete"
  log "Kafka $KAFKA_VERSION cached in $LIBS_DIR ($(find "$LIBS_DIR" -name '*.jar' | wc -l) jars)"
}

write_properties() {
  mkdir -p "$KRAFT_DIR" "$LOG_DIR"
  # Static voters: the controller endpoint lives in this file, not in the formatted storage,
  # so the same data directory keeps working if KAFKA_PORT changes.
  cat >"$PROPS_FILE" <<EOF
# Written by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KRAFT_DIR
num.network.threads=2
num.io.threads=4
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
EOF
}

format_storage_once() {
  if [[ -f "$KRAFT_DIR/meta.properties" ]]; then return; fi
  local java cluster_id
  java="$(java_bin)"
  local tool=("$java" -cp "$LIBS_DIR/*" -Dkafka.logs.dir="$LOG_DIR"
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" kafka.tools.StorageTool)
  cluster_id="$("${tool[@]}" random-uuid)"
  log "formatting $KRAFT_DIR (cluster id $cluster_id)"
  "${tool[@]}" format --cluster-id "$cluster_id" --config "$PROPS_FILE" --ignore-formatted >/dev/null
}

launch() {
  local java
  java="$(java_bin)"
  log "starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), data in $KAFKA_DATA_DIR"
  # setsid: the broker outlives the shell or test run that started it and is not hit by its signals;
  # 9>&-: it must not inherit (and so hold forever) the start/stop lock.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several JVM options on purpose.
  setsid "$java" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" >>"$LOG_DIR/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_FILE"
}

wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    if broker_answers; then
      log "broker ready on $HOST:$KAFKA_PORT (pid $pid)"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG_DIR/stdout.log" "$LOG_DIR/server.log" >&2 2>/dev/null || true
      die "broker exited during start-up; full log: $LOG_DIR/server.log"
    fi
    sleep 1
  done
  tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
  die "broker did not answer on $HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT_SECONDS}s (still running as pid $pid)"
}

cmd_start() {
  cmd_fetch
  require_java
  take_lock
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    wait_until_ready "$pid"
    return
  fi
  if port_open "$KAFKA_PORT"; then
    broker_answers || die "$HOST:$KAFKA_PORT is taken by something that is not a Kafka broker (set KAFKA_PORT to use another port)"
    log "a broker not started by this script already answers on $HOST:$KAFKA_PORT; using it"
    return
  fi
  port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $HOST:$KAFKA_CONTROLLER_PORT is taken (set KAFKA_CONTROLLER_PORT)"
  write_properties
  format_storage_once
  launch
  wait_until_ready "$(cat "$PID_FILE")"
}

cmd_stop() {
  take_lock
  local pid deadline
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return
  fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT_SECONDS))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${KAFKA_STOP_TIMEOUT_SECONDS}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # SIGKILL is asynchronous too; a start right after must find the ports free.
    deadline=$((SECONDS + 5))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    # The version the broker actually runs, from its class path (.kafka/<version>/libs/*).
    local running_version
    running_version="$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n 's#.*/\([^/]*\)/libs/\*$#\1#p' | head -n 1)"
    log "started by this script: Kafka ${running_version:-?}, pid $pid, data in $KAFKA_DATA_DIR"
  else
    log "not started by this script"
  fi
  if broker_answers; then
    log "a broker answers on $HOST:$KAFKA_PORT"
  else
    log "no broker answers on $HOST:$KAFKA_PORT"
    return 1
  fi
}

cmd_logs() {
  local follow=() lines=100
  for arg in "$@"; do
    case "$arg" in
      -f) follow=(-F) ;;
      *[!0-9]* | '') die "logs takes -f and/or a line count, got: $arg" ;;
      *) lines="$arg" ;;
    esac
  done
  [[ -f "$LOG_DIR/server.log" ]] || die "no log yet at $LOG_DIR/server.log"
  tail -n "$lines" "${follow[@]}" "$LOG_DIR/server.log"
}

cmd_reset() {
  cmd_stop
  # Guard against deleting something that is not a broker data directory (a mistyped KAFKA_DATA_DIR).
  [[ -d "$KRAFT_DIR" || -f "$PROPS_FILE" ]] || die "$KAFKA_DATA_DIR does not look like a broker data directory"
  log "deleting $KAFKA_DATA_DIR"
  rm -rf "$KAFKA_DATA_DIR"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs "${@:2}" ;;
  reset) cmd_reset ;;
  *)
    echo "usage: $0 {fetch|start|stop|status|logs [-f] [N]|reset}" >&2
    exit 2
    ;;
esac
