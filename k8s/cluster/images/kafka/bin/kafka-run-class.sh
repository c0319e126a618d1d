#!/bin/sh
# Runs a main class of the jars in /opt/kafka/libs with the JVM settings of the variables the
# apache/kafka image's scripts read:
#   KAFKA_HEAP_OPTS             heap (default -Xmx256M)
#   KAFKA_JVM_PERFORMANCE_OPTS  garbage collector and JIT (default: G1 with short pauses)
#   KAFKA_LOG4J_OPTS            logging (default: /opt/kafka/config/log4j.properties, to stdout)
#   KAFKA_OPTS                  anything else
#   LOG_DIR                     where the GC log goes when KAFKA_GC_LOG is set (default /tmp/kafka-logs)
# Usage: kafka-run-class.sh <main class> [arguments...]
set -eu
home=$(cd "$(dirname "$0")/.." && pwd)
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j.configuration=file:$home/config/log4j.properties}"
: "${KAFKA_OPTS:=}"
: "${LOG_DIR:=/tmp/kafka-logs}"
gc_log=
if [ -n "${KAFKA_GC_LOG:-}" ]; then
    mkdir -p "$LOG_DIR"
    gc_log="-Xlog:gc*:file=$LOG_DIR/$KAFKA_GC_LOG:time,tags:filecount=10,filesize=100M"
fi
# The options are lists of words: unquoted on purpose.
# shellcheck disable=SC2086
exec "${JAVA_HOME:-/opt/java}/bin/java" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $gc_log \
    "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS $KAFKA_OPTS -cp "$home/libs/*" "$@"
